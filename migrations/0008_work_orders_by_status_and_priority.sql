-- The dispatch desk's most common list: open orders of one status and priority, newest first.
-- With status alone indexed, a list of P1 orders among many new P3 ones had to skip the P3s.
CREATE INDEX work_orders_by_status_priority ON work_orders (tenant_id, status, priority, created_at DESC, id DESC);
