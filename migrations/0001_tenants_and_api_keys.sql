-- Foundation: the app role, tenants, tenant API keys and platform keys.
--
-- Run by the owner role (pitstop-admin migrate). The app role owns nothing, is no superuser and
-- cannot bypass row-level security; it gets exactly the rights granted here. A deployment that
-- logs in under another name makes that login a member of pitstop_app.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pitstop_app') THEN
        CREATE ROLE pitstop_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO pitstop_app;
GRANT SELECT ON schema_migrations TO pitstop_app;

-- The tenant a transaction works for, or NULL when none was set: every policy compares with
-- this, so a query without a tenant matches no row.
CREATE FUNCTION current_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

CREATE TABLE tenants (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    timezone    text        NOT NULL DEFAULT 'Asia/Shanghai' CHECK (length(timezone) BETWEEN 1 AND 64),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer     NOT NULL DEFAULT 1
);

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (id = current_tenant_id())
    WITH CHECK (id = current_tenant_id());
-- The owner (the role running this file) administers all tenants from pitstop-admin.
CREATE POLICY owner_access ON tenants TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON tenants TO pitstop_app;

-- A key is shown once; only the SHA-256 of the whole key is stored. The key text carries the
-- tenant id and the prefix, so lookup is by primary-key-adjacent (tenant_id, prefix) under the
-- tenant's own row-level security, and the table distributes by tenant_id.
CREATE TABLE api_keys (
    tenant_id     uuid        NOT NULL REFERENCES tenants (id),
    id            uuid        NOT NULL,
    prefix        text        NOT NULL CHECK (prefix ~ '^[a-z2-7]{8}$'),
    secret_sha256 text        NOT NULL CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
    name          text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    role          text        NOT NULL CHECK (role IN ('admin', 'dispatcher', 'engineer', 'integration', 'readonly')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, prefix)
);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON api_keys TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON api_keys TO pitstop_app;

-- Platform keys belong to the operator, not to a tenant: they may create tenants and nothing
-- inside one. The app role can read them to authenticate and stamp last use, nothing more.
CREATE TABLE platform_keys (
    id            uuid        PRIMARY KEY,
    prefix        text        NOT NULL UNIQUE CHECK (prefix ~ '^[a-z2-7]{8}$'),
    secret_sha256 text        NOT NULL CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
    name          text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
GRANT SELECT, UPDATE (last_used_at) ON platform_keys TO pitstop_app;
