import Foundation
import PitstopCore
import Postgres

// Reading the report rollups back, grouped as each report asks.
extension ReportRepository {
    /// How a report's rows are grouped.
    public enum Grouping: String, Sendable, CaseIterable {
        case day, week, month, shop, channel, type, engineer
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

    /// The group key over rollup rows `r`, and the name and join that label a group `g` where
    /// the grouping has names. Keys are grouped as they are and written as text only in the
    /// answer, weeks and months are found by date arithmetic, and names are joined after
    /// summing: over a year of rows, `date_trunc`, casts and joins per row were most of a
    /// report's time.
    static func grouping(_ grouping: Grouping) -> (key: String, label: String, join: String) {
        let key: String = switch grouping {
        case .day: "r.day"
        case .week: "(r.day - (extract(isodow FROM r.day)::int - 1))"
        case .month: "(r.day - (extract(day FROM r.day)::int - 1))"
        case .shop: "r.shop_id"
        case .channel: "r.channel"
        case .type: "r.type_id"
        case .engineer: "r.engineer_id"
        }
        return switch grouping {
        case .shop: (key, "s.name", "LEFT JOIN shops s ON s.tenant_id = g.tenant_id AND s.id = g.k")
        case .type: (key, "t.name", "LEFT JOIN work_order_types t ON t.tenant_id = g.tenant_id AND t.id = g.k")
        case .engineer: (key, "e.name", "LEFT JOIN engineers e ON e.tenant_id = g.tenant_id AND e.id = g.k")
        case .day, .week, .month, .channel: (key, "NULL::text", "")
        }
    }

    /// The rows of `inner` — which selects `r.tenant_id`, the grouping's key as `k` and its sums,
    /// grouped by both — with each group's `key` as text and its `label`, in key order (then
    /// `order`).
    func labelled(_ grouping: Grouping, _ inner: SQL, order: String = "") throws -> [Row] {
        let (_, label, join) = Self.grouping(grouping)
        return try transaction.query("""
            SELECT (g.k)::text AS key, \(unsafeRaw: label) AS label, g.*
            FROM (\(inner)) AS g
            \(unsafeRaw: join)
            ORDER BY g.k\(unsafeRaw: order)
            """).rows
    }

    /// Sums over rollup table `table` (aliased `r`) for days `first` through `last`, grouped as
    /// asked, with the group's `key` and `label`; `shop` narrows it to one shop (nil: all, and
    /// the only choice for tables without shops).
    func grouped(_ table: String, sums: String, grouping: Grouping, from first: String, to last: String, shop: UUID?,
                 having: String = "") throws -> [Row] {
        let key = Self.grouping(grouping).key
        let shopFilter: SQL = shop == nil ? "" : "AND r.shop_id = \(shop)"
        return try labelled(grouping, """
            SELECT r.tenant_id, \(unsafeRaw: key) AS k, \(unsafeRaw: sums)
            FROM \(unsafeRaw: table) r
            WHERE r.tenant_id = \(tenantID) AND r.day BETWEEN \(first)::date AND \(last)::date \(shopFilter)
            GROUP BY r.tenant_id, \(unsafeRaw: key) \(unsafeRaw: having)
            """)
    }

    /// Orders created, completed and cancelled on days `first` through `last`, grouped, from the
    /// rollups; `shop` keeps one shop's.
    public func orders(from first: String, to last: String, groupBy grouping: Grouping, shop: UUID?) throws -> [OrderCounts] {
        try grouped("report_daily_orders", sums: "sum(r.created)::int AS created, sum(r.completed)::int AS completed, sum(r.cancelled)::int AS cancelled",
                    grouping: grouping, from: first, to: last, shop: shop).map {
            OrderCounts(key: try $0.decode("key"), label: try $0.decode("label"), created: try $0.decode("created"),
                        completed: try $0.decode("completed"), cancelled: try $0.decode("cancelled"))
        }
    }
}

extension ReportRepository {
    /// Per SLA target: met in time, and breached.
    public struct TargetCounts: Sendable, Equatable {
        public var met: Int
        public var breached: Int

        public init(met: Int, breached: Int) {
            self.met = met
            self.breached = breached
        }
    }

    public struct SLACounts: Sendable, Equatable {
        public var key: String
        public var label: String?
        /// By target name.
        public var targets: [String: TargetCounts]
    }

    /// SLA targets met and breached on days `first` through `last`, grouped.
    public func sla(from first: String, to last: String, groupBy grouping: Grouping, shop: UUID?) throws -> [SLACounts] {
        let key = Self.grouping(grouping).key
        let rows = try labelled(grouping, """
            SELECT r.tenant_id, \(unsafeRaw: key) AS k, r.target, sum(r.met)::int AS met, sum(r.breached)::int AS breached
            FROM report_daily_sla r
            WHERE r.tenant_id = \(tenantID) AND r.day BETWEEN \(first)::date AND \(last)::date
              AND (\(shop)::uuid IS NULL OR r.shop_id = \(shop)::uuid)
            GROUP BY r.tenant_id, \(unsafeRaw: key), r.target
            """, order: ", g.target")
        var out: [SLACounts] = []
        for row in rows {
            let key: String = try row.decode("key")
            if out.last?.key != key { out.append(SLACounts(key: key, label: try row.decode("label"), targets: [:])) }
            out[out.count - 1].targets[try row.decode("target")] = TargetCounts(met: try row.decode("met"), breached: try row.decode("breached"))
        }
        return out
    }

    public struct Satisfaction: Sendable, Equatable {
        public var key: String
        public var label: String?
        public var rated: Int
        public var scoreSum: Int
        /// How many gave 1, 2, 3, 4 and 5.
        public var distribution: [Int]
        /// Orders completed in the same group and days (the response rate's base).
        public var completed: Int
    }

    /// Ratings given on days `first` through `last`, grouped, with the orders completed then.
    public func satisfaction(from first: String, to last: String, groupBy grouping: Grouping, shop: UUID?) throws -> [Satisfaction] {
        try grouped("report_daily_orders", sums: """
            sum(r.rated)::int AS rated, sum(r.score_sum)::int AS score_sum, sum(r.score_1)::int AS s1, sum(r.score_2)::int AS s2,
            sum(r.score_3)::int AS s3, sum(r.score_4)::int AS s4, sum(r.score_5)::int AS s5, sum(r.completed)::int AS completed
            """, grouping: grouping, from: first, to: last, shop: shop, having: "HAVING sum(r.rated) > 0 OR sum(r.completed) > 0").map { row in
            Satisfaction(key: try row.decode("key"), label: try row.decode("label"), rated: try row.decode("rated"),
                         scoreSum: try row.decode("score_sum"), distribution: try ["s1", "s2", "s3", "s4", "s5"].map { try row.decode($0) },
                         completed: try row.decode("completed"))
        }
    }
}

extension ReportRepository {
    public struct Rework: Sendable, Equatable {
        public var key: String
        public var label: String?
        public var completed: Int
        /// Of those, reopened for rework.
        public var reworked: Int
    }

    /// Orders completed on days `first` through `last`, and how many of them were reworked.
    public func firstTimeFix(from first: String, to last: String, groupBy grouping: Grouping, shop: UUID?) throws -> [Rework] {
        try grouped("report_daily_orders", sums: "sum(r.completed)::int AS completed, sum(r.reworked)::int AS reworked",
                    grouping: grouping, from: first, to: last, shop: shop, having: "HAVING sum(r.completed) > 0").map {
            Rework(key: try $0.decode("key"), label: try $0.decode("label"), completed: try $0.decode("completed"), reworked: try $0.decode("reworked"))
        }
    }

    public struct PartsUse: Sendable, Equatable {
        public var key: String
        public var label: String?
        public var quantity: Double
        public var cost: Double
    }

    /// Parts consumed on days `first` through `last` and their cost, grouped by day, week, month
    /// or shop (parts have no channel or type).
    public func parts(from first: String, to last: String, groupBy grouping: Grouping, shop: UUID?) throws -> [PartsUse] {
        precondition([.day, .week, .month, .shop].contains(grouping), "parts are grouped by time or shop")
        return try grouped("report_daily_parts", sums: "sum(r.quantity)::float8 AS quantity, sum(r.cost)::float8 AS cost",
                           grouping: grouping, from: first, to: last, shop: shop).map {
            PartsUse(key: try $0.decode("key"), label: try $0.decode("label"), quantity: try $0.decode("quantity"), cost: try $0.decode("cost"))
        }
    }
}

extension ReportRepository {
    public struct Workload: Sendable, Equatable {
        public var key: String
        public var label: String?
        public var assigned: Int
        public var completed: Int
        public var declined: Int
        public var transferRequests: Int
        public var minutesOnSite: Int
        /// Orders the engineer holds open now (by engineer only).
        public var openNow: Int?
    }

    /// Engineers' work on days `first` through `last`, by day, week, month or engineer.
    public func workload(from first: String, to last: String, groupBy grouping: Grouping) throws -> [Workload] {
        precondition([.day, .week, .month, .engineer].contains(grouping), "workload is grouped by time or engineer")
        var rows = try grouped("report_daily_engineers", sums: """
            sum(r.assigned)::int AS assigned, sum(r.completed)::int AS completed, sum(r.declined)::int AS declined,
            sum(r.transfer_requests)::int AS requests, sum(r.minutes_on_site)::int AS minutes
            """, grouping: grouping, from: first, to: last, shop: nil).map {
            Workload(key: try $0.decode("key"), label: try $0.decode("label"), assigned: try $0.decode("assigned"),
                     completed: try $0.decode("completed"), declined: try $0.decode("declined"), transferRequests: try $0.decode("requests"),
                     minutesOnSite: try $0.decode("minutes"), openNow: nil)
        }
        guard grouping == .engineer else { return rows }
        // Open now is the present, not a rollup: counted live, by the assignee index.
        var open: [String: Int] = [:]
        for row in try transaction.query("""
            SELECT assignee_id::text AS engineer, count(*)::int AS n FROM work_orders
            WHERE tenant_id = \(tenantID) AND assignee_id IS NOT NULL AND status NOT IN ('completed', 'cancelled')
            GROUP BY 1
            """).rows {
            open[try row.decode("engineer")] = try row.decode("n")
        }
        for index in rows.indices { rows[index].openNow = open[rows[index].key] ?? 0 }
        return rows
    }
}

extension ReportRepository {
    /// One group's waits, by measure.
    public struct Durations: Sendable, Equatable {
        public var key: String
        public var label: String?
        /// By measure: first_response, arrival, resolution.
        public var measures: [String: MinuteDistribution]
    }

    /// Response, arrival and resolution times that ended on days `first` through `last`,
    /// grouped, and over all of them (`total`), as distributions for exact medians and 90th
    /// percentiles. The database counts the waits of each length in a group (hashing, not
    /// sorting); the rest is arithmetic on those counts.
    public func durations(from first: String, to last: String, groupBy grouping: Grouping, shop: UUID?) throws
        -> (rows: [Durations], total: [String: MinuteDistribution]) {
        let key = Self.grouping(grouping).key
        var rows: [Durations] = []
        var total: [String: MinuteDistribution] = [:]
        // Over time for every shop, the day's counts by length will do; otherwise each group's waits.
        let counted: SQL = shop == nil && [.day, .week, .month].contains(grouping) ? """
            SELECT r.tenant_id, \(unsafeRaw: key) AS k, r.measure, r.minutes, sum(r.waits)::int AS n
            FROM report_daily_waits r
            WHERE r.tenant_id = \(tenantID) AND r.day BETWEEN \(first)::date AND \(last)::date
            GROUP BY r.tenant_id, \(unsafeRaw: key), r.measure, r.minutes
            """ : """
            SELECT r.tenant_id, \(unsafeRaw: key) AS k, r.measure, m AS minutes, count(*)::int AS n
            FROM report_daily_durations r
            CROSS JOIN LATERAL unnest(r.minutes) AS m
            WHERE r.tenant_id = \(tenantID) AND r.day BETWEEN \(first)::date AND \(last)::date
              AND (\(shop)::uuid IS NULL OR r.shop_id = \(shop)::uuid)
            GROUP BY r.tenant_id, \(unsafeRaw: key), r.measure, m
            """
        for row in try labelled(grouping, counted) {
            let key: String = try row.decode("key")
            let measure: String = try row.decode("measure")
            let (minutes, count): (Int, Int) = (try row.decode("minutes"), try row.decode("n"))
            if rows.last?.key != key { rows.append(Durations(key: key, label: try row.decode("label"), measures: [:])) }
            rows[rows.count - 1].measures[measure, default: MinuteDistribution()].add(minutes, count: count)
            total[measure, default: MinuteDistribution()].add(minutes, count: count)
        }
        return (rows, total)
    }
}

extension ReportRepository {
    /// The orders open now in one group, by status.
    public struct Backlog: Sendable, Equatable {
        public var key: String
        public var label: String?
        public var open: [String: Int]
    }

    /// The open backlog now, by status, grouped by shop, channel or type; `shop` keeps one shop's.
    public func backlog(groupBy grouping: Grouping, shop: UUID?) throws -> [Backlog] {
        precondition([.shop, .channel, .type].contains(grouping), "the backlog is the present: grouped by shop, channel or type")
        let key = Self.grouping(grouping).key
        var out: [Backlog] = []
        for row in try labelled(grouping, """
            SELECT r.tenant_id, \(unsafeRaw: key) AS k, r.status, sum(r.open)::int AS open
            FROM report_backlog r
            WHERE r.tenant_id = \(tenantID) AND r.open > 0 AND (\(shop)::uuid IS NULL OR r.shop_id = \(shop)::uuid)
            GROUP BY r.tenant_id, \(unsafeRaw: key), r.status
            """, order: ", g.status") {
            let key: String = try row.decode("key")
            if out.last?.key != key { out.append(Backlog(key: key, label: try row.decode("label"), open: [:])) }
            out[out.count - 1].open[try row.decode("status")] = try row.decode("open")
        }
        return out
    }
}
