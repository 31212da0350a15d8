-- A link the customer signs the repair report through, when they are not beside the engineer:
-- token <kind>_<tenant>_<secret>, valid for a week while the order awaits acceptance.
CREATE TABLE acceptance_links (
    tenant_id     uuid        NOT NULL,
    secret        text        NOT NULL CHECK (secret ~ '^[a-z2-7]{32}$'),
    work_order_id uuid        NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, secret),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id)
);

ALTER TABLE acceptance_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE acceptance_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON acceptance_links
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON acceptance_links TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON acceptance_links TO pitstop_app;
