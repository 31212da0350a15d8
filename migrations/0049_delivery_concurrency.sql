-- Deliveries sent concurrently and fairly (PitstopJobs/DeliverySender):
-- * a warning that went stale before it was sent (its clock breached or was met) is `skipped`;
-- * the attempt log says what each try came to, throttles and abandoned sends included (those
--   do not count against a delivery's attempts, so the log numbers its tries itself);
-- * pending deliveries are found per tenant and per channel through indexes of their own, and
--   the tenants with any waiting are listed by a skip scan, one index probe a tenant, so that one
--   tenant's backlog of thousands never hides another tenant's single delivery;
-- * the sweeps find their tenants the same way: the earlier functions read the first thousand
--   due rows of all tenants, so a tenant with more than a thousand due clocks, offers or events
--   to relay hid every other tenant until its backlog had drained.
ALTER TABLE notification_deliveries DROP CONSTRAINT notification_deliveries_state_check,
    ADD CONSTRAINT notification_deliveries_state_check CHECK (state IN ('pending', 'delivered', 'dead', 'skipped'));

ALTER TABLE notification_attempts
    ADD COLUMN outcome text CHECK (outcome IN ('delivered', 'failed', 'throttled', 'rejected', 'abandoned'));

CREATE INDEX notification_deliveries_pending_by_tenant ON notification_deliveries (tenant_id, next_attempt_at) WHERE state = 'pending';
CREATE INDEX notification_deliveries_pending_by_channel ON notification_deliveries (tenant_id, channel_id, next_attempt_at)
    WHERE state = 'pending';

CREATE FUNCTION tenants_with_pending_deliveries() RETURNS TABLE (tenant_id uuid, earliest timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ WITH RECURSIVE t (tenant_id) AS (
              (SELECT d.tenant_id FROM public.notification_deliveries d WHERE d.state = 'pending' ORDER BY d.tenant_id LIMIT 1)
              UNION ALL
              SELECT (SELECT d.tenant_id FROM public.notification_deliveries d
                      WHERE d.state = 'pending' AND d.tenant_id > t.tenant_id ORDER BY d.tenant_id LIMIT 1)
              FROM t WHERE t.tenant_id IS NOT NULL)
          SELECT t.tenant_id, (SELECT d.next_attempt_at FROM public.notification_deliveries d
                               WHERE d.tenant_id = t.tenant_id AND d.state = 'pending' ORDER BY d.next_attempt_at LIMIT 1)
          FROM t WHERE t.tenant_id IS NOT NULL $$;
REVOKE ALL ON FUNCTION tenants_with_pending_deliveries() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenants_with_pending_deliveries() TO pitstop_app;
DROP FUNCTION tenants_with_due_deliveries(timestamptz);

-- Deliveries have a loop of their own now, which looks at the tenants above; the sweeps' loop
-- wakes for clocks, offers and events only.
DROP FUNCTION next_worker_moment(boolean);
CREATE FUNCTION next_sweep_moment() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT least(
              (SELECT min(next_check_at) FROM public.work_order_sla_clocks WHERE next_check_at IS NOT NULL),
              (SELECT min(expires_at) FROM public.dispatch_offers WHERE state = 'pending'),
              (SELECT min(available_at) FROM public.outbox WHERE delivered_at IS NULL)) $$;
REVOKE ALL ON FUNCTION next_sweep_moment() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION next_sweep_moment() TO pitstop_app;

-- Skip scans for the sweeps: each tenant with anything pending, kept when its earliest is due,
-- earliest first. Two probes of a (tenant_id, moment) index per tenant.
CREATE INDEX work_order_sla_clocks_next_check_by_tenant ON work_order_sla_clocks (tenant_id, next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX dispatch_offers_due_by_tenant ON dispatch_offers (tenant_id, expires_at) WHERE state = 'pending';
CREATE INDEX outbox_unrelayed_by_tenant ON outbox (tenant_id, available_at) WHERE delivered_at IS NULL;

CREATE OR REPLACE FUNCTION tenants_with_due_sla_clocks(at timestamptz) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ WITH RECURSIVE t (tenant_id) AS (
              (SELECT c.tenant_id FROM public.work_order_sla_clocks c WHERE c.next_check_at IS NOT NULL ORDER BY c.tenant_id LIMIT 1)
              UNION ALL
              SELECT (SELECT c.tenant_id FROM public.work_order_sla_clocks c
                      WHERE c.next_check_at IS NOT NULL AND c.tenant_id > t.tenant_id ORDER BY c.tenant_id LIMIT 1)
              FROM t WHERE t.tenant_id IS NOT NULL),
          due AS (
              SELECT t.tenant_id, (SELECT c.next_check_at FROM public.work_order_sla_clocks c
                                   WHERE c.tenant_id = t.tenant_id AND c.next_check_at IS NOT NULL ORDER BY c.next_check_at LIMIT 1) AS earliest
              FROM t WHERE t.tenant_id IS NOT NULL)
          SELECT tenant_id FROM due WHERE earliest <= at ORDER BY earliest $$;

CREATE OR REPLACE FUNCTION tenants_with_expired_offers(at timestamptz) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ WITH RECURSIVE t (tenant_id) AS (
              (SELECT o.tenant_id FROM public.dispatch_offers o WHERE o.state = 'pending' ORDER BY o.tenant_id LIMIT 1)
              UNION ALL
              SELECT (SELECT o.tenant_id FROM public.dispatch_offers o
                      WHERE o.state = 'pending' AND o.tenant_id > t.tenant_id ORDER BY o.tenant_id LIMIT 1)
              FROM t WHERE t.tenant_id IS NOT NULL),
          due AS (
              SELECT t.tenant_id, (SELECT o.expires_at FROM public.dispatch_offers o
                                   WHERE o.tenant_id = t.tenant_id AND o.state = 'pending' ORDER BY o.expires_at LIMIT 1) AS earliest
              FROM t WHERE t.tenant_id IS NOT NULL)
          SELECT tenant_id FROM due WHERE earliest <= at ORDER BY earliest $$;

CREATE OR REPLACE FUNCTION tenants_with_unrelayed_events(at timestamptz) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ WITH RECURSIVE t (tenant_id) AS (
              (SELECT e.tenant_id FROM public.outbox e WHERE e.delivered_at IS NULL ORDER BY e.tenant_id LIMIT 1)
              UNION ALL
              SELECT (SELECT e.tenant_id FROM public.outbox e
                      WHERE e.delivered_at IS NULL AND e.tenant_id > t.tenant_id ORDER BY e.tenant_id LIMIT 1)
              FROM t WHERE t.tenant_id IS NOT NULL),
          due AS (
              SELECT t.tenant_id, (SELECT e.available_at FROM public.outbox e
                                   WHERE e.tenant_id = t.tenant_id AND e.delivered_at IS NULL ORDER BY e.available_at LIMIT 1) AS earliest
              FROM t WHERE t.tenant_id IS NOT NULL)
          SELECT tenant_id FROM due WHERE earliest <= at ORDER BY earliest $$;
