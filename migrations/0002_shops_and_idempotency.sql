-- Shops (sites) of a chain, and the Idempotency-Key records that make creating POSTs safe to retry.

CREATE TABLE shops (
    tenant_id     uuid             NOT NULL REFERENCES tenants (id),
    id            uuid             NOT NULL,
    name          text             NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    address       text             NOT NULL DEFAULT '' CHECK (length(address) <= 500),
    latitude      double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude     double precision CHECK (longitude BETWEEN -180 AND 180),
    timezone      text             NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
    phone         text             CHECK (length(phone) <= 32),
    -- {"mon": [["08:30", "18:00"]], …}: validated by the API, stored as sent.
    opening_hours jsonb            NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(opening_hours) = 'object'),
    created_at    timestamptz      NOT NULL DEFAULT now(),
    updated_at    timestamptz      NOT NULL DEFAULT now(),
    version       integer          NOT NULL DEFAULT 1 CHECK (version > 0),
    PRIMARY KEY (tenant_id, id),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX shops_newest_first ON shops (tenant_id, created_at DESC, id DESC);

ALTER TABLE shops ENABLE ROW LEVEL SECURITY;
ALTER TABLE shops FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON shops
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON shops TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON shops TO pitstop_app;

-- A creating POST with an Idempotency-Key records the key in the same transaction as what it
-- creates; a retry with the same key and body gets the stored response, a different body a 422.
-- Concurrent requests with one key serialise on the primary key.
CREATE TABLE idempotency_keys (
    tenant_id     uuid        NOT NULL REFERENCES tenants (id),
    key           text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash  text        NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
    status        integer,
    response_body text,
    location      text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON idempotency_keys TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON idempotency_keys TO pitstop_app;
