-- Customers hear of the moments of their order that matter (received, engineer on the way,
-- waiting for parts, ready for acceptance, completed), as each tenant sets it.
--
-- * One policy per tenant: for each moment the routes to try in order (a channel, and an SMS
--   template with its variables), and quiet hours. Kept as a document: it is read whole, once
--   per moment, and changed whole at If-Match.
-- * A customer may opt out of SMS and of WeChat messages, each apart.
-- * A message to a customer is a delivery like any other (the same outbox, sender and retries),
--   marked with its order and moment; the unique index keeps one per order and moment, so a
--   step retried or repeated never tells the customer twice.
CREATE TABLE customer_message_policies (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    policy     jsonb       NOT NULL CHECK (jsonb_typeof(policy) = 'object'),
    version    integer     NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id)
);
SELECT make_tenant_table('customer_message_policies', 'SELECT, INSERT, UPDATE');

ALTER TABLE customers
    ADD COLUMN sms_opted_out_at timestamptz,
    ADD COLUMN wechat_opted_out_at timestamptz;

ALTER TABLE notification_deliveries
    ADD COLUMN work_order_id uuid,
    ADD COLUMN customer_moment text CHECK (customer_moment IN ('received', 'on_the_way', 'waiting_parts', 'ready_for_acceptance', 'completed')),
    ADD CONSTRAINT notification_deliveries_work_order_fkey FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id),
    ADD CONSTRAINT notification_deliveries_moment_has_order CHECK (customer_moment IS NULL OR work_order_id IS NOT NULL);
CREATE UNIQUE INDEX notification_deliveries_one_per_moment ON notification_deliveries (tenant_id, work_order_id, customer_moment)
    WHERE customer_moment IS NOT NULL;
