-- Per-tenant settings that shape intake and the lifecycle, edited by the tenant's admins:
--   duplicate_window_minutes  a report for a vehicle with an open order opened this recently
--                             joins that order (0 turns the guard off);
--   reopen_window_days        how long after completion an order may be reopened for rework.
ALTER TABLE tenants
    ADD COLUMN duplicate_window_minutes integer NOT NULL DEFAULT 1440 CHECK (duplicate_window_minutes BETWEEN 0 AND 43200),
    ADD COLUMN reopen_window_days       integer NOT NULL DEFAULT 30   CHECK (reopen_window_days BETWEEN 0 AND 365);
