-- Personal data is kept only as long as each tenant says (PIPL's storage limitation): engineers'
-- GPS trails on orders, WeChat message rows (who wrote, when) and notifications no longer
-- pending (whose texts and numbers name customers and engineers), with defaults of 30, 180 and
-- 90 days. The worker's housekeeping deletes what is older, across tenants, in batches of
-- `batch` rows a table so no delete holds its locks for long; the indexes keep each batch from
-- scanning the whole table.
ALTER TABLE tenants
    ADD COLUMN trail_retention_days integer NOT NULL DEFAULT 30 CHECK (trail_retention_days BETWEEN 1 AND 3650),
    ADD COLUMN wechat_message_retention_days integer NOT NULL DEFAULT 180 CHECK (wechat_message_retention_days BETWEEN 1 AND 3650),
    ADD COLUMN notification_retention_days integer NOT NULL DEFAULT 90 CHECK (notification_retention_days BETWEEN 7 AND 3650);

CREATE INDEX location_trail_by_time ON location_trail (at);
CREATE INDEX wechat_messages_by_time ON wechat_messages (received_at);
CREATE INDEX notification_deliveries_settled_by_time ON notification_deliveries (created_at) WHERE state <> 'pending';

CREATE FUNCTION prune_personal_data(at timestamptz, batch integer) RETURNS TABLE (trail integer, wechat integer, notifications integer)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    gone_trail integer;
    gone_wechat integer;
    gone_notifications integer;
BEGIN
    WITH old AS (
        SELECT l.tenant_id, l.work_order_id, l.at, l.engineer_id FROM public.location_trail l JOIN public.tenants t ON t.id = l.tenant_id
        WHERE l.at < prune_personal_data.at - t.trail_retention_days * interval '1 day' LIMIT batch
    ), gone AS (
        DELETE FROM public.location_trail l USING old
        WHERE (l.tenant_id, l.work_order_id, l.at, l.engineer_id) = (old.tenant_id, old.work_order_id, old.at, old.engineer_id) RETURNING 1
    ) SELECT count(*) INTO gone_trail FROM gone;

    WITH old AS (
        SELECT m.tenant_id, m.account_id, m.msg_id FROM public.wechat_messages m JOIN public.tenants t ON t.id = m.tenant_id
        WHERE m.received_at < prune_personal_data.at - t.wechat_message_retention_days * interval '1 day' LIMIT batch
    ), gone AS (
        DELETE FROM public.wechat_messages m USING old
        WHERE (m.tenant_id, m.account_id, m.msg_id) = (old.tenant_id, old.account_id, old.msg_id) RETURNING 1
    ) SELECT count(*) INTO gone_wechat FROM gone;

    -- An attempt goes with its delivery; the foreign key is checked when the statement ends,
    -- by when both are gone.
    WITH old AS (
        SELECT d.tenant_id, d.id FROM public.notification_deliveries d JOIN public.tenants t ON t.id = d.tenant_id
        WHERE d.state <> 'pending' AND d.created_at < prune_personal_data.at - t.notification_retention_days * interval '1 day' LIMIT batch
    ), attempts AS (
        DELETE FROM public.notification_attempts a USING old WHERE (a.tenant_id, a.delivery_id) = (old.tenant_id, old.id) RETURNING 1
    ), gone AS (
        DELETE FROM public.notification_deliveries d USING old WHERE (d.tenant_id, d.id) = (old.tenant_id, old.id) RETURNING 1
    ) SELECT count(*) INTO gone_notifications FROM gone;

    RETURN QUERY SELECT gone_trail, gone_wechat, gone_notifications;
END $$;
REVOKE ALL ON FUNCTION prune_personal_data(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prune_personal_data(timestamptz, integer) TO pitstop_app;
