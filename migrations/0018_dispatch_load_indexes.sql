-- Dispatch reads every engineer's load and today's assignments in two aggregates per decision;
-- these indexes keep both to the rows that matter (open, assigned orders; today's assignments).
CREATE INDEX work_orders_open_by_assignee ON work_orders (tenant_id, assignee_id, status)
    WHERE assignee_id IS NOT NULL AND status NOT IN ('completed', 'cancelled');
CREATE INDEX dispatch_assignments_by_time ON dispatch_assignments (tenant_id, assigned_at);
