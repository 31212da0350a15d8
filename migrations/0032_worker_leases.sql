-- Periodic work that must run on one worker at a time (housekeeping) takes a named lease: the
-- first worker to find it free and due takes it for a while, runs, and records when it ran.
CREATE TABLE worker_leases (
    name        text        PRIMARY KEY CHECK (name ~ '^[a-z_]{1,64}$'),
    holder      text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    last_run_at timestamptz
);
GRANT SELECT, INSERT, UPDATE ON worker_leases TO pitstop_app;

-- Idempotency keys are honoured for a day; older ones are removed across tenants by this, which
-- runs as the owner because the app role sees one tenant at a time.
CREATE FUNCTION prune_idempotency_keys(before timestamptz) RETURNS integer
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ WITH gone AS (DELETE FROM public.idempotency_keys WHERE created_at < before RETURNING 1) SELECT count(*)::integer FROM gone $$;
REVOKE ALL ON FUNCTION prune_idempotency_keys(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prune_idempotency_keys(timestamptz) TO pitstop_app;
