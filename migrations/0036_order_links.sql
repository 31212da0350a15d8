-- Where staff open an order in the chain's own console: notifications carry this link, with
-- {id} and {number} replaced by the order's. NULL: messages carry no link.
ALTER TABLE tenants ADD COLUMN order_link text
    CHECK (order_link IS NULL OR (order_link ~ '^https?://' AND length(order_link) <= 500));
