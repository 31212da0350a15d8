-- Webhook subscriptions: a tenant's endpoints that receive every event of the types they chose,
-- signed as Standard Webhooks. They are webhook channels with a list of event types, so their
-- deliveries share the channels' queue, retries, attempt log and dead letters. The worker relays
-- each outbox event once (outbox.delivered_at marks it relayed) to every active subscription.
ALTER TABLE notification_channels
    ADD COLUMN event_types     text[] CHECK (event_types IS NULL OR cardinality(event_types) BETWEEN 1 AND 64),
    -- Channels that hear about operational trouble: a subscription disabled, stock running low.
    ADD COLUMN alerts          boolean NOT NULL DEFAULT false,
    -- Since when every attempt to reach the channel has failed; a subscription failing for a day
    -- is disabled (active = false) with the reason.
    ADD COLUMN failing_since   timestamptz,
    ADD COLUMN disabled_reason text,
    ADD CONSTRAINT notification_channels_subscriptions_are_webhooks CHECK (event_types IS NULL OR kind = 'webhook');
CREATE INDEX notification_channels_subscriptions ON notification_channels (tenant_id) WHERE event_types IS NOT NULL AND active;

-- Events written before subscriptions existed had no one to go to.
UPDATE outbox SET delivered_at = now() WHERE delivered_at IS NULL;

CREATE FUNCTION tenants_with_unrelayed_events(at timestamptz) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT DISTINCT tenant_id FROM (
              SELECT tenant_id FROM public.outbox
              WHERE delivered_at IS NULL AND available_at <= at ORDER BY available_at LIMIT 1000) AS due $$;
REVOKE ALL ON FUNCTION tenants_with_unrelayed_events(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenants_with_unrelayed_events(timestamptz) TO pitstop_app;

-- The worker's next moment now includes events waiting to be relayed.
CREATE OR REPLACE FUNCTION next_worker_moment(deliveries boolean) RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT least(
              (SELECT min(next_check_at) FROM public.work_order_sla_clocks WHERE next_check_at IS NOT NULL),
              (SELECT min(expires_at) FROM public.dispatch_offers WHERE state = 'pending'),
              (SELECT min(available_at) FROM public.outbox WHERE delivered_at IS NULL),
              (SELECT min(greatest(d.next_attempt_at, coalesce(c.next_send_at, d.next_attempt_at)))
               FROM (SELECT tenant_id, channel_id, next_attempt_at FROM public.notification_deliveries
                     WHERE state = 'pending' ORDER BY next_attempt_at LIMIT 100) AS d
               JOIN public.notification_channels c ON c.tenant_id = d.tenant_id AND c.id = d.channel_id
               WHERE deliveries)) $$;

