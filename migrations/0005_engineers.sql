-- Engineers: the people dispatch sends out. Skills and shop memberships are rows of their own so
-- dispatch can filter on them with indexes ("holds skill X at level ≥ 3", "works at shop Y").

CREATE TABLE engineers (
    tenant_id      uuid             NOT NULL REFERENCES tenants (id),
    id             uuid             NOT NULL,
    name           text             NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    phone          text             CHECK (length(phone) BETWEEN 8 AND 16),
    certifications text[]           NOT NULL DEFAULT '{}' CHECK (cardinality(certifications) <= 20),
    active         boolean          NOT NULL DEFAULT true,
    status         text             NOT NULL DEFAULT 'off_duty' CHECK (status IN ('off_duty', 'available', 'busy')),
    latitude       double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude      double precision CHECK (longitude BETWEEN -180 AND 180),
    located_at     timestamptz,
    created_at     timestamptz      NOT NULL DEFAULT now(),
    updated_at     timestamptz      NOT NULL DEFAULT now(),
    version        integer          NOT NULL DEFAULT 1 CHECK (version > 0),
    PRIMARY KEY (tenant_id, id),
    CHECK ((latitude IS NULL) = (longitude IS NULL) AND (latitude IS NULL) = (located_at IS NULL))
);
CREATE INDEX engineers_newest_first ON engineers (tenant_id, created_at DESC, id DESC);

CREATE TABLE engineer_skills (
    tenant_id   uuid    NOT NULL,
    engineer_id uuid    NOT NULL,
    skill       text    NOT NULL CHECK (skill ~ '^[a-z][a-z0-9_]{0,63}$'),
    level       integer NOT NULL CHECK (level BETWEEN 1 AND 5),
    PRIMARY KEY (tenant_id, engineer_id, skill),
    FOREIGN KEY (tenant_id, engineer_id) REFERENCES engineers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX engineer_skills_by_skill ON engineer_skills (tenant_id, skill, level);

CREATE TABLE engineer_shops (
    tenant_id   uuid NOT NULL,
    engineer_id uuid NOT NULL,
    shop_id     uuid NOT NULL,
    PRIMARY KEY (tenant_id, engineer_id, shop_id),
    FOREIGN KEY (tenant_id, engineer_id) REFERENCES engineers (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, shop_id) REFERENCES shops (tenant_id, id)
);
CREATE INDEX engineer_shops_by_shop ON engineer_shops (tenant_id, shop_id);

ALTER TABLE engineers ENABLE ROW LEVEL SECURITY;
ALTER TABLE engineers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON engineers USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON engineers TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON engineers TO pitstop_app;

ALTER TABLE engineer_skills ENABLE ROW LEVEL SECURITY;
ALTER TABLE engineer_skills FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON engineer_skills USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON engineer_skills TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON engineer_skills TO pitstop_app;

ALTER TABLE engineer_shops ENABLE ROW LEVEL SECURITY;
ALTER TABLE engineer_shops FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON engineer_shops USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON engineer_shops TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON engineer_shops TO pitstop_app;
