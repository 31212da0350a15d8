-- Offers: an automatically chosen engineer must accept within the policy's time. A decline (with
-- its reason) or a time-out passes the order to the next candidate, never to the same engineer
-- twice for one order; after the policy's rounds it goes to the grab pool or to the dispatchers.
CREATE TABLE dispatch_offers (
    tenant_id      uuid        NOT NULL,
    id             uuid        NOT NULL,
    work_order_id  uuid        NOT NULL,
    engineer_id    uuid        NOT NULL,
    round          integer     NOT NULL CHECK (round >= 1),
    offered_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    state          text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'declined', 'expired', 'withdrawn')),
    answered_at    timestamptz,
    decline_reason text        CHECK (length(decline_reason) <= 1000),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id),
    FOREIGN KEY (tenant_id, engineer_id) REFERENCES engineers (tenant_id, id),
    CHECK ((state = 'pending') = (answered_at IS NULL))
);
CREATE UNIQUE INDEX dispatch_offers_one_pending ON dispatch_offers (tenant_id, work_order_id) WHERE state = 'pending';
CREATE INDEX dispatch_offers_by_order ON dispatch_offers (tenant_id, work_order_id, round);
-- For the worker's sweep: pending offers by deadline, whatever the tenant.
CREATE INDEX dispatch_offers_due ON dispatch_offers (expires_at) WHERE state = 'pending';

ALTER TABLE dispatch_offers ENABLE ROW LEVEL SECURITY;
ALTER TABLE dispatch_offers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON dispatch_offers
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON dispatch_offers TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON dispatch_offers TO pitstop_app;

-- The worker holds no tenant: this tells it which tenants have offers past their deadline, and
-- nothing else; it then handles them inside each tenant's own scope, row-level security and all.
CREATE FUNCTION tenants_with_expired_offers(at timestamptz) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT DISTINCT tenant_id FROM public.dispatch_offers WHERE state = 'pending' AND expires_at <= at $$;
REVOKE ALL ON FUNCTION tenants_with_expired_offers(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenants_with_expired_offers(timestamptz) TO pitstop_app;

-- 'dispatch_exhausted': every round was declined or timed out and the policy leaves the order to
-- the dispatchers (its note says so).
ALTER TABLE work_order_events DROP CONSTRAINT work_order_events_kind_check;
ALTER TABLE work_order_events ADD CONSTRAINT work_order_events_kind_check
    CHECK (kind IN ('created', 'status_changed', 'updated', 'linked_report', 'customer_message', 'pooled', 'unpooled', 'transferred',
                    'dispatch_exhausted'));
