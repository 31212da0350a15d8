-- The open backlog by status: how many orders are open now in each status, per shop, channel and
-- type. The worker keeps it as it follows changes: each open order's counted group is noted
-- (report_order_backlog), so a change takes the order out of the group it was counted in and
-- puts it into its new one (or none, once closed) without rescanning the open orders.
-- Every tenant table gets the same treatment: row-level security forced on its owner too, the
-- policy on the transaction's tenant, the owner's own policy (migrations and the admin tool), and
-- the app role's grants. One call per new table from here on.
CREATE FUNCTION make_tenant_table(t regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %s USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id())', t);
    EXECUTE format('CREATE POLICY owner_access ON %s TO CURRENT_USER USING (true) WITH CHECK (true)', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO pitstop_app', t);
END $$;
REVOKE EXECUTE ON FUNCTION make_tenant_table(regclass) FROM PUBLIC;

CREATE TABLE report_backlog (
    tenant_id uuid    NOT NULL REFERENCES tenants (id),
    shop_id   uuid    NOT NULL,
    channel   text    NOT NULL,
    type_id   uuid    NOT NULL,
    status    text    NOT NULL,
    open      integer NOT NULL CHECK (open >= 0),
    PRIMARY KEY (tenant_id, shop_id, channel, type_id, status)
);

CREATE TABLE report_order_backlog (
    tenant_id     uuid NOT NULL,
    work_order_id uuid NOT NULL,
    shop_id       uuid NOT NULL,
    channel       text NOT NULL,
    type_id       uuid NOT NULL,
    status        text NOT NULL,
    PRIMARY KEY (tenant_id, work_order_id),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id)
);

SELECT make_tenant_table('report_backlog');
SELECT make_tenant_table('report_order_backlog');

-- Orders open before this migration are counted once here; from now on the worker keeps it.
INSERT INTO report_order_backlog (tenant_id, work_order_id, shop_id, channel, type_id, status)
SELECT tenant_id, id, coalesce(shop_id, '00000000-0000-0000-0000-000000000000'), channel, type_id, status
FROM work_orders WHERE status NOT IN ('completed', 'cancelled');
INSERT INTO report_backlog (tenant_id, shop_id, channel, type_id, status, open)
SELECT tenant_id, shop_id, channel, type_id, status, count(*) FROM report_order_backlog GROUP BY 1, 2, 3, 4, 5;
