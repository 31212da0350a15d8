-- When an order is due: set by the desk (the time promised to the customer) and, once SLA
-- policies exist, by the resolution clock. Lists sort by it (soonest first, undated last), and
-- integrations fetch what changed since their last sync by updated_at.
ALTER TABLE work_orders ADD COLUMN due_at timestamptz;
CREATE INDEX work_orders_by_due ON work_orders (tenant_id, due_at, created_at DESC, id DESC);
CREATE INDEX work_orders_by_update ON work_orders (tenant_id, updated_at);
