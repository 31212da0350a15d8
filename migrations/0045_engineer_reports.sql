-- Engineer workload from the same rollup, per tenant × day × engineer: orders assigned to them,
-- completed as the assignee, offers declined, transfers asked for, and minutes on site (check-in
-- to check-out, counted on the check-out day). The worker now also follows check-outs and
-- transfers, which can change these.
CREATE TABLE report_daily_engineers (
    tenant_id         uuid    NOT NULL REFERENCES tenants (id),
    day               date    NOT NULL,
    engineer_id       uuid    NOT NULL,
    assigned          integer NOT NULL CHECK (assigned >= 0),
    completed         integer NOT NULL CHECK (completed >= 0),
    declined          integer NOT NULL CHECK (declined >= 0),
    transfer_requests integer NOT NULL CHECK (transfer_requests >= 0),
    minutes_on_site   integer NOT NULL CHECK (minutes_on_site >= 0),
    PRIMARY KEY (tenant_id, day, engineer_id),
    FOREIGN KEY (tenant_id, engineer_id) REFERENCES engineers (tenant_id, id)
);
ALTER TABLE report_daily_engineers ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_daily_engineers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON report_daily_engineers USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON report_daily_engineers TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON report_daily_engineers TO pitstop_app;

-- Days are recounted from what happened on them.
CREATE INDEX dispatch_assignments_by_day ON dispatch_assignments (tenant_id, assigned_at);
CREATE INDEX dispatch_offers_answered ON dispatch_offers (tenant_id, answered_at) WHERE state = 'declined';
CREATE INDEX work_order_visits_by_check_out ON work_order_visits (tenant_id, checked_out_at) WHERE checked_out_at IS NOT NULL;
CREATE INDEX transfer_requests_by_day ON transfer_requests (tenant_id, requested_at);

CREATE OR REPLACE FUNCTION report_changes(after_xid xid8, after_seq bigint, max integer)
    RETURNS TABLE (tenant_id uuid, work_order_id uuid, xid xid8, seq bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT o.tenant_id, o.aggregate_id, o.xid, o.seq FROM public.outbox o
          WHERE (o.xid, o.seq) > (after_xid, after_seq) AND o.xid < pg_snapshot_xmin(pg_current_snapshot())
            AND o.topic IN ('work_order.created', 'work_order.status_changed', 'work_order.updated', 'work_order.checked_in',
                            'work_order.checked_out', 'work_order.transfer_requested', 'work_order.transferred',
                            'work_order.sla_breached', 'work_order.rated')
          ORDER BY o.xid, o.seq LIMIT max $$;
