-- Work orders (the ticket in the chain's CRM) and engineers (the person in its HR system) carry
-- the id the other system knows them by, unique per tenant, for upserts by that id.
ALTER TABLE work_orders ADD COLUMN external_id text CHECK (length(external_id) BETWEEN 1 AND 100);
CREATE UNIQUE INDEX work_orders_external_id ON work_orders (tenant_id, external_id) WHERE external_id IS NOT NULL;
ALTER TABLE engineers ADD COLUMN external_id text CHECK (length(external_id) BETWEEN 1 AND 100);
CREATE UNIQUE INDEX engineers_external_id ON engineers (tenant_id, external_id) WHERE external_id IS NOT NULL;
