-- Parts requisitions (配件申领): the engineer asks for parts for an order; a dispatcher or store
-- keeper approves or rejects. Approval moves an order waiting for parts back to repairing. Lines
-- name parts by catalogue number; stock levels and reservations join with the parts catalogue.
CREATE TABLE parts_requisitions (
    tenant_id        uuid        NOT NULL,
    id               uuid        NOT NULL,
    work_order_id    uuid        NOT NULL,
    engineer_id      uuid        NOT NULL,
    state            text        NOT NULL DEFAULT 'requested' CHECK (state IN ('requested', 'approved', 'rejected')),
    lines            jsonb       NOT NULL CHECK (jsonb_typeof(lines) = 'array' AND jsonb_array_length(lines) BETWEEN 1 AND 50),
    note             text        CHECK (length(note) <= 1000),
    requested_at     timestamptz NOT NULL,
    decided_at       timestamptz,
    decided_by       uuid,
    decision_note    text        CHECK (length(decision_note) <= 1000),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id),
    FOREIGN KEY (tenant_id, engineer_id) REFERENCES engineers (tenant_id, id),
    CHECK ((state = 'requested') = (decided_at IS NULL))
);
CREATE INDEX parts_requisitions_by_order ON parts_requisitions (tenant_id, work_order_id, requested_at);
CREATE INDEX parts_requisitions_open ON parts_requisitions (tenant_id, requested_at) WHERE state = 'requested';

ALTER TABLE parts_requisitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE parts_requisitions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON parts_requisitions
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON parts_requisitions TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON parts_requisitions TO pitstop_app;

ALTER TABLE work_order_events DROP CONSTRAINT work_order_events_kind_check;
ALTER TABLE work_order_events ADD CONSTRAINT work_order_events_kind_check
    CHECK (kind IN ('created', 'status_changed', 'updated', 'linked_report', 'customer_message', 'pooled', 'unpooled', 'transferred',
                    'dispatch_exhausted', 'checked_in', 'checked_out', 'report_saved', 'parts_requested', 'parts_decided'));
