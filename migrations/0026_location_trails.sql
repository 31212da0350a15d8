-- While an engineer works an order (accepted until completed), each kept position ping is also
-- added to that order's trail, so a dispatcher can see the way there and back. Positions outside
-- an order are not kept beyond the latest (on the engineer's row).
CREATE TABLE location_trail (
    tenant_id     uuid             NOT NULL,
    work_order_id uuid             NOT NULL,
    engineer_id   uuid             NOT NULL,
    at            timestamptz      NOT NULL,
    latitude      double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude     double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    PRIMARY KEY (tenant_id, work_order_id, at, engineer_id),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id),
    FOREIGN KEY (tenant_id, engineer_id) REFERENCES engineers (tenant_id, id)
);

ALTER TABLE location_trail ENABLE ROW LEVEL SECURITY;
ALTER TABLE location_trail FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON location_trail
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON location_trail TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON location_trail TO pitstop_app;
