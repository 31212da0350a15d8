-- Parts carry the id the chain's ERP knows them by, unique per tenant, so the ERP can upsert its
-- catalogue (PUT /v1/parts/by-external-id/{id}, NDJSON bulk) without keeping Pitstop's ids.
ALTER TABLE parts ADD COLUMN external_id text CHECK (length(external_id) BETWEEN 1 AND 100);
CREATE UNIQUE INDEX parts_external_id ON parts (tenant_id, external_id) WHERE external_id IS NOT NULL;
