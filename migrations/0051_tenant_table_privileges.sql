-- make_tenant_table names the privileges the app role gets on the table, instead of giving every
-- table SELECT, INSERT, UPDATE and DELETE: an append-only table (a timeline, an attempt log) is
-- made with 'SELECT, INSERT' and nothing that could rewrite its history. The attempt log, which
-- no code updates, loses the UPDATE it was given.
DROP FUNCTION make_tenant_table(regclass);

CREATE FUNCTION make_tenant_table(t regclass, privileges text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF privileges !~ '^(SELECT|INSERT|UPDATE|DELETE)(, (SELECT|INSERT|UPDATE|DELETE))*$' THEN
        RAISE EXCEPTION 'make_tenant_table(%): privileges must list SELECT, INSERT, UPDATE or DELETE, comma-separated; got %', t, privileges;
    END IF;
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %s USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id())', t);
    EXECUTE format('CREATE POLICY owner_access ON %s TO CURRENT_USER USING (true) WITH CHECK (true)', t);
    EXECUTE format('GRANT %s ON %s TO pitstop_app', privileges, t);
END $$;
REVOKE EXECUTE ON FUNCTION make_tenant_table(regclass, text) FROM PUBLIC;

REVOKE UPDATE, DELETE ON notification_attempts FROM pitstop_app;
