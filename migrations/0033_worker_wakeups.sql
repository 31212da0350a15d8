-- The worker sleeps until the next moment anything falls due instead of polling each second:
-- the earliest SLA check, delivery attempt (past a robot's pause) or offer deadline, over all
-- tenants. It reveals a time only, never a row, so the app role may call it. A worker that cannot
-- send (no secret key) leaves deliveries out.
CREATE FUNCTION next_worker_moment(deliveries boolean) RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT least(
              (SELECT min(next_check_at) FROM public.work_order_sla_clocks WHERE next_check_at IS NOT NULL),
              (SELECT min(expires_at) FROM public.dispatch_offers WHERE state = 'pending'),
              -- The earliest hundred attempts by the index, each held back while its robot pauses:
              -- bounded work however long a backlog grows (the worker wakes each second anyway).
              (SELECT min(greatest(d.next_attempt_at, coalesce(c.next_send_at, d.next_attempt_at)))
               FROM (SELECT tenant_id, channel_id, next_attempt_at FROM public.notification_deliveries
                     WHERE state = 'pending' ORDER BY next_attempt_at LIMIT 100) AS d
               JOIN public.notification_channels c ON c.tenant_id = d.tenant_id AND c.id = d.channel_id
               WHERE deliveries)) $$;
REVOKE ALL ON FUNCTION next_worker_moment(boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION next_worker_moment(boolean) TO pitstop_app;

-- As for SLA clocks and deliveries: with ORDER BY and LIMIT the planner walks the partial index
-- on the deadline even under a generic plan, rather than reading every pending offer.
CREATE OR REPLACE FUNCTION tenants_with_expired_offers(at timestamptz) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT DISTINCT tenant_id FROM (
              SELECT tenant_id FROM public.dispatch_offers
              WHERE state = 'pending' AND expires_at <= at ORDER BY expires_at LIMIT 1000) AS due $$;
