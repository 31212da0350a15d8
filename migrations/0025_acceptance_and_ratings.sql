-- The customer's acceptance and rating.
--   work_order_acceptances  the customer signs the repair report on the engineer's phone: a PNG
--                           or SVG signature, the signer's name and time, bound to the SHA-256 of
--                           the exact report version shown. From then on that report is final,
--                           and the order is completed. One acceptance per order.
--   work_order_ratings      1 to 5 and a comment, once per order, from the customer's tracking link.
CREATE TABLE work_order_acceptances (
    tenant_id        uuid        NOT NULL,
    work_order_id    uuid        NOT NULL,
    report_version   integer     NOT NULL,
    report_sha256    text        NOT NULL CHECK (report_sha256 ~ '^[0-9a-f]{64}$'),
    signer_name      text        NOT NULL CHECK (length(btrim(signer_name)) BETWEEN 1 AND 100),
    signature_type   text        NOT NULL CHECK (signature_type IN ('image/png', 'image/svg+xml')),
    signature        bytea       NOT NULL CHECK (length(signature) BETWEEN 1 AND 262144),
    signed_at        timestamptz NOT NULL,
    actor_key_id     uuid,
    PRIMARY KEY (tenant_id, work_order_id),
    FOREIGN KEY (tenant_id, work_order_id, report_version) REFERENCES work_order_reports (tenant_id, work_order_id, version)
);

CREATE TABLE work_order_ratings (
    tenant_id     uuid        NOT NULL,
    work_order_id uuid        NOT NULL,
    score         integer     NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment       text        CHECK (length(comment) <= 1000),
    rated_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, work_order_id),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id)
);

ALTER TABLE work_order_acceptances ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_order_acceptances FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON work_order_acceptances
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON work_order_acceptances TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON work_order_acceptances TO pitstop_app;

ALTER TABLE work_order_ratings ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_order_ratings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON work_order_ratings
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON work_order_ratings TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON work_order_ratings TO pitstop_app;
