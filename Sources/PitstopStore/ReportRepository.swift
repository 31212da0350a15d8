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

    /// Recounts the days `orders` were counted on before and are counted on now (created,
    /// completed, cancelled, as days in `zone`); returns how many days were recounted.
    @discardableResult
    public func recount(orders: [UUID], zone: String) throws -> Int {
        try lock()
        let days: [String] = try transaction.query("""
            WITH fresh AS (
                SELECT id, array_remove(ARRAY[(created_at AT TIME ZONE \(zone))::date, (completed_at AT TIME ZONE \(zone))::date,
                                              (cancelled_at AT TIME ZONE \(zone))::date], NULL) AS days
                FROM work_orders WHERE tenant_id = \(tenantID) AND id = ANY (\(orders)::uuid[])
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

    /// Recounts days `first` through `last` from the orders themselves, and notes for every order
    /// counted there which days it is on (a backfill, or a repair after data came in by hand).
    public func rebuild(from first: String, to last: String, zone: String) throws -> Int {
        try lock()
        let days: [String] = try transaction.query("""
            SELECT d::date::text AS day FROM generate_series(\(first)::date, \(last)::date, interval '1 day') AS d
            """).rows.map { try $0.decode("day") }
        try transaction.execute("""
            INSERT INTO report_order_days (tenant_id, work_order_id, days)
            SELECT tenant_id, id, array_remove(ARRAY[(created_at AT TIME ZONE \(zone))::date, (completed_at AT TIME ZONE \(zone))::date,
                                                    (cancelled_at AT TIME ZONE \(zone))::date], NULL)
            FROM work_orders
            WHERE tenant_id = \(tenantID)
              AND (created_at >= \(first)::date::timestamp AT TIME ZONE \(zone) AND created_at < (\(last)::date + 1)::timestamp AT TIME ZONE \(zone)
                   OR completed_at >= \(first)::date::timestamp AT TIME ZONE \(zone) AND completed_at < (\(last)::date + 1)::timestamp AT TIME ZONE \(zone)
                   OR cancelled_at >= \(first)::date::timestamp AT TIME ZONE \(zone) AND cancelled_at < (\(last)::date + 1)::timestamp AT TIME ZONE \(zone))
            ON CONFLICT (tenant_id, work_order_id) DO UPDATE SET days = excluded.days
            """)
        try recount(days: days, zone: zone)
        return days.count
    }

    /// One recount of the tenant's rollups at a time (the worker's, an admin's rebuild).
    private func lock() throws {
        _ = try transaction.query("SELECT pg_advisory_xact_lock(hashtextextended(\("report:" + tenantID.lowercasedText), 0))")
    }

    private func recount(days: [String], zone: String) throws {
        guard !days.isEmpty else { return }
        try transaction.execute("DELETE FROM report_daily_orders WHERE tenant_id = \(tenantID) AND day = ANY (\(days)::date[])")
        // Each kind of event counts on its own day; the range's bounds let each branch use its index.
        try transaction.execute("""
            WITH bounds AS (
                SELECT min(d)::timestamp AT TIME ZONE \(zone) AS low, (max(d) + 1)::timestamp AT TIME ZONE \(zone) AS high
                FROM unnest(\(days)::date[]) AS d
            )
            INSERT INTO report_daily_orders (tenant_id, day, shop_id, channel, type_id, created, completed, cancelled)
            SELECT \(tenantID), day, shop_id, channel, type_id, sum(created), sum(completed), sum(cancelled)
            FROM (
                SELECT (created_at AT TIME ZONE \(zone))::date AS day, coalesce(shop_id, \(Self.noShop)) AS shop_id, channel, type_id,
                       1 AS created, 0 AS completed, 0 AS cancelled
                FROM work_orders, bounds
                WHERE tenant_id = \(tenantID) AND created_at >= bounds.low AND created_at < bounds.high
                  AND (created_at AT TIME ZONE \(zone))::date = ANY (\(days)::date[])
                UNION ALL
                SELECT (completed_at AT TIME ZONE \(zone))::date, coalesce(shop_id, \(Self.noShop)), channel, type_id, 0, 1, 0
                FROM work_orders, bounds
                WHERE tenant_id = \(tenantID) AND completed_at >= bounds.low AND completed_at < bounds.high
                  AND (completed_at AT TIME ZONE \(zone))::date = ANY (\(days)::date[])
                UNION ALL
                SELECT (cancelled_at AT TIME ZONE \(zone))::date, coalesce(shop_id, \(Self.noShop)), channel, type_id, 0, 0, 1
                FROM work_orders, bounds
                WHERE tenant_id = \(tenantID) AND cancelled_at >= bounds.low AND cancelled_at < bounds.high
                  AND (cancelled_at AT TIME ZONE \(zone))::date = ANY (\(days)::date[])
            ) AS counted
            GROUP BY day, shop_id, channel, type_id
            """)
    }
}

extension ReportRepository {
    /// How a report's rows are grouped.
    public enum Grouping: String, Sendable, CaseIterable {
        case day, week, month, shop, channel, type
    }

    public struct OrderCounts: Sendable, Equatable {
        /// The day, week (its Monday) or month (its first day) as YYYY-MM-DD, or the shop's,
        /// type's id or the channel's name.
        public var key: String
        /// The shop's or type's name, when grouped by them.
        public var label: String?
        public var created: Int
        public var completed: Int
        public var cancelled: Int
    }

    /// Orders created, completed and cancelled on days `first` through `last`, grouped, from the
    /// rollups; `shop` keeps one shop's.
    public func orders(from first: String, to last: String, groupBy grouping: Grouping, shop: UUID?) throws -> [OrderCounts] {
        let key: String = switch grouping {
        case .day: "r.day::text"
        case .week: "date_trunc('week', r.day)::date::text"
        case .month: "date_trunc('month', r.day)::date::text"
        case .shop: "r.shop_id::text"
        case .channel: "r.channel"
        case .type: "r.type_id::text"
        }
        // Names are joined in only for the groupings that show them.
        let (label, join): (String, String) = switch grouping {
        case .shop: ("min(s.name)", "LEFT JOIN shops s ON s.tenant_id = r.tenant_id AND s.id = r.shop_id")
        case .type: ("min(t.name)", "LEFT JOIN work_order_types t ON t.tenant_id = r.tenant_id AND t.id = r.type_id")
        case .day, .week, .month, .channel: ("NULL::text", "")
        }
        return try transaction.query("""
            SELECT \(unsafeRaw: key) AS key, \(unsafeRaw: label) AS label, sum(r.created)::int AS created, sum(r.completed)::int AS completed,
                   sum(r.cancelled)::int AS cancelled
            FROM report_daily_orders r
            \(unsafeRaw: join)
            WHERE r.tenant_id = \(tenantID) AND r.day BETWEEN \(first)::date AND \(last)::date
              AND (\(shop)::uuid IS NULL OR r.shop_id = \(shop)::uuid)
            GROUP BY 1
            ORDER BY 1
            """).rows.map {
                OrderCounts(key: try $0.decode("key"), label: try $0.decode("label"), created: try $0.decode("created"),
                            completed: try $0.decode("completed"), cancelled: try $0.decode("cancelled"))
            }
    }
}
