-- Customers and their vehicles. Intake channels match on phone, WeChat openid, external id,
-- plate and VIN instead of creating duplicates, so those are indexed (and unique where they
-- identify one record).

CREATE TABLE customers (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id),
    id             uuid        NOT NULL,
    name           text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    -- Normalised: 11-digit mainland mobiles, or +E.164 for numbers abroad.
    phones         text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(phones) <= 5),
    wechat_openid  text        CHECK (length(wechat_openid) BETWEEN 1 AND 64),
    wechat_unionid text        CHECK (length(wechat_unionid) BETWEEN 1 AND 64),
    email          text        CHECK (length(email) BETWEEN 3 AND 254),
    tags           text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
    -- The customer's id in the chain's CRM.
    external_id    text        CHECK (length(external_id) BETWEEN 1 AND 100),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    version        integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX customers_external_id ON customers (tenant_id, external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX customers_wechat_openid ON customers (tenant_id, wechat_openid) WHERE wechat_openid IS NOT NULL;
CREATE INDEX customers_phones ON customers USING gin (phones);
CREATE INDEX customers_newest_first ON customers (tenant_id, created_at DESC, id DESC);

ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customers
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON customers TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON customers TO pitstop_app;

CREATE TABLE vehicles (
    tenant_id       uuid        NOT NULL REFERENCES tenants (id),
    id              uuid        NOT NULL,
    customer_id     uuid        NOT NULL,
    vin             text        CHECK (vin ~ '^[0-9A-HJ-NPR-Z]{17}$'),
    plate           text        CHECK (length(plate) BETWEEN 7 AND 8),
    make            text        CHECK (length(make) <= 100),
    model           text        CHECK (length(model) <= 100),
    year            integer     CHECK (year BETWEEN 1950 AND 2100),
    colour          text        CHECK (length(colour) <= 50),
    mileage_km      integer     CHECK (mileage_km BETWEEN 0 AND 5000000),
    mileage_read_on date,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    CONSTRAINT vehicles_identified CHECK (vin IS NOT NULL OR plate IS NOT NULL)
);
CREATE UNIQUE INDEX vehicles_vin ON vehicles (tenant_id, vin) WHERE vin IS NOT NULL;
CREATE UNIQUE INDEX vehicles_plate ON vehicles (tenant_id, plate) WHERE plate IS NOT NULL;
CREATE INDEX vehicles_by_customer ON vehicles (tenant_id, customer_id);
CREATE INDEX vehicles_newest_first ON vehicles (tenant_id, created_at DESC, id DESC);

ALTER TABLE vehicles ENABLE ROW LEVEL SECURITY;
ALTER TABLE vehicles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON vehicles
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON vehicles TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON vehicles TO pitstop_app;
