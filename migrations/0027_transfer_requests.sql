-- An engineer asks to hand an order on (转派申请), always with a reason; the dispatchers see the
-- open requests and transfer the order, which settles the request.
CREATE TABLE transfer_requests (
    tenant_id     uuid        NOT NULL,
    id            uuid        NOT NULL,
    work_order_id uuid        NOT NULL,
    engineer_id   uuid        NOT NULL,
    reason        text        NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 1000),
    requested_at  timestamptz NOT NULL,
    resolved_at   timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id),
    FOREIGN KEY (tenant_id, engineer_id) REFERENCES engineers (tenant_id, id)
);
CREATE UNIQUE INDEX transfer_requests_one_open ON transfer_requests (tenant_id, work_order_id) WHERE resolved_at IS NULL;
CREATE INDEX transfer_requests_open ON transfer_requests (tenant_id, requested_at) WHERE resolved_at IS NULL;

ALTER TABLE transfer_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE transfer_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON transfer_requests
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON transfer_requests TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON transfer_requests TO pitstop_app;

ALTER TABLE work_order_events DROP CONSTRAINT work_order_events_kind_check;
ALTER TABLE work_order_events ADD CONSTRAINT work_order_events_kind_check
    CHECK (kind IN ('created', 'status_changed', 'updated', 'linked_report', 'customer_message', 'pooled', 'unpooled', 'transferred',
                    'dispatch_exhausted', 'checked_in', 'checked_out', 'report_saved', 'parts_requested', 'parts_decided',
                    'transfer_requested'));
