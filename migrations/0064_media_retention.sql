-- Photos and videos are kept as long as each tenant says (default 365 days), counted from the
-- upload and only once the order is closed: an open repair keeps its evidence. Rows stay (a
-- signed report names its photos by hash, and the hash still proves what was signed); the row is
-- marked purged, and each API instance removes the files no live row names from its own disk.
ALTER TABLE tenants
    ADD COLUMN media_retention_days integer NOT NULL DEFAULT 365 CHECK (media_retention_days BETWEEN 30 AND 3650);
ALTER TABLE work_order_media ADD COLUMN purged_at timestamptz;
CREATE INDEX work_order_media_live_by_time ON work_order_media (created_at) WHERE purged_at IS NULL;
CREATE INDEX work_order_media_live_by_hash ON work_order_media (tenant_id, sha256) WHERE purged_at IS NULL;

CREATE FUNCTION prune_media(at timestamptz, batch integer) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    purged integer;
BEGIN
    WITH old AS (
        SELECT m.tenant_id, m.id FROM public.work_order_media m
        JOIN public.tenants t ON t.id = m.tenant_id
        JOIN public.work_orders o ON o.tenant_id = m.tenant_id AND o.id = m.work_order_id
        WHERE m.purged_at IS NULL AND m.created_at < prune_media.at - t.media_retention_days * interval '1 day'
          AND o.status IN ('completed', 'cancelled')
        LIMIT batch
    ), marked AS (
        UPDATE public.work_order_media m SET purged_at = prune_media.at FROM old
        WHERE (m.tenant_id, m.id) = (old.tenant_id, old.id) RETURNING 1
    ) SELECT count(*) INTO purged FROM marked;
    RETURN purged;
END $$;
REVOKE ALL ON FUNCTION prune_media(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prune_media(timestamptz, integer) TO pitstop_app;
