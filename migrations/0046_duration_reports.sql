-- Response, arrival and resolution times: each order's durations from report to acceptance, to
-- the first check-in and to completion, in business time on its SLA policy's calendar where the
-- policy counts that target in business time (otherwise every minute counts), kept per order
-- and gathered per day of the end (tenant × day × shop × channel × type), so a report gets
-- averages and exact medians and 90th percentiles.
CREATE TABLE report_order_durations (
    tenant_id              uuid        NOT NULL,
    work_order_id          uuid        NOT NULL,
    first_response_at      timestamptz,
    first_response_minutes integer     CHECK (first_response_minutes >= 0),
    arrival_at             timestamptz,
    arrival_minutes        integer     CHECK (arrival_minutes >= 0),
    resolution_at          timestamptz,
    resolution_minutes     integer     CHECK (resolution_minutes >= 0),
    PRIMARY KEY (tenant_id, work_order_id),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id)
);
CREATE INDEX report_order_durations_response ON report_order_durations (tenant_id, first_response_at) WHERE first_response_at IS NOT NULL;
CREATE INDEX report_order_durations_arrival ON report_order_durations (tenant_id, arrival_at) WHERE arrival_at IS NOT NULL;
CREATE INDEX report_order_durations_resolution ON report_order_durations (tenant_id, resolution_at) WHERE resolution_at IS NOT NULL;

CREATE TABLE report_daily_durations (
    tenant_id uuid      NOT NULL REFERENCES tenants (id),
    day       date      NOT NULL,
    shop_id   uuid      NOT NULL,
    channel   text      NOT NULL,
    type_id   uuid      NOT NULL,
    measure   text      NOT NULL CHECK (measure IN ('first_response', 'arrival', 'resolution')),
    minutes   integer[] NOT NULL,
    PRIMARY KEY (tenant_id, day, shop_id, channel, type_id, measure)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['report_order_durations', 'report_daily_durations'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id())', t);
        EXECUTE format('CREATE POLICY owner_access ON %I TO CURRENT_USER USING (true) WITH CHECK (true)', t);
    END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON report_order_durations, report_daily_durations TO pitstop_app;
