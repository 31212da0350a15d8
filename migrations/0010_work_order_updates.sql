-- Timeline entries that do not move the status (to_status repeats it):
--   'updated'        an edit of the order's details, the fields named in the note;
--   'linked_report'  another report of the same vehicle while the order was open, linked to it
--                    instead of opening a duplicate, its channel and text in the note.
ALTER TABLE work_order_events DROP CONSTRAINT work_order_events_kind_check;
ALTER TABLE work_order_events ADD CONSTRAINT work_order_events_kind_check
    CHECK (kind IN ('created', 'status_changed', 'updated', 'linked_report'));
