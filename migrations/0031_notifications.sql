-- Notifications: the tenant's channels (DingTalk and WeCom group robots, Aliyun SMS, a generic
-- HTTP SMS gateway, its own webhook endpoints), one delivery per event and channel, and a log
-- line per attempt. Deliveries are made from the events the outbox holds, at least once, with
-- the event's id as the id receivers de-duplicate on.

CREATE TABLE notification_channels (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    id         uuid        NOT NULL,
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    kind       text        NOT NULL CHECK (kind IN ('dingtalk', 'wecom', 'aliyun_sms', 'http_sms', 'webhook')),
    url        text        NOT NULL CHECK (url ~ '^https?://'),
    -- The channel's secret sealed with AES-256-GCM under PITSTOP_SECRET_KEY (bound to the tenant);
    -- never returned by the API.
    secret_box bytea,
    -- Kind-specific, non-secret settings (Aliyun's AccessKey id, sign name and template; numbers
    -- to @-mention or text).
    settings   jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
    active     boolean     NOT NULL DEFAULT true,
    -- Robots take about 20 messages a minute: after a message to one, what else falls due for it
    -- waits until this moment and then goes as one digest.
    next_send_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version    integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE notification_deliveries (
    tenant_id       uuid        NOT NULL,
    id              uuid        NOT NULL,
    -- The outbox event's id: stable across attempts, sent as webhook-id.
    event_id        uuid        NOT NULL,
    channel_id      uuid        NOT NULL,
    topic           text        NOT NULL,
    -- What to send, rendered when the event happened: title, text, mentions, the event itself.
    message         jsonb       NOT NULL CHECK (jsonb_typeof(message) = 'object'),
    state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- When the next attempt may start; a worker sending it moves it on by its lease first, so a
    -- worker that dies mid-send leaves the delivery to the next one.
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    created_at      timestamptz NOT NULL,
    delivered_at    timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, event_id, channel_id),
    FOREIGN KEY (tenant_id, channel_id) REFERENCES notification_channels (tenant_id, id)
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notification_deliveries_newest ON notification_deliveries (tenant_id, created_at DESC, id DESC);

CREATE TABLE notification_attempts (
    tenant_id   uuid        NOT NULL,
    delivery_id uuid        NOT NULL,
    attempt     integer     NOT NULL CHECK (attempt >= 1),
    started_at  timestamptz NOT NULL,
    status_code integer,
    latency_ms  integer     NOT NULL,
    error       text,
    PRIMARY KEY (tenant_id, delivery_id, attempt),
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES notification_deliveries (tenant_id, id)
);

-- Escalation levels already sent for a breached clock (levels after the breach come later).
ALTER TABLE work_order_sla_clocks ADD COLUMN escalations_sent integer NOT NULL DEFAULT 0 CHECK (escalations_sent >= 0);

DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['notification_channels', 'notification_deliveries', 'notification_attempts'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', name);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', name);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id())', name);
        EXECUTE format('CREATE POLICY owner_access ON %I TO CURRENT_USER USING (true) WITH CHECK (true)', name);
    END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON notification_channels TO pitstop_app;
GRANT SELECT, INSERT, UPDATE ON notification_deliveries, notification_attempts TO pitstop_app;

-- The sender finds tenants with deliveries due without seeing their rows (ordered and limited
-- so the plan, made without knowing `at`, stays an index scan; see tenants_with_due_sla_clocks).
CREATE FUNCTION tenants_with_due_deliveries(at timestamptz) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT DISTINCT tenant_id FROM (
              SELECT tenant_id FROM public.notification_deliveries
              WHERE state = 'pending' AND next_attempt_at <= at ORDER BY next_attempt_at LIMIT 1000) AS due $$;
REVOKE ALL ON FUNCTION tenants_with_due_deliveries(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenants_with_due_deliveries(timestamptz) TO pitstop_app;
