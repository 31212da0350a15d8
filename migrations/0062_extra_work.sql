-- Extra work (增项): the engineer or the desk proposes added lines with prices; the customer
-- approves or declines them from their tracking link. One proposal at a time waits on an order
-- (the partial unique index); its hash, over exactly what the customer is shown, is what the
-- answer must name. While it waits the order's SLA clocks stand still, recorded in the pause
-- ledger with the reason 'extra_work' instead of a status.
CREATE TABLE work_order_extra_work (
    tenant_id     uuid        NOT NULL REFERENCES tenants (id),
    id            uuid        NOT NULL,
    work_order_id uuid        NOT NULL,
    lines         jsonb       NOT NULL CHECK (jsonb_typeof(lines) = 'array' AND jsonb_array_length(lines) BETWEEN 1 AND 50),
    note          text        NOT NULL DEFAULT '',
    total_fen     bigint      NOT NULL CHECK (total_fen >= 0),
    sha256        text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    state         text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'declined', 'withdrawn')),
    proposed_by   uuid,
    proposed_at   timestamptz NOT NULL,
    answered_at   timestamptz CHECK ((state = 'pending') = (answered_at IS NULL)),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id)
);
CREATE UNIQUE INDEX work_order_extra_work_one_pending ON work_order_extra_work (tenant_id, work_order_id) WHERE state = 'pending';
CREATE INDEX work_order_extra_work_by_order ON work_order_extra_work (tenant_id, work_order_id, proposed_at);
SELECT make_tenant_table('work_order_extra_work', 'SELECT, INSERT, UPDATE');

ALTER TABLE work_order_events DROP CONSTRAINT work_order_events_kind_check;
ALTER TABLE work_order_events ADD CONSTRAINT work_order_events_kind_check
    CHECK (kind IN ('created', 'status_changed', 'updated', 'linked_report', 'customer_message', 'pooled', 'unpooled', 'transferred',
                    'dispatch_exhausted', 'checked_in', 'checked_out', 'report_saved', 'parts_requested', 'parts_decided',
                    'transfer_requested', 'sla_warning', 'sla_breached', 'sla_escalated', 'extra_work_proposed', 'extra_work_answered'))
    NOT VALID;
ALTER TABLE work_order_events VALIDATE CONSTRAINT work_order_events_kind_check;

-- The customer hears of each proposal: the message names it, and the one-per-moment index
-- becomes one per order, moment and proposal (NULLS NOT DISTINCT keeps the other moments once
-- per order, as before).
ALTER TABLE notification_deliveries
    DROP CONSTRAINT notification_deliveries_customer_moment_check,
    ADD COLUMN moment_subject uuid,
    ADD CONSTRAINT notification_deliveries_customer_moment_check
        CHECK (customer_moment IN ('received', 'on_the_way', 'waiting_parts', 'ready_for_acceptance', 'completed', 'extra_work')) NOT VALID;
ALTER TABLE notification_deliveries VALIDATE CONSTRAINT notification_deliveries_customer_moment_check;
CREATE UNIQUE INDEX notification_deliveries_one_per_moment_subject
    ON notification_deliveries (tenant_id, work_order_id, customer_moment, moment_subject) NULLS NOT DISTINCT
    WHERE customer_moment IS NOT NULL;
DROP INDEX notification_deliveries_one_per_moment;
