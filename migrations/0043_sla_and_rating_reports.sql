-- Two more reports from the same rollup: SLA compliance (each target met on time or breached,
-- counted on the day it was met or breached) and customer satisfaction (ratings on the day they
-- were given). The worker now also follows check-ins (an arrival target met), breaches and ratings.
CREATE TABLE report_daily_sla (
    tenant_id uuid    NOT NULL REFERENCES tenants (id),
    day       date    NOT NULL,
    shop_id   uuid    NOT NULL,
    channel   text    NOT NULL,
    type_id   uuid    NOT NULL,
    target    text    NOT NULL CHECK (target IN ('first_response', 'arrival', 'resolution')),
    met       integer NOT NULL CHECK (met >= 0),
    breached  integer NOT NULL CHECK (breached >= 0),
    PRIMARY KEY (tenant_id, day, shop_id, channel, type_id, target)
);
ALTER TABLE report_daily_sla ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_daily_sla FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON report_daily_sla USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON report_daily_sla TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON report_daily_sla TO pitstop_app;

ALTER TABLE report_daily_orders
    ADD COLUMN rated     integer NOT NULL DEFAULT 0 CHECK (rated >= 0),
    ADD COLUMN score_sum integer NOT NULL DEFAULT 0 CHECK (score_sum >= 0),
    ADD COLUMN score_1   integer NOT NULL DEFAULT 0,
    ADD COLUMN score_2   integer NOT NULL DEFAULT 0,
    ADD COLUMN score_3   integer NOT NULL DEFAULT 0,
    ADD COLUMN score_4   integer NOT NULL DEFAULT 0,
    ADD COLUMN score_5   integer NOT NULL DEFAULT 0;

CREATE INDEX work_order_ratings_by_day ON work_order_ratings (tenant_id, rated_at);

CREATE OR REPLACE FUNCTION report_changes(after_xid xid8, after_seq bigint, max integer)
    RETURNS TABLE (tenant_id uuid, work_order_id uuid, xid xid8, seq bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT o.tenant_id, o.aggregate_id, o.xid, o.seq FROM public.outbox o
          WHERE (o.xid, o.seq) > (after_xid, after_seq) AND o.xid < pg_snapshot_xmin(pg_current_snapshot())
            AND o.topic IN ('work_order.created', 'work_order.status_changed', 'work_order.updated', 'work_order.checked_in',
                            'work_order.sla_breached', 'work_order.rated')
          ORDER BY o.xid, o.seq LIMIT max $$;

-- Days are recounted from the clocks met or breached on them.
CREATE INDEX work_order_sla_clocks_by_met ON work_order_sla_clocks (tenant_id, met_at) WHERE met_at IS NOT NULL;
CREATE INDEX work_order_sla_clocks_by_breach ON work_order_sla_clocks (tenant_id, breached_at) WHERE breached_at IS NOT NULL;
