-- Edits of an order's details (priority, shop, description, custom fields, …) are timeline
-- entries too: kind 'updated', the order's status unchanged in to_status, the fields in the note.
ALTER TABLE work_order_events DROP CONSTRAINT work_order_events_kind_check;
ALTER TABLE work_order_events ADD CONSTRAINT work_order_events_kind_check CHECK (kind IN ('created', 'status_changed', 'updated'));
