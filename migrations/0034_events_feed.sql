-- The changes feed (GET /v1/events) reads each tenant's events in a fixed order that never gains
-- an event behind a reader: by the writing transaction's id, then by a position handed out at
-- insert, showing only transactions older than every one still running (see EventRepository).
-- Events already written all take this migration's transaction id, so they come first.
ALTER TABLE outbox ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE outbox ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX outbox_feed ON outbox (tenant_id, xid, seq);
