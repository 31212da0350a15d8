-- When an order first reached each status, as {"new": "…", "assigned": "…", "accepted": "…"}:
-- the moments the order shows, and SLA clocks and reports measure from (first response is the
-- first "accepted"). Timestamps are RFC 3339 UTC text with microseconds. Orders made before this
-- migration get theirs from the timeline.
ALTER TABLE work_orders
    ADD COLUMN milestones jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(milestones) = 'object');

UPDATE work_orders o SET milestones = firsts.milestones
FROM (
    SELECT tenant_id, work_order_id,
           jsonb_object_agg(to_status, to_char(first_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')) AS milestones
    FROM (SELECT tenant_id, work_order_id, to_status, min(occurred_at) AS first_at
          FROM work_order_events WHERE kind IN ('created', 'status_changed')
          GROUP BY tenant_id, work_order_id, to_status) per_status
    GROUP BY tenant_id, work_order_id
) firsts
WHERE o.tenant_id = firsts.tenant_id AND o.id = firsts.work_order_id;
