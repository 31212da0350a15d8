-- The waits that ended on each day counted by their length in minutes, over all shops, channels
-- and types: the times report by day, week or month without a shop reads a few hundred rows a day
-- from here instead of every order's wait (report_daily_durations keeps them per group, for
-- reports by shop, channel or type).
CREATE TABLE report_daily_waits (
    tenant_id uuid    NOT NULL REFERENCES tenants (id),
    day       date    NOT NULL,
    measure   text    NOT NULL CHECK (measure IN ('first_response', 'arrival', 'resolution')),
    minutes   integer NOT NULL CHECK (minutes >= 0),
    waits     integer NOT NULL CHECK (waits > 0),
    PRIMARY KEY (tenant_id, day, measure, minutes)
);

SELECT make_tenant_table('report_daily_waits');

INSERT INTO report_daily_waits (tenant_id, day, measure, minutes, waits)
SELECT r.tenant_id, r.day, r.measure, m, count(*) FROM report_daily_durations r, unnest(r.minutes) AS m GROUP BY 1, 2, 3, 4;
