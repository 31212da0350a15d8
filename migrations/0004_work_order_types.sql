-- Work-order types (accident repair, maintenance, roadside rescue, …) and the custom fields each
-- declares. A template is stored whole with its type; orders keep the values they were saved
-- with, so editing a template never rewrites an order.

CREATE TABLE work_order_types (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    id         uuid        NOT NULL,
    code       text        NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{0,63}$'),
    name       text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    template   jsonb       NOT NULL DEFAULT '{"fields": []}'::jsonb CHECK (jsonb_typeof(template -> 'fields') = 'array'),
    active     boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version    integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT work_order_types_code UNIQUE (tenant_id, code)
);
CREATE INDEX work_order_types_newest_first ON work_order_types (tenant_id, created_at DESC, id DESC);

ALTER TABLE work_order_types ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_order_types FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON work_order_types
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON work_order_types TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON work_order_types TO pitstop_app;
