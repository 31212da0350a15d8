-- The grab pool (抢单) and transfers (转派).
--   pooled_at        set while an unassigned order waits in the pool for an eligible engineer to
--                    claim it; the first valid claim clears it in the same statement that assigns.
--   'pooled'         timeline entry: published to the pool (note: by whom / why);
--   'unpooled'       taken back out of the pool by a dispatcher;
--   'transferred'    the assignee changed (note: from, to and the reason).
ALTER TABLE work_orders ADD COLUMN pooled_at timestamptz;
CREATE INDEX work_orders_in_pool ON work_orders (tenant_id, pooled_at) WHERE pooled_at IS NOT NULL;

ALTER TABLE work_order_events DROP CONSTRAINT work_order_events_kind_check;
ALTER TABLE work_order_events ADD CONSTRAINT work_order_events_kind_check
    CHECK (kind IN ('created', 'status_changed', 'updated', 'linked_report', 'customer_message', 'pooled', 'unpooled', 'transferred'));
