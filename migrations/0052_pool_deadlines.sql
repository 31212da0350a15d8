-- Dispatch on intake, pool mode: an order its policy published to the grab pool waits there until
-- pool_until; unclaimed by then, the worker's offer sweep sends it on (to automatic offers or to
-- the dispatchers, as the policy says). An order a desk publishes itself has no deadline.
ALTER TABLE work_orders ADD COLUMN pool_until timestamptz;
CREATE INDEX work_orders_pool_until_by_tenant ON work_orders (tenant_id, pool_until) WHERE pool_until IS NOT NULL;

-- Tenants with a pool stay that ran out at `at`, earliest first: a skip scan, as for offers.
CREATE FUNCTION tenants_with_lapsed_pool_stays(at timestamptz) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ WITH RECURSIVE t (tenant_id) AS (
              (SELECT w.tenant_id FROM public.work_orders w WHERE w.pool_until IS NOT NULL ORDER BY w.tenant_id LIMIT 1)
              UNION ALL
              SELECT (SELECT w.tenant_id FROM public.work_orders w
                      WHERE w.pool_until IS NOT NULL AND w.tenant_id > t.tenant_id ORDER BY w.tenant_id LIMIT 1)
              FROM t WHERE t.tenant_id IS NOT NULL),
          due AS (
              SELECT t.tenant_id, (SELECT w.pool_until FROM public.work_orders w
                                   WHERE w.tenant_id = t.tenant_id AND w.pool_until IS NOT NULL ORDER BY w.pool_until LIMIT 1) AS earliest
              FROM t WHERE t.tenant_id IS NOT NULL)
          SELECT tenant_id FROM due WHERE earliest <= at ORDER BY earliest $$;
REVOKE ALL ON FUNCTION tenants_with_lapsed_pool_stays(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenants_with_lapsed_pool_stays(timestamptz) TO pitstop_app;

-- The idle worker wakes for a pool stay's end as for an offer's.
CREATE OR REPLACE FUNCTION next_sweep_moment() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT least(
              (SELECT min(next_check_at) FROM public.work_order_sla_clocks WHERE next_check_at IS NOT NULL),
              (SELECT min(expires_at) FROM public.dispatch_offers WHERE state = 'pending'),
              (SELECT min(pool_until) FROM public.work_orders WHERE pool_until IS NOT NULL),
              (SELECT min(available_at) FROM public.outbox WHERE delivered_at IS NULL)) $$;
