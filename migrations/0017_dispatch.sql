-- Dispatch: the policies that pick engineers, and every assignment with the reasons for it.
--
-- A policy applies to the whole tenant, one shop, one kind of job, or one kind of job at one
-- shop; the most specific one that matches an order wins. Its rules are stored whole as jsonb:
-- they are read and written together and never queried field by field.

CREATE TABLE dispatch_policies (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    id         uuid        NOT NULL,
    shop_id    uuid,
    type_id    uuid,
    rules      jsonb       NOT NULL CHECK (jsonb_typeof(rules) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version    integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, shop_id) REFERENCES shops (tenant_id, id),
    FOREIGN KEY (tenant_id, type_id) REFERENCES work_order_types (tenant_id, id)
);
-- One policy per scope (NULL, the "any" scope, compared as a value).
CREATE UNIQUE INDEX dispatch_policies_scope ON dispatch_policies (
    tenant_id, coalesce(shop_id, '00000000-0000-0000-0000-000000000000'), coalesce(type_id, '00000000-0000-0000-0000-000000000000'));

-- Every time an order was given to an engineer: how (auto, direct, transfer, claim), by whom,
-- and for automatic ones the candidates considered with each criterion's rating, so a dispatcher
-- can ask why this engineer. Also what fairness counts ("orders assigned today").
CREATE TABLE dispatch_assignments (
    tenant_id     uuid        NOT NULL,
    id            uuid        NOT NULL,
    work_order_id uuid        NOT NULL,
    engineer_id   uuid        NOT NULL,
    mode          text        NOT NULL CHECK (mode IN ('auto', 'direct', 'transfer', 'claim')),
    actor_key_id  uuid,
    reason        text        CHECK (length(reason) <= 1000),
    assigned_at   timestamptz NOT NULL DEFAULT now(),
    rules         jsonb,
    considered    integer     NOT NULL DEFAULT 0 CHECK (considered >= 0),
    excluded      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    candidates    jsonb       NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(candidates) = 'array'),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id),
    FOREIGN KEY (tenant_id, engineer_id) REFERENCES engineers (tenant_id, id)
);
CREATE INDEX dispatch_assignments_by_order ON dispatch_assignments (tenant_id, work_order_id, assigned_at DESC);
CREATE INDEX dispatch_assignments_by_engineer ON dispatch_assignments (tenant_id, engineer_id, assigned_at);

ALTER TABLE dispatch_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE dispatch_policies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON dispatch_policies
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON dispatch_policies TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON dispatch_policies TO pitstop_app;

ALTER TABLE dispatch_assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE dispatch_assignments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON dispatch_assignments
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON dispatch_assignments TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON dispatch_assignments TO pitstop_app;
