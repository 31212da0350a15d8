-- A customer's erasure (PIPL): names, phones, openids and free text are removed or replaced
-- wherever they appear, while the orders, their counts and durations stay for the reports.
--
-- * `erased_at` records when, so the record says why it is empty; an erased customer's vehicles
--   keep neither plate nor VIN, so a vehicle is identified by one of them unless erased.
-- * The app role may rewrite only the columns erasure scrubs on the tables that are otherwise
--   append-only (a timeline's notes, a signer's name, a rating's comment, an attempt's error),
--   and delete the WeChat messages and stored answers that carry the customer.
-- * `scrubbed` replaces each of `secrets` in a text with ***; jsonb is scrubbed as its text, the
--   caller passing each secret also as JSON escapes it.
ALTER TABLE customers ADD COLUMN erased_at timestamptz;
ALTER TABLE vehicles ADD COLUMN erased_at timestamptz;
ALTER TABLE vehicles DROP CONSTRAINT vehicles_identified;
ALTER TABLE vehicles ADD CONSTRAINT vehicles_identified CHECK (vin IS NOT NULL OR plate IS NOT NULL OR erased_at IS NOT NULL) NOT VALID;
ALTER TABLE vehicles VALIDATE CONSTRAINT vehicles_identified;

GRANT UPDATE (note) ON work_order_events TO pitstop_app;
GRANT UPDATE (signer_name) ON work_order_acceptances TO pitstop_app;
GRANT UPDATE (comment) ON work_order_ratings TO pitstop_app;
GRANT UPDATE (error) ON notification_attempts TO pitstop_app;
GRANT DELETE ON wechat_messages, idempotency_keys TO pitstop_app;

CREATE FUNCTION scrubbed(t text, secrets text[]) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    s text;
BEGIN
    IF t IS NULL THEN RETURN NULL; END IF;
    FOREACH s IN ARRAY secrets LOOP
        IF length(s) > 0 THEN t := replace(t, s, '***'); END IF;
    END LOOP;
    RETURN t;
END $$;

CREATE FUNCTION mentions(t text, secrets text[]) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT t IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(secrets) s WHERE length(s) > 0 AND strpos(t, s) > 0)
$$;
