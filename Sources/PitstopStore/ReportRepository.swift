import Foundation
import PitstopCore
import Postgres

/// The scope tenant's report rollups: recounting the days changed orders touch, and reading
/// the counts back grouped as a report asks.
public struct ReportRepository {
    let transaction: Transaction
    let tenantID: UUID

    /// The shop of orders without one, in the rollup's key.
    static let noShop = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// Measures `orders`' times, moves them in the backlog, and recounts the days they were
    /// counted on before and are counted on now (see `days`, as days in `zone`); returns how many
    /// days were recounted. `timings` are the tenant's SLA policies', which the orders' clocks ran on.
    @discardableResult
    public func recount(orders: [UUID], zone: String, timings: SLATimings) throws -> Int {
        try lock()
        try measureDurations(orders: orders, timings: timings)
        try countBacklog(orders: orders)
        let days: [String] = try transaction.query("""
            WITH fresh AS (
                SELECT w.id, \(Self.days(zone)) AS days
                FROM work_orders w WHERE w.tenant_id = \(tenantID) AND w.id = ANY (\(orders)::uuid[])
            ), old AS (
                SELECT days FROM report_order_days WHERE tenant_id = \(tenantID) AND work_order_id = ANY (\(orders)::uuid[])
            ), saved AS (
                INSERT INTO report_order_days (tenant_id, work_order_id, days) SELECT \(tenantID), id, days FROM fresh
                ON CONFLICT (tenant_id, work_order_id) DO UPDATE SET days = excluded.days
            )
            SELECT DISTINCT d::text AS day FROM (SELECT unnest(days) AS d FROM fresh UNION ALL SELECT unnest(days) FROM old) AS all_days
            """).rows.map { try $0.decode("day") }
        try recount(days: days, zone: zone)
        return days.count
    }

    /// Recounts days `first` through `last` from the orders themselves, after measuring the times
    /// of every order with a moment on those days and noting which days it is on (a backfill of
    /// orders loaded without events, or a repair after data came in by hand).
    public func rebuild(from first: String, to last: String, zone: String, timings: SLATimings) throws -> Int {
        try lock()
        // Orders reported before the range ends and not closed before it starts: every order
        // with a day in the range (created, answered, on site, finished, rated) is one of them.
        var after = Self.noShop  // the nil UUID, below every id
        while true {
            let batch: [UUID] = try transaction.query("""
                SELECT id FROM work_orders
                WHERE tenant_id = \(tenantID) AND id > \(after)
                  AND created_at < (\(last)::date + 1)::timestamp AT TIME ZONE \(zone)
                  AND coalesce(completed_at, cancelled_at, 'infinity') >= \(first)::date::timestamp AT TIME ZONE \(zone)
                ORDER BY id LIMIT 5000
                """).rows.map { try $0.decode("id") }
            guard let lastID = batch.last else { break }
            try measureDurations(orders: batch, timings: timings)
            try transaction.execute("""
                INSERT INTO report_order_days (tenant_id, work_order_id, days)
                SELECT w.tenant_id, w.id, \(Self.days(zone)) FROM work_orders w WHERE w.tenant_id = \(tenantID) AND w.id = ANY (\(batch)::uuid[])
                ON CONFLICT (tenant_id, work_order_id) DO UPDATE SET days = excluded.days
                """)
            after = lastID
        }
        try recountBacklog()
        let days: [String] = try transaction.query("""
            SELECT d::date::text AS day FROM generate_series(\(first)::date, \(last)::date, interval '1 day') AS d
            """).rows.map { try $0.decode("day") }
        try recount(days: days, zone: zone)
        return days.count
    }

    /// Moves `orders` out of the backlog group each was counted in and into the one it belongs
    /// to now (none once it is closed).
    private func countBacklog(orders: [UUID]) throws {
        try transaction.execute("""
            WITH old AS (
                DELETE FROM report_order_backlog WHERE tenant_id = \(tenantID) AND work_order_id = ANY (\(orders)::uuid[])
                RETURNING shop_id, channel, type_id, status
            )
            UPDATE report_backlog b SET open = b.open - o.n
            FROM (SELECT shop_id, channel, type_id, status, count(*)::int AS n FROM old GROUP BY 1, 2, 3, 4) AS o
            WHERE b.tenant_id = \(tenantID) AND (b.shop_id, b.channel, b.type_id, b.status) = (o.shop_id, o.channel, o.type_id, o.status)
            """)
        try transaction.execute("""
            WITH fresh AS (
                SELECT w.id, coalesce(w.shop_id, \(Self.noShop)) AS shop_id, w.channel, w.type_id, w.status FROM work_orders w
                WHERE w.tenant_id = \(tenantID) AND w.id = ANY (\(orders)::uuid[]) AND w.status NOT IN ('completed', 'cancelled')
            ), noted AS (
                INSERT INTO report_order_backlog (tenant_id, work_order_id, shop_id, channel, type_id, status)
                SELECT \(tenantID), id, shop_id, channel, type_id, status FROM fresh
            )
            INSERT INTO report_backlog (tenant_id, shop_id, channel, type_id, status, open)
            SELECT \(tenantID), shop_id, channel, type_id, status, count(*) FROM fresh GROUP BY 2, 3, 4, 5
            ON CONFLICT (tenant_id, shop_id, channel, type_id, status) DO UPDATE SET open = report_backlog.open + excluded.open
            """)
    }

    /// Counts the backlog again from the open orders themselves (a rebuild; the backlog is the
    /// present, whatever days are rebuilt).
    private func recountBacklog() throws {
        try transaction.execute("DELETE FROM report_order_backlog WHERE tenant_id = \(tenantID)")
        try transaction.execute("DELETE FROM report_backlog WHERE tenant_id = \(tenantID)")
        try transaction.execute("""
            INSERT INTO report_order_backlog (tenant_id, work_order_id, shop_id, channel, type_id, status)
            SELECT tenant_id, id, coalesce(shop_id, \(Self.noShop)), channel, type_id, status FROM work_orders
            WHERE tenant_id = \(tenantID) AND status NOT IN ('completed', 'cancelled')
            """)
        try transaction.execute("""
            INSERT INTO report_backlog (tenant_id, shop_id, channel, type_id, status, open)
            SELECT tenant_id, shop_id, channel, type_id, status, count(*) FROM report_order_backlog WHERE tenant_id = \(tenantID)
            GROUP BY 1, 2, 3, 4, 5
            """)
    }

    /// The days order `w` counts on in `zone`: created, completed, cancelled, rated, answered and
    /// first on site, each SLA target met or breached, and its engineers' assignments, declined
    /// offers, check-outs and transfer requests.
    static func days(_ zone: String) -> SQL {
        """
        array_remove(ARRAY[(w.created_at AT TIME ZONE \(zone))::date, (w.completed_at AT TIME ZONE \(zone))::date,
                           (w.cancelled_at AT TIME ZONE \(zone))::date,
                           (SELECT (r.rated_at AT TIME ZONE \(zone))::date FROM work_order_ratings r
                            WHERE r.tenant_id = w.tenant_id AND r.work_order_id = w.id),
                           (SELECT (t.first_response_at AT TIME ZONE \(zone))::date FROM report_order_durations t
                            WHERE t.tenant_id = w.tenant_id AND t.work_order_id = w.id),
                           (SELECT (t.arrival_at AT TIME ZONE \(zone))::date FROM report_order_durations t
                            WHERE t.tenant_id = w.tenant_id AND t.work_order_id = w.id)]
                     || coalesce((SELECT array_agg(DISTINCT d) FROM work_order_sla_clocks c,
                                         LATERAL (VALUES ((c.met_at AT TIME ZONE \(zone))::date), ((c.breached_at AT TIME ZONE \(zone))::date)) AS v (d)
                                  WHERE c.tenant_id = w.tenant_id AND c.work_order_id = w.id AND d IS NOT NULL), '{}')
                     || coalesce((SELECT array_agg(DISTINCT d) FROM (
                                      SELECT (a.assigned_at AT TIME ZONE \(zone))::date AS d FROM dispatch_assignments a
                                      WHERE a.tenant_id = w.tenant_id AND a.work_order_id = w.id
                                      UNION SELECT (o.answered_at AT TIME ZONE \(zone))::date FROM dispatch_offers o
                                      WHERE o.tenant_id = w.tenant_id AND o.work_order_id = w.id AND o.state = 'declined'
                                      UNION SELECT (v.checked_out_at AT TIME ZONE \(zone))::date FROM work_order_visits v
                                      WHERE v.tenant_id = w.tenant_id AND v.work_order_id = w.id AND v.checked_out_at IS NOT NULL
                                      UNION SELECT (t.requested_at AT TIME ZONE \(zone))::date FROM transfer_requests t
                                      WHERE t.tenant_id = w.tenant_id AND t.work_order_id = w.id) AS engineer_days), '{}'), NULL)
        """
    }

    /// Each day's durations, by the day each ended (accepted, first on site, completed): per
    /// group, and counted by length over all groups.
    private func recountDurations(days: [String], zone: String) throws {
        try transaction.execute("DELETE FROM report_daily_durations WHERE tenant_id = \(tenantID) AND day = ANY (\(days)::date[])")
        try transaction.execute("""
            WITH days AS (
                SELECT d, d::timestamp AT TIME ZONE \(zone) AS low, (d + 1)::timestamp AT TIME ZONE \(zone) AS high
                FROM unnest(\(days)::date[]) AS d
            ), ended AS (
                SELECT days.d AS day, t.work_order_id, 'first_response' AS measure, t.first_response_minutes AS minutes
                FROM report_order_durations t, days
                WHERE t.tenant_id = \(tenantID) AND t.first_response_at >= days.low AND t.first_response_at < days.high
                UNION ALL
                SELECT days.d, t.work_order_id, 'arrival', t.arrival_minutes FROM report_order_durations t, days
                WHERE t.tenant_id = \(tenantID) AND t.arrival_at >= days.low AND t.arrival_at < days.high
                UNION ALL
                SELECT days.d, t.work_order_id, 'resolution', t.resolution_minutes FROM report_order_durations t, days
                WHERE t.tenant_id = \(tenantID) AND t.resolution_at >= days.low AND t.resolution_at < days.high
            )
            INSERT INTO report_daily_durations (tenant_id, day, shop_id, channel, type_id, measure, minutes)
            SELECT \(tenantID), e.day, coalesce(w.shop_id, \(Self.noShop)), w.channel, w.type_id, e.measure, array_agg(e.minutes ORDER BY e.minutes)
            FROM ended e JOIN work_orders w ON w.tenant_id = \(tenantID) AND w.id = e.work_order_id
            GROUP BY 2, 3, 4, 5, 6
            """)
        try transaction.execute("DELETE FROM report_daily_waits WHERE tenant_id = \(tenantID) AND day = ANY (\(days)::date[])")
        try transaction.execute("""
            INSERT INTO report_daily_waits (tenant_id, day, measure, minutes, waits)
            SELECT \(tenantID), r.day, r.measure, m, count(*) FROM report_daily_durations r, unnest(r.minutes) AS m
            WHERE r.tenant_id = \(tenantID) AND r.day = ANY (\(days)::date[])
            GROUP BY 2, 3, 4
            """)
    }

    /// Each engineer's day: assignments, completions as the assignee, declined offers, transfer
    /// requests, and minutes on site (on the check-out day).
    private func recountEngineers(days: [String], zone: String) throws {
        try transaction.execute("DELETE FROM report_daily_engineers WHERE tenant_id = \(tenantID) AND day = ANY (\(days)::date[])")
        try transaction.execute("""
            WITH days AS (
                SELECT d, d::timestamp AT TIME ZONE \(zone) AS low, (d + 1)::timestamp AT TIME ZONE \(zone) AS high
                FROM unnest(\(days)::date[]) AS d
            )
            INSERT INTO report_daily_engineers (tenant_id, day, engineer_id, assigned, completed, declined, transfer_requests, minutes_on_site)
            SELECT \(tenantID), day, engineer_id, sum(assigned), sum(completed), sum(declined), sum(requests), sum(minutes)
            FROM (
                SELECT days.d AS day, a.engineer_id, 1 AS assigned, 0 AS completed, 0 AS declined,
                       0 AS requests, 0 AS minutes
                FROM dispatch_assignments a, days
                WHERE a.tenant_id = \(tenantID) AND a.assigned_at >= days.low AND a.assigned_at < days.high
                UNION ALL
                SELECT days.d, w.assignee_id, 0, 1, 0, 0, 0
                FROM work_orders w, days
                WHERE w.tenant_id = \(tenantID) AND w.assignee_id IS NOT NULL AND w.completed_at >= days.low AND w.completed_at < days.high
                UNION ALL
                SELECT days.d, o.engineer_id, 0, 0, 1, 0, 0
                FROM dispatch_offers o, days
                WHERE o.tenant_id = \(tenantID) AND o.state = 'declined' AND o.answered_at >= days.low AND o.answered_at < days.high
                UNION ALL
                SELECT days.d, t.engineer_id, 0, 0, 0, 1, 0
                FROM transfer_requests t, days
                WHERE t.tenant_id = \(tenantID) AND t.requested_at >= days.low AND t.requested_at < days.high
                UNION ALL
                SELECT days.d, v.engineer_id, 0, 0, 0, 0,
                       (extract(epoch FROM v.checked_out_at - v.checked_in_at) / 60)::int
                FROM work_order_visits v, days
                WHERE v.tenant_id = \(tenantID) AND v.checked_out_at >= days.low AND v.checked_out_at < days.high
            ) AS counted
            GROUP BY day, engineer_id
            """)
    }

    /// Works out the orders' response, arrival and resolution times from their report and keeps
    /// them: in business time on the SLA policy's calendar where the policy counts that target in
    /// business time, otherwise every minute.
    private func measureDurations(orders: [UUID], timings: SLATimings) throws {
        var ids: [UUID] = []
        var ends: [[String]] = [[], [], []]
        var lengths: [[Int]] = [[], [], []]
        for row in try transaction.query("""
            SELECT w.id, w.created_at, (w.milestones ->> 'accepted')::timestamptz AS accepted_at, w.completed_at,
                   (SELECT min(v.checked_in_at) FROM work_order_visits v WHERE v.tenant_id = w.tenant_id AND v.work_order_id = w.id) AS arrived_at,
                   (SELECT c.policy_id FROM work_order_sla_clocks c WHERE c.tenant_id = w.tenant_id AND c.work_order_id = w.id LIMIT 1) AS policy_id
            FROM work_orders w WHERE w.tenant_id = \(tenantID) AND w.id = ANY (\(orders)::uuid[])
            """).rows {
            let created: Date = try row.decode("created_at")
            let plan = try (row.decode("policy_id") as UUID?).flatMap { timings.byPolicy[$0] }
            func minutes(_ target: SLARules.Target, until end: Date?) -> Int? {
                guard let end else { return nil }
                let seconds = plan.flatMap { plan in plan.rules.goal(target).flatMap { $0.businessTime ? plan.calendar : nil } }
                    .map { SLAClock.elapsed(from: created, to: end, calendar: $0) } ?? end.timeIntervalSince(created)
                return max(0, Int((seconds / 60).rounded()))
            }
            ids.append(try row.decode("id"))
            for (index, (target, end)) in [(SLARules.Target.firstResponse, try row.decode("accepted_at", as: Date?.self)),
                                           (.arrival, try row.decode("arrived_at", as: Date?.self)),
                                           (.resolution, try row.decode("completed_at", as: Date?.self))].enumerated() {
                ends[index].append(end?.postgresText ?? "")
                lengths[index].append(minutes(target, until: end) ?? -1)
            }
        }
        guard !ids.isEmpty else { return }
        // Parallel arrays hold no NULLs: an empty moment and -1 minutes stand for "not yet".
        try transaction.execute("""
            INSERT INTO report_order_durations (tenant_id, work_order_id, first_response_at, first_response_minutes, arrival_at, arrival_minutes,
                                                resolution_at, resolution_minutes)
            SELECT \(tenantID), m.id, nullif(m.first_response_at, '')::timestamptz, nullif(m.first_response_minutes, -1),
                   nullif(m.arrival_at, '')::timestamptz, nullif(m.arrival_minutes, -1),
                   nullif(m.resolution_at, '')::timestamptz, nullif(m.resolution_minutes, -1)
            FROM unnest(\(ids)::uuid[], \(ends[0])::text[], \(lengths[0])::int[], \(ends[1])::text[], \(lengths[1])::int[],
                        \(ends[2])::text[], \(lengths[2])::int[])
                AS m (id, first_response_at, first_response_minutes, arrival_at, arrival_minutes, resolution_at, resolution_minutes)
            ON CONFLICT (tenant_id, work_order_id) DO UPDATE SET
                first_response_at = excluded.first_response_at, first_response_minutes = excluded.first_response_minutes,
                arrival_at = excluded.arrival_at, arrival_minutes = excluded.arrival_minutes,
                resolution_at = excluded.resolution_at, resolution_minutes = excluded.resolution_minutes
            """)
    }

    /// One recount of the tenant's rollups at a time (the worker's, an admin's rebuild).
    private func lock() throws {
        _ = try transaction.query("SELECT pg_advisory_xact_lock(hashtextextended(\("report:" + tenantID.lowercasedText), 0))")
    }

    private func recount(days: [String], zone: String) throws {
        guard !days.isEmpty else { return }
        try transaction.execute("DELETE FROM report_daily_orders WHERE tenant_id = \(tenantID) AND day = ANY (\(days)::date[])")
        // Each kind of event counts on its own day: each branch reads the days one by one through
        // its index (a range from the earliest to the latest day would read every day between).
        try transaction.execute("""
            WITH days AS (
                SELECT d, d::timestamp AT TIME ZONE \(zone) AS low, (d + 1)::timestamp AT TIME ZONE \(zone) AS high
                FROM unnest(\(days)::date[]) AS d
            )
            INSERT INTO report_daily_orders (tenant_id, day, shop_id, channel, type_id, created, completed, cancelled, rated, score_sum,
                                             score_1, score_2, score_3, score_4, score_5, reworked)
            SELECT \(tenantID), day, shop_id, channel, type_id, sum(created), sum(completed), sum(cancelled), sum(rated), sum(score),
                   count(*) FILTER (WHERE score = 1), count(*) FILTER (WHERE score = 2), count(*) FILTER (WHERE score = 3),
                   count(*) FILTER (WHERE score = 4), count(*) FILTER (WHERE score = 5), sum(reworked)
            FROM (
                SELECT days.d AS day, coalesce(shop_id, \(Self.noShop)) AS shop_id, channel, type_id,
                       1 AS created, 0 AS completed, 0 AS cancelled, 0 AS rated, 0 AS score, 0 AS reworked
                FROM work_orders, days
                WHERE tenant_id = \(tenantID) AND created_at >= days.low AND created_at < days.high
                UNION ALL
                -- An order reopened for rework is no first-time fix, counted on its (last) completion day.
                SELECT days.d, coalesce(shop_id, \(Self.noShop)), channel, type_id, 0, 1, 0, 0, 0,
                       (milestones ? 'reopened')::int
                FROM work_orders, days
                WHERE tenant_id = \(tenantID) AND completed_at >= days.low AND completed_at < days.high
                UNION ALL
                SELECT days.d, coalesce(shop_id, \(Self.noShop)), channel, type_id, 0, 0, 1, 0, 0, 0
                FROM work_orders, days
                WHERE tenant_id = \(tenantID) AND cancelled_at >= days.low AND cancelled_at < days.high
                UNION ALL
                SELECT days.d, coalesce(w.shop_id, \(Self.noShop)), w.channel, w.type_id, 0, 0, 0, 1, r.score, 0
                FROM work_order_ratings r JOIN work_orders w ON w.tenant_id = r.tenant_id AND w.id = r.work_order_id, days
                WHERE r.tenant_id = \(tenantID) AND r.rated_at >= days.low AND r.rated_at < days.high
            ) AS counted
            GROUP BY day, shop_id, channel, type_id
            """)
        // Parts consumed on the days, valued at the catalogue price (the ledger keeps quantities only).
        try transaction.execute("DELETE FROM report_daily_parts WHERE tenant_id = \(tenantID) AND day = ANY (\(days)::date[])")
        try transaction.execute("""
            WITH days AS (
                SELECT d, d::timestamp AT TIME ZONE \(zone) AS low, (d + 1)::timestamp AT TIME ZONE \(zone) AS high
                FROM unnest(\(days)::date[]) AS d
            )
            INSERT INTO report_daily_parts (tenant_id, day, shop_id, part_id, quantity, cost)
            SELECT \(tenantID), days.d, m.shop_id, m.part_id, sum(-m.on_hand_change),
                   sum(-m.on_hand_change * p.price)
            FROM stock_movements m JOIN parts p ON p.tenant_id = m.tenant_id AND p.id = m.part_id, days
            WHERE m.tenant_id = \(tenantID) AND m.kind = 'consumption' AND m.created_at >= days.low AND m.created_at < days.high
            GROUP BY 2, 3, 4
            """)
        try recountEngineers(days: days, zone: zone)
        try recountDurations(days: days, zone: zone)
        try transaction.execute("DELETE FROM report_daily_sla WHERE tenant_id = \(tenantID) AND day = ANY (\(days)::date[])")
        // A target met in time counts on the day it was met; a breach on the day it happened.
        try transaction.execute("""
            WITH days AS (
                SELECT d, d::timestamp AT TIME ZONE \(zone) AS low, (d + 1)::timestamp AT TIME ZONE \(zone) AS high
                FROM unnest(\(days)::date[]) AS d
            )
            INSERT INTO report_daily_sla (tenant_id, day, shop_id, channel, type_id, target, met, breached)
            SELECT \(tenantID), day, shop_id, channel, type_id, target, sum(met), sum(breached)
            FROM (
                SELECT days.d AS day, coalesce(w.shop_id, \(Self.noShop)) AS shop_id, w.channel, w.type_id,
                       c.target, 1 AS met, 0 AS breached
                FROM work_order_sla_clocks c JOIN work_orders w ON w.tenant_id = c.tenant_id AND w.id = c.work_order_id, days
                WHERE c.tenant_id = \(tenantID) AND c.state = 'met' AND c.met_at >= days.low AND c.met_at < days.high
                UNION ALL
                SELECT days.d, coalesce(w.shop_id, \(Self.noShop)), w.channel, w.type_id, c.target, 0, 1
                FROM work_order_sla_clocks c JOIN work_orders w ON w.tenant_id = c.tenant_id AND w.id = c.work_order_id, days
                WHERE c.tenant_id = \(tenantID) AND c.breached_at >= days.low AND c.breached_at < days.high
            ) AS counted
            GROUP BY day, shop_id, channel, type_id, target
            """)
    }
}
