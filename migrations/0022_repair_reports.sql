-- The engineer's repair report: diagnosis, work performed, labour and parts lines, mileage.
-- Versioned: every save is a new row and earlier versions stay, so what a customer was shown
-- (and later signs) can always be found again. Photos join when uploads exist.
CREATE TABLE work_order_reports (
    tenant_id      uuid        NOT NULL,
    work_order_id  uuid        NOT NULL,
    version        integer     NOT NULL CHECK (version >= 1),
    diagnosis      text        NOT NULL CHECK (length(diagnosis) <= 5000),
    work_performed text        NOT NULL CHECK (length(work_performed) <= 5000),
    labour         jsonb       NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(labour) = 'array'),
    parts          jsonb       NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(parts) = 'array'),
    mileage_km     integer     CHECK (mileage_km BETWEEN 0 AND 5000000),
    author_key_id  uuid,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, work_order_id, version),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id)
);

ALTER TABLE work_order_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_order_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON work_order_reports
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON work_order_reports TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON work_order_reports TO pitstop_app;

ALTER TABLE work_order_events DROP CONSTRAINT work_order_events_kind_check;
ALTER TABLE work_order_events ADD CONSTRAINT work_order_events_kind_check
    CHECK (kind IN ('created', 'status_changed', 'updated', 'linked_report', 'customer_message', 'pooled', 'unpooled', 'transferred',
                    'dispatch_exhausted', 'checked_in', 'checked_out', 'report_saved'));
