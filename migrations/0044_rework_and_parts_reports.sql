-- Two more measures from the rollup. First-time fix: of the orders completed on a day, how many
-- were reopened for rework (an order reopened later is recounted on its completion day, so the
-- rate moves when rework happens). Parts: quantity and cost consumed per day, shop and part,
-- from the stock ledger (consumption happens when an order is completed, which recounts the day).
ALTER TABLE report_daily_orders ADD COLUMN reworked integer NOT NULL DEFAULT 0 CHECK (reworked >= 0);

CREATE TABLE report_daily_parts (
    tenant_id uuid          NOT NULL REFERENCES tenants (id),
    day       date          NOT NULL,
    shop_id   uuid          NOT NULL,
    part_id   uuid          NOT NULL,
    quantity  numeric(14,3) NOT NULL,
    cost      numeric(16,2) NOT NULL,
    PRIMARY KEY (tenant_id, day, shop_id, part_id)
);
ALTER TABLE report_daily_parts ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_daily_parts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON report_daily_parts USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON report_daily_parts TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON report_daily_parts TO pitstop_app;
