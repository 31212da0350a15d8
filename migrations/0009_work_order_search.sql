-- Substring search over work-order descriptions and timeline notes, Chinese included: pg_trgm
-- indexes trigrams of any script (a query needs three characters for the index to narrow it).
-- pg_trgm is a trusted extension: a database owner may create it without being a superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX work_orders_description_trgm ON work_orders USING gin (description gin_trgm_ops);
CREATE INDEX work_order_events_note_trgm ON work_order_events USING gin (note gin_trgm_ops) WHERE note IS NOT NULL;
