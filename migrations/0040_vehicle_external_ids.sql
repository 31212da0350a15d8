-- Vehicles carry the id the chain's CRM knows them by, unique per tenant, for upserts and bulk
-- imports by that id.
ALTER TABLE vehicles ADD COLUMN external_id text CHECK (length(external_id) BETWEEN 1 AND 100);
CREATE UNIQUE INDEX vehicles_external_id ON vehicles (tenant_id, external_id) WHERE external_id IS NOT NULL;
