-- Photos and videos the engineer takes for an order. The bytes are files in a content-addressed
-- store under PITSTOP_DATA_DIR (named by their SHA-256, per tenant); this is what is known about
-- them. Uploads are never edited, so rows are only inserted.
CREATE TABLE work_order_media (
    tenant_id     uuid        NOT NULL,
    id            uuid        NOT NULL,
    work_order_id uuid        NOT NULL,
    content_type  text        NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/heic', 'video/mp4', 'video/quicktime')),
    size_bytes    bigint      NOT NULL CHECK (size_bytes > 0),
    sha256        text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    engineer_id   uuid,
    uploaded_by   uuid,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    -- Lets a report's photos be required to be of the report's order.
    UNIQUE (tenant_id, work_order_id, id),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id),
    FOREIGN KEY (tenant_id, engineer_id) REFERENCES engineers (tenant_id, id)
);

ALTER TABLE work_order_media ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_order_media FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON work_order_media
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON work_order_media TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON work_order_media TO pitstop_app;

-- The before and after photos of one report version, in the order the engineer chose. A photo
-- belongs to the report's own order: the foreign key to it includes work_order_id.
CREATE TABLE work_order_report_photos (
    tenant_id      uuid    NOT NULL,
    work_order_id  uuid    NOT NULL,
    report_version integer NOT NULL,
    stage          text    NOT NULL CHECK (stage IN ('before', 'after')),
    position       integer NOT NULL CHECK (position >= 0),
    media_id       uuid    NOT NULL,
    PRIMARY KEY (tenant_id, work_order_id, report_version, stage, position),
    FOREIGN KEY (tenant_id, work_order_id, report_version) REFERENCES work_order_reports (tenant_id, work_order_id, version),
    FOREIGN KEY (tenant_id, work_order_id, media_id) REFERENCES work_order_media (tenant_id, work_order_id, id)
);

ALTER TABLE work_order_report_photos ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_order_report_photos FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON work_order_report_photos
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON work_order_report_photos TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON work_order_report_photos TO pitstop_app;
