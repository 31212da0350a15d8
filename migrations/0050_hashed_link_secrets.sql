-- The secrets of public links are kept as SHA-256 hashes only, as API keys are: a copy of the
-- database no longer opens customers' tracking pages, signs their reports or files reports
-- through a shop's intake link. A link is shown in full once, when it is made.
--
-- An order may have several tracking links (a new one when a link is lost, or for a message
-- sent later); each is one row here. The order's first link moves here from work_orders.
CREATE TABLE tracking_links (
    tenant_id     uuid        NOT NULL,
    secret_sha256 text        NOT NULL CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
    work_order_id uuid        NOT NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, secret_sha256),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id)
);
CREATE INDEX tracking_links_by_order ON tracking_links (tenant_id, work_order_id);
ALTER TABLE tracking_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE tracking_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tracking_links USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON tracking_links TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON tracking_links TO pitstop_app;

INSERT INTO tracking_links (tenant_id, secret_sha256, work_order_id, created_at)
SELECT tenant_id, encode(sha256(convert_to(tracking_secret, 'UTF8')), 'hex'), id, created_at FROM work_orders WHERE tracking_secret IS NOT NULL;
DROP INDEX work_orders_by_tracking_secret;
ALTER TABLE work_orders DROP COLUMN tracking_secret;

ALTER TABLE acceptance_links ADD COLUMN secret_sha256 text;
UPDATE acceptance_links SET secret_sha256 = encode(sha256(convert_to(secret, 'UTF8')), 'hex');
ALTER TABLE acceptance_links DROP CONSTRAINT acceptance_links_pkey;
ALTER TABLE acceptance_links DROP COLUMN secret;
ALTER TABLE acceptance_links ALTER COLUMN secret_sha256 SET NOT NULL,
    ADD CONSTRAINT acceptance_links_secret_sha256_check CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
    ADD PRIMARY KEY (tenant_id, secret_sha256);

ALTER TABLE intake_links ADD COLUMN secret_sha256 text;
UPDATE intake_links SET secret_sha256 = encode(sha256(convert_to(secret, 'UTF8')), 'hex');
ALTER TABLE intake_links DROP CONSTRAINT intake_links_secret;
ALTER TABLE intake_links DROP COLUMN secret;
ALTER TABLE intake_links ALTER COLUMN secret_sha256 SET NOT NULL,
    ADD CONSTRAINT intake_links_secret_sha256_check CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
    ADD CONSTRAINT intake_links_secret UNIQUE (tenant_id, secret_sha256);
