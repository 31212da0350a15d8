-- Public intake and tracking: what reaches Pitstop without an API key.
--
-- An intake link is a token a tenant prints as a QR code or puts behind its web form; a report
-- posted to it opens a work order with the link's channel, type and (optionally) shop or vehicle.
-- Tokens read <kind>_<tenant>_<secret>: the tenant part scopes the lookup under row-level
-- security, and only the secret part is stored here. Links are not secret from whoever sees the
-- printed code, so they are stored as they are (an admin can fetch the URL again to reprint it)
-- and revoked when misused.

CREATE TABLE intake_links (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    id         uuid        NOT NULL,
    secret     text        NOT NULL CHECK (secret ~ '^[a-z2-7]{32}$'),
    name       text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    channel    text        NOT NULL CHECK (channel IN ('web', 'qr')),
    type_id    uuid        NOT NULL,
    shop_id    uuid,
    -- A sticker in one car: every report through it is about this vehicle.
    vehicle_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT intake_links_secret UNIQUE (tenant_id, secret),
    FOREIGN KEY (tenant_id, type_id) REFERENCES work_order_types (tenant_id, id),
    FOREIGN KEY (tenant_id, shop_id) REFERENCES shops (tenant_id, id),
    FOREIGN KEY (tenant_id, vehicle_id) REFERENCES vehicles (tenant_id, id)
);
CREATE INDEX intake_links_newest_first ON intake_links (tenant_id, created_at DESC, id DESC);

ALTER TABLE intake_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE intake_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON intake_links
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON intake_links TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON intake_links TO pitstop_app;

-- Every new order gets a tracking secret; with the tenant part it is the token a customer follows
-- the order's status with. Orders made before this migration have none.
ALTER TABLE work_orders ADD COLUMN tracking_secret text CHECK (tracking_secret ~ '^[a-z2-7]{32}$');
CREATE UNIQUE INDEX work_orders_by_tracking_secret ON work_orders (tenant_id, tracking_secret)
    WHERE tracking_secret IS NOT NULL;

-- 'customer_message': a message from the customer (WeChat, intake) added to the open order.
ALTER TABLE work_order_events DROP CONSTRAINT work_order_events_kind_check;
ALTER TABLE work_order_events ADD CONSTRAINT work_order_events_kind_check
    CHECK (kind IN ('created', 'status_changed', 'updated', 'linked_report', 'customer_message'));
