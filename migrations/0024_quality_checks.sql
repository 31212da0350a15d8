-- Quality checks: each work-order type lists what an inspector checks before the customer sees
-- the car; a check records pass or fail per item and who inspected. All passed: the order waits
-- for the customer's acceptance. Any failed: back to repairing, the failed items on the timeline.
ALTER TABLE work_order_types ADD COLUMN checklist text[] NOT NULL DEFAULT '{}' CHECK (cardinality(checklist) <= 50);

CREATE TABLE quality_checks (
    tenant_id         uuid        NOT NULL,
    id                uuid        NOT NULL,
    work_order_id     uuid        NOT NULL,
    inspector_key_id  uuid,
    inspector_name    text        NOT NULL CHECK (length(btrim(inspector_name)) BETWEEN 1 AND 100),
    results           jsonb       NOT NULL CHECK (jsonb_typeof(results) = 'array'),
    passed            boolean     NOT NULL,
    checked_at        timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id)
);
CREATE INDEX quality_checks_by_order ON quality_checks (tenant_id, work_order_id, checked_at);

ALTER TABLE quality_checks ENABLE ROW LEVEL SECURITY;
ALTER TABLE quality_checks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON quality_checks
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON quality_checks TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON quality_checks TO pitstop_app;
