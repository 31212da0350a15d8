-- Check-in and check-out: the engineer's arrival at the job (the shop, or the customer's place
-- for on-site work) with the GPS position, its distance to the expected place, and a flag when it
-- is farther than the policy's check-in radius. Arrival is what the SLA arrival clock measures.
CREATE TABLE work_order_visits (
    tenant_id        uuid             NOT NULL,
    id               uuid             NOT NULL,
    work_order_id    uuid             NOT NULL,
    engineer_id      uuid             NOT NULL,
    checked_in_at    timestamptz      NOT NULL,
    in_latitude      double precision NOT NULL CHECK (in_latitude BETWEEN -90 AND 90),
    in_longitude     double precision NOT NULL CHECK (in_longitude BETWEEN -180 AND 180),
    -- NULL when the order has no expected place (no site and a shop without a location).
    in_distance_m    integer          CHECK (in_distance_m >= 0),
    outside_radius   boolean          NOT NULL DEFAULT false,
    checked_out_at   timestamptz,
    out_latitude     double precision CHECK (out_latitude BETWEEN -90 AND 90),
    out_longitude    double precision CHECK (out_longitude BETWEEN -180 AND 180),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id),
    FOREIGN KEY (tenant_id, engineer_id) REFERENCES engineers (tenant_id, id),
    CHECK ((checked_out_at IS NULL) = (out_latitude IS NULL) AND (out_latitude IS NULL) = (out_longitude IS NULL))
);
-- One visit open at a time per order.
CREATE UNIQUE INDEX work_order_visits_one_open ON work_order_visits (tenant_id, work_order_id) WHERE checked_out_at IS NULL;
CREATE INDEX work_order_visits_by_order ON work_order_visits (tenant_id, work_order_id, checked_in_at);

ALTER TABLE work_order_visits ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_order_visits FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON work_order_visits
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON work_order_visits TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON work_order_visits TO pitstop_app;

ALTER TABLE work_order_events DROP CONSTRAINT work_order_events_kind_check;
ALTER TABLE work_order_events ADD CONSTRAINT work_order_events_kind_check
    CHECK (kind IN ('created', 'status_changed', 'updated', 'linked_report', 'customer_message', 'pooled', 'unpooled', 'transferred',
                    'dispatch_exhausted', 'checked_in', 'checked_out'));
