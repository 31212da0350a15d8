-- Reports answer from rollups the worker keeps: orders created, completed and cancelled per
-- tenant × day (in the tenant's zone) × shop × channel × type. The worker follows the stream of
-- work-order events in the changes feed's order from a watermark and recounts only the days the
-- changed orders touch (never a full rescan in steady state); `pitstop-admin reports rebuild`
-- recounts a tenant's range from the orders themselves.
CREATE TABLE report_daily_orders (
    tenant_id uuid    NOT NULL REFERENCES tenants (id),
    day       date    NOT NULL,
    -- The nil UUID for orders without a shop, so the key stays a plain primary key.
    shop_id   uuid    NOT NULL,
    channel   text    NOT NULL,
    type_id   uuid    NOT NULL,
    created   integer NOT NULL CHECK (created >= 0),
    completed integer NOT NULL CHECK (completed >= 0),
    cancelled integer NOT NULL CHECK (cancelled >= 0),
    PRIMARY KEY (tenant_id, day, shop_id, channel, type_id)
);

-- The days each order was counted on last time, so a change that moves an order (cancelled,
-- completed again after rework) recounts the day it leaves as well as the day it joins.
CREATE TABLE report_order_days (
    tenant_id     uuid   NOT NULL,
    work_order_id uuid   NOT NULL,
    days          date[] NOT NULL,
    PRIMARY KEY (tenant_id, work_order_id),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['report_daily_orders', 'report_order_days'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id())', t);
        EXECUTE format('CREATE POLICY owner_access ON %I TO CURRENT_USER USING (true) WITH CHECK (true)', t);
    END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON report_daily_orders, report_order_days TO pitstop_app;

-- Days are recounted from the orders created, completed or cancelled on them.
CREATE INDEX work_orders_by_completion ON work_orders (tenant_id, completed_at) WHERE completed_at IS NOT NULL;
CREATE INDEX work_orders_by_cancellation ON work_orders (tenant_id, cancelled_at) WHERE cancelled_at IS NOT NULL;

-- Where the rollup stands in the stream of events of all tenants. It starts at the beginning, so
-- a database upgraded with orders in it counts them from their events on the first run.
CREATE TABLE report_watermark (
    name text   PRIMARY KEY CHECK (name ~ '^[a-z_]{1,64}$'),
    xid  xid8   NOT NULL,
    seq  bigint NOT NULL
);
INSERT INTO report_watermark (name, xid, seq) VALUES ('orders', '0', 0);
GRANT SELECT, UPDATE ON report_watermark TO pitstop_app;

CREATE INDEX outbox_stream ON outbox (xid, seq);

-- The events after a place in the stream that can move an order between days or groups (it is
-- created, changes status, or its shop or type changes), over all tenants, in the feed's order
-- and only once every older transaction has ended: ids and places only, so the app role may call it.
CREATE FUNCTION report_changes(after_xid xid8, after_seq bigint, max integer)
    RETURNS TABLE (tenant_id uuid, work_order_id uuid, xid xid8, seq bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT o.tenant_id, o.aggregate_id, o.xid, o.seq FROM public.outbox o
          WHERE (o.xid, o.seq) > (after_xid, after_seq) AND o.xid < pg_snapshot_xmin(pg_current_snapshot())
            AND o.topic IN ('work_order.created', 'work_order.status_changed', 'work_order.updated')
          ORDER BY o.xid, o.seq LIMIT max $$;
REVOKE ALL ON FUNCTION report_changes(xid8, bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_changes(xid8, bigint, integer) TO pitstop_app;
