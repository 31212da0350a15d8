-- Work orders, their timeline, the per-day number counters, and the transactional outbox.
--
-- A state change, its timeline entry and the events it causes are written in one transaction;
-- the worker delivers outbox rows at least once, and receivers de-duplicate on the event id.

CREATE TABLE work_order_counters (
    tenant_id   uuid    NOT NULL REFERENCES tenants (id),
    day         date    NOT NULL,
    last_number integer NOT NULL CHECK (last_number > 0),
    PRIMARY KEY (tenant_id, day)
);

CREATE TABLE work_orders (
    tenant_id         uuid             NOT NULL REFERENCES tenants (id),
    id                uuid             NOT NULL,
    number            text             NOT NULL CHECK (number ~ '^WO-[0-9]{8}-[0-9]{4,}$'),
    channel           text             NOT NULL CHECK (channel IN ('phone', 'app', 'wechat', 'web', 'qr', 'api')),
    type_id           uuid             NOT NULL,
    priority          text             NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    status            text             NOT NULL CHECK (status IN ('new', 'assigned', 'accepted', 'diagnosing', 'awaiting_parts',
                                                                  'repairing', 'quality_check', 'awaiting_acceptance',
                                                                  'completed', 'cancelled', 'reopened')),
    customer_id       uuid             NOT NULL,
    vehicle_id        uuid,
    shop_id           uuid,
    assignee_id       uuid,
    description       text             NOT NULL CHECK (length(btrim(description)) BETWEEN 1 AND 5000),
    symptoms          text[]           NOT NULL DEFAULT '{}' CHECK (cardinality(symptoms) <= 20),
    -- Where an on-site job (roadside rescue, mobile service) takes place.
    site_latitude     double precision CHECK (site_latitude BETWEEN -90 AND 90),
    site_longitude    double precision CHECK (site_longitude BETWEEN -180 AND 180),
    site_address      text             CHECK (length(site_address) <= 500),
    custom_fields     jsonb            NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(custom_fields) = 'object'),
    cancel_reason     text             CHECK (length(cancel_reason) <= 1000),
    created_at        timestamptz      NOT NULL DEFAULT now(),
    updated_at        timestamptz      NOT NULL DEFAULT now(),
    status_changed_at timestamptz      NOT NULL DEFAULT now(),
    completed_at      timestamptz,
    cancelled_at      timestamptz,
    version           integer          NOT NULL DEFAULT 1 CHECK (version > 0),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT work_orders_number UNIQUE (tenant_id, number),
    FOREIGN KEY (tenant_id, type_id) REFERENCES work_order_types (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    FOREIGN KEY (tenant_id, vehicle_id) REFERENCES vehicles (tenant_id, id),
    FOREIGN KEY (tenant_id, shop_id) REFERENCES shops (tenant_id, id),
    FOREIGN KEY (tenant_id, assignee_id) REFERENCES engineers (tenant_id, id),
    CHECK ((site_latitude IS NULL) = (site_longitude IS NULL)),
    CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL))
);
CREATE INDEX work_orders_newest_first ON work_orders (tenant_id, created_at DESC, id DESC);
CREATE INDEX work_orders_by_status ON work_orders (tenant_id, status, created_at DESC, id DESC);
CREATE INDEX work_orders_by_customer ON work_orders (tenant_id, customer_id, created_at DESC);
CREATE INDEX work_orders_by_vehicle ON work_orders (tenant_id, vehicle_id, created_at DESC) WHERE vehicle_id IS NOT NULL;
CREATE INDEX work_orders_by_assignee ON work_orders (tenant_id, assignee_id, status) WHERE assignee_id IS NOT NULL;

CREATE TABLE work_order_events (
    tenant_id     uuid        NOT NULL,
    id            uuid        NOT NULL,
    work_order_id uuid        NOT NULL,
    occurred_at   timestamptz NOT NULL DEFAULT now(),
    -- The API key that acted; NULL for the system (worker, time-outs).
    actor_key_id  uuid,
    kind          text        NOT NULL CHECK (kind IN ('created', 'status_changed')),
    from_status   text,
    to_status     text        NOT NULL,
    note          text        CHECK (length(note) <= 2000),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id)
);
CREATE INDEX work_order_events_by_order ON work_order_events (tenant_id, work_order_id, occurred_at, id);

CREATE TABLE outbox (
    tenant_id    uuid        NOT NULL REFERENCES tenants (id),
    -- The event id receivers de-duplicate on; stable across delivery attempts.
    id           uuid        NOT NULL,
    topic        text        NOT NULL CHECK (topic ~ '^[a-z_]+\.[a-z_]+$'),
    aggregate_id uuid        NOT NULL,
    payload      jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    available_at timestamptz NOT NULL DEFAULT now(),
    attempts     integer     NOT NULL DEFAULT 0,
    delivered_at timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbox_pending ON outbox (available_at) WHERE delivered_at IS NULL;

ALTER TABLE work_order_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_order_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON work_order_counters USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON work_order_counters TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON work_order_counters TO pitstop_app;

ALTER TABLE work_orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_orders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON work_orders USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON work_orders TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON work_orders TO pitstop_app;

ALTER TABLE work_order_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_order_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON work_order_events USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON work_order_events TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON work_order_events TO pitstop_app;

ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON outbox USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON outbox TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON outbox TO pitstop_app;
