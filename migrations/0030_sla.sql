-- SLA: business calendars, policies, and the clocks each order carries.
--
-- A calendar is a tenant's working week in a time zone, with public holidays and make-up working
-- days (调休). A policy covers the orders it matches (priorities, type, shop, customer tag; first
-- match by position, else the tenant's one default) and promises first response, arrival and
-- resolution times; its rules are stored whole as jsonb. Each order gets one clock per promised
-- target; the pause ledger keeps when the resolution clock stood still, so due times can always
-- be worked out again (after a priority change, say) without losing paused time.

CREATE TABLE sla_calendars (
    tenant_id     uuid        NOT NULL REFERENCES tenants (id),
    id            uuid        NOT NULL,
    name          text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    timezone      text        NOT NULL,
    -- ISO weekday ("1" Monday … "7" Sunday) → [[start minute, end minute], …].
    weekly        jsonb       NOT NULL CHECK (jsonb_typeof(weekly) = 'object'),
    holidays      date[]      NOT NULL DEFAULT '{}' CHECK (cardinality(holidays) <= 1000),
    make_up_days  date[]      NOT NULL DEFAULT '{}' CHECK (cardinality(make_up_days) <= 1000),
    -- [[start minute, end minute], …]; NULL: Monday's hours.
    make_up_hours jsonb       CHECK (make_up_hours IS NULL OR jsonb_typeof(make_up_hours) = 'array'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE sla_policies (
    tenant_id          uuid        NOT NULL REFERENCES tenants (id),
    id                 uuid        NOT NULL,
    name               text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    position           integer     NOT NULL CHECK (position >= 0),
    is_default         boolean     NOT NULL DEFAULT false,
    match_priorities   text[],
    match_type_id      uuid,
    match_shop_id      uuid,
    match_customer_tag text,
    calendar_id        uuid,
    rules              jsonb       NOT NULL CHECK (jsonb_typeof(rules) = 'object'),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    version            integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, calendar_id) REFERENCES sla_calendars (tenant_id, id),
    FOREIGN KEY (tenant_id, match_type_id) REFERENCES work_order_types (tenant_id, id),
    FOREIGN KEY (tenant_id, match_shop_id) REFERENCES shops (tenant_id, id)
);
CREATE UNIQUE INDEX sla_policies_one_default ON sla_policies (tenant_id) WHERE is_default;

CREATE TABLE work_order_sla_clocks (
    tenant_id        uuid        NOT NULL,
    work_order_id    uuid        NOT NULL,
    target           text        NOT NULL CHECK (target IN ('first_response', 'arrival', 'resolution')),
    policy_id        uuid        NOT NULL,
    state            text        NOT NULL CHECK (state IN ('running', 'paused', 'met', 'breached', 'stopped')),
    started_at       timestamptz NOT NULL,
    -- NULL while paused: a clock standing still has no due time.
    due_at           timestamptz,
    original_due_at  timestamptz,
    warnings         timestamptz[] NOT NULL DEFAULT '{}',
    warnings_sent    integer     NOT NULL DEFAULT 0 CHECK (warnings_sent >= 0),
    met_at           timestamptz,
    breached_at      timestamptz,
    -- The next warning or breach the worker must act on; NULL when nothing is pending.
    next_check_at    timestamptz,
    PRIMARY KEY (tenant_id, work_order_id, target),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id),
    FOREIGN KEY (tenant_id, policy_id) REFERENCES sla_policies (tenant_id, id)
);
-- The worker's sweep: only clocks with something pending, earliest first, across tenants.
CREATE INDEX work_order_sla_clocks_next_check ON work_order_sla_clocks (next_check_at) WHERE next_check_at IS NOT NULL;
-- "Breached" and "breaching within N minutes" filters.
CREATE INDEX work_order_sla_clocks_open_by_due ON work_order_sla_clocks (tenant_id, due_at) WHERE state IN ('running', 'breached');

CREATE TABLE work_order_sla_pauses (
    tenant_id     uuid        NOT NULL,
    work_order_id uuid        NOT NULL,
    started_at    timestamptz NOT NULL,
    ended_at      timestamptz CHECK (ended_at IS NULL OR ended_at >= started_at),
    status        text        NOT NULL,
    PRIMARY KEY (tenant_id, work_order_id, started_at),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id)
);

DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['sla_calendars', 'sla_policies', 'work_order_sla_clocks', 'work_order_sla_pauses'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', name);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', name);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id())', name);
        EXECUTE format('CREATE POLICY owner_access ON %I TO CURRENT_USER USING (true) WITH CHECK (true)', name);
    END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON sla_calendars, sla_policies TO pitstop_app;
GRANT SELECT, INSERT, UPDATE ON work_order_sla_clocks, work_order_sla_pauses TO pitstop_app;

-- The worker's sweep runs as the app role, which sees one tenant at a time; this reveals only
-- which tenants have a warning or breach due, through the partial index above, so an idle sweep
-- costs the same with a thousand open orders or ten million. The function's query is planned
-- without knowing `at`; ORDER BY and LIMIT keep that plan an index scan that stops at the first
-- clock not due (a bare range on a parameter is planned as a scan of the whole table). Tenants
-- beyond the earliest thousand due clocks come in the next round.
CREATE FUNCTION tenants_with_due_sla_clocks(at timestamptz) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT DISTINCT tenant_id FROM (
              SELECT tenant_id FROM public.work_order_sla_clocks
              WHERE next_check_at <= at ORDER BY next_check_at LIMIT 1000) AS due $$;
REVOKE ALL ON FUNCTION tenants_with_due_sla_clocks(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenants_with_due_sla_clocks(timestamptz) TO pitstop_app;

-- 'sla_warning', 'sla_breached' and 'sla_escalated' (a later breach level): written by the worker's sweep.
ALTER TABLE work_order_events DROP CONSTRAINT work_order_events_kind_check;
ALTER TABLE work_order_events ADD CONSTRAINT work_order_events_kind_check
    CHECK (kind IN ('created', 'status_changed', 'updated', 'linked_report', 'customer_message', 'pooled', 'unpooled', 'transferred',
                    'dispatch_exhausted', 'checked_in', 'checked_out', 'report_saved', 'parts_requested', 'parts_decided',
                    'transfer_requested', 'sla_warning', 'sla_breached', 'sla_escalated'));
