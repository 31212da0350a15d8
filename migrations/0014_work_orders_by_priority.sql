-- Lists sorted most urgent first (sort=priority) over all statuses; with a status filter the
-- status + priority index serves them.
CREATE INDEX work_orders_by_priority ON work_orders (tenant_id, priority, created_at DESC, id DESC);
