import Foundation
import HTTPServer
import PitstopCore
import PitstopStore

/// A report as rows of numbers under named columns, whatever the report: what JSON, CSV and the
/// chart are made from.
struct ReportTable {
    struct Row {
        var key: String
        var label: String?
        /// One a column; nil where a rate has nothing to divide.
        var values: [Double?]
    }

    var name: String
    var title: String
    var columns: [String]
    var rows: [Row]
    var totals: [Double?]
    /// The columns a chart draws, with their Chinese names.
    var chartSeries: [(Int, String)]
    var from: String
    var to: String
    var groupBy: String

    static func make(_ report: ReportName, query: ReportQuery, scope: TenantScope) throws -> ReportTable {
        let (from, to, grouping, shop) = (query.from, query.to, query.groupBy, query.shop)
        guard report.groupings.contains(grouping) else {
            throw Problem.badQuery("group_by", "must be one of " + ReportRepository.Grouping.allCases.filter(report.groupings.contains)
                .map(\.rawValue).joined(separator: ", ") + " for \(report.rawValue)")
        }
        switch report {
        case .times:
            let measures = ["first_response", "arrival", "resolution"]
            func values(_ waits: [String: MinuteDistribution]) -> [Double?] {
                measures.flatMap { measure -> [Double?] in
                    let wait = waits[measure] ?? MinuteDistribution()
                    return [Double(wait.count)] + [wait.average, wait.percentile(0.5), wait.percentile(0.9)].map { $0.map { ($0 * 10).rounded() / 10 } }
                }
            }
            let (rows, total) = try scope.reports.durations(from: from, to: to, groupBy: grouping, shop: shop)
            return ReportTable(name: report.rawValue, title: "平均用时（分钟）",
                               columns: measures.flatMap { ["\($0)_count", "\($0)_average", "\($0)_median", "\($0)_p90"] },
                               rows: rows.map { Row(key: $0.key, label: $0.label, values: values($0.measures)) }, totals: values(total),
                               chartSeries: [(1, "首次响应"), (5, "到场"), (9, "解决")], from: from, to: to, groupBy: grouping.rawValue)
        case .workload:
            guard shop == nil else { throw Problem.badQuery("shop", "does not apply to workload; group by engineer") }
            let rows = try scope.reports.workload(from: from, to: to, groupBy: grouping)
            func values(_ row: ReportRepository.Workload) -> [Double?] {
                [Double(row.assigned), Double(row.completed), Double(row.declined), Double(row.transferRequests),
                 (Double(row.minutesOnSite) / 6).rounded() / 10, row.openNow.map(Double.init)]
            }
            let sums = (0..<5).map { column in rows.map(values).reduce(0.0) { $0 + ($1[column] ?? 0) } }
            return ReportTable(name: report.rawValue, title: "工程师工作量",
                               columns: ["assigned", "completed", "declined", "transfer_requests", "hours_on_site", "open_now"],
                               rows: rows.map { Row(key: $0.key, label: $0.label, values: values($0)) },
                               totals: sums.map { Optional(($0 * 10).rounded() / 10) }
                                   + [grouping == .engineer ? Double(rows.reduce(0) { $0 + ($1.openNow ?? 0) }) : nil],
                               chartSeries: [(0, "派单"), (1, "完成")], from: from, to: to, groupBy: grouping.rawValue)
        case .backlog:
            let statuses = WorkOrderStatus.allCases.filter(\.isOpen).map(\.rawValue)
            func values(_ open: [String: Int]) -> [Double?] {
                statuses.map { Double(open[$0] ?? 0) } + [Double(open.values.reduce(0, +))]
            }
            let rows = try scope.reports.backlog(groupBy: grouping, shop: shop)
            var total: [String: Int] = [:]
            for row in rows { total.merge(row.open, uniquingKeysWith: +) }
            return ReportTable(name: report.rawValue, title: "未完成工单", columns: statuses + ["open"],
                               rows: rows.map { Row(key: $0.key, label: $0.label, values: values($0.open)) }, totals: values(total),
                               chartSeries: [(statuses.count, "未完成")], from: from, to: to, groupBy: grouping.rawValue)
        case .orders:
            let rows = try scope.reports.orders(from: from, to: to, groupBy: grouping, shop: shop)
            let counts = rows.map { [$0.created, $0.completed, $0.cancelled].map(Double.init) }
            return ReportTable(name: report.rawValue, title: "工单数量", columns: ["created", "completed", "cancelled"],
                               rows: zip(rows, counts).map { Row(key: $0.key, label: $0.label, values: $1) },
                               totals: (0..<3).map { column in counts.reduce(0) { $0 + $1[column] } },
                               chartSeries: [(0, "新建"), (1, "完成"), (2, "取消")], from: from, to: to, groupBy: grouping.rawValue)
        case .sla:
            let targets = ["first_response", "arrival", "resolution"]
            let rows = try scope.reports.sla(from: from, to: to, groupBy: grouping, shop: shop)
            func values(_ counts: [String: ReportRepository.TargetCounts]) -> [Double?] {
                targets.flatMap { target -> [Double?] in
                    let met = counts[target]?.met ?? 0
                    let breached = counts[target]?.breached ?? 0
                    return [Double(met), Double(breached), met + breached == 0 ? nil : rate(met, of: met + breached)]
                }
            }
            var total: [String: ReportRepository.TargetCounts] = [:]
            for row in rows {
                for (target, counts) in row.targets {
                    total[target, default: .init(met: 0, breached: 0)].met += counts.met
                    total[target, default: .init(met: 0, breached: 0)].breached += counts.breached
                }
            }
            return ReportTable(name: report.rawValue, title: "SLA 达成率（%）",
                               columns: targets.flatMap { ["\($0)_met", "\($0)_breached", "\($0)_compliance"] },
                               rows: rows.map { Row(key: $0.key, label: $0.label, values: values($0.targets)) }, totals: values(total),
                               chartSeries: [(2, "首次响应"), (5, "到场"), (8, "解决")], from: from, to: to, groupBy: grouping.rawValue)
        case .firstTimeFix:
            let rows = try scope.reports.firstTimeFix(from: from, to: to, groupBy: grouping, shop: shop)
            func values(completed: Int, reworked: Int) -> [Double?] {
                [Double(completed), Double(reworked), completed == 0 ? nil : rate(completed - reworked, of: completed)]
            }
            return ReportTable(name: report.rawValue, title: "一次修复率（%）", columns: ["completed", "reworked", "first_time_fix_rate"],
                               rows: rows.map { Row(key: $0.key, label: $0.label, values: values(completed: $0.completed, reworked: $0.reworked)) },
                               totals: values(completed: rows.reduce(0) { $0 + $1.completed }, reworked: rows.reduce(0) { $0 + $1.reworked }),
                               chartSeries: [(2, "一次修复率")], from: from, to: to, groupBy: grouping.rawValue)
        case .parts:
            let rows = try scope.reports.parts(from: from, to: to, groupBy: grouping, shop: shop)
            return ReportTable(name: report.rawValue, title: "配件消耗（元）", columns: ["quantity", "cost"],
                               rows: rows.map { Row(key: $0.key, label: $0.label, values: [$0.quantity, $0.cost]) },
                               totals: [rows.reduce(0) { $0 + $1.quantity }, (rows.reduce(0) { $0 + $1.cost } * 100).rounded() / 100],
                               chartSeries: [(1, "金额")], from: from, to: to, groupBy: grouping.rawValue)
        case .satisfaction:
            let rows = try scope.reports.satisfaction(from: from, to: to, groupBy: grouping, shop: shop)
            func values(rated: Int, sum: Int, distribution: [Int], completed: Int) -> [Double?] {
                [Double(rated), rated == 0 ? nil : (Double(sum) / Double(rated) * 100).rounded() / 100]
                    + distribution.map(Double.init) + [Double(completed), completed == 0 ? nil : rate(rated, of: completed)]
            }
            let rated = rows.reduce(0) { $0 + $1.rated }
            let total = values(rated: rated, sum: rows.reduce(0) { $0 + $1.scoreSum },
                               distribution: (0..<5).map { score in rows.reduce(0) { $0 + $1.distribution[score] } },
                               completed: rows.reduce(0) { $0 + $1.completed })
            return ReportTable(name: report.rawValue, title: "客户满意度",
                               columns: ["rated", "average", "score_1", "score_2", "score_3", "score_4", "score_5", "completed", "response_rate"],
                               rows: rows.map { Row(key: $0.key, label: $0.label,
                                                    values: values(rated: $0.rated, sum: $0.scoreSum, distribution: $0.distribution,
                                                                   completed: $0.completed)) },
                               totals: total, chartSeries: [(1, "平均分")], from: from, to: to, groupBy: grouping.rawValue)
        }
    }

    /// A percentage with one decimal.
    static func rate(_ part: Int, of whole: Int) -> Double {
        (Double(part) / Double(whole) * 1000).rounded() / 10
    }

    /// A number as CSV shows it: whole numbers without a point, nothing for a missing rate.
    static func text(_ value: Double?) -> String {
        guard let value else { return "" }
        return Amount.text(value)
    }

    var body: AnalyticsReportBody {
        func object(_ values: [Double?]) -> [String: JSONValue] {
            Dictionary(uniqueKeysWithValues: zip(columns, values).map { ($0, $1.map(JSONValue.number) ?? .null) })
        }
        return AnalyticsReportBody(report: name, from: from, to: to, groupBy: groupBy,
                          rows: rows.map { row in
                              var fields = object(row.values)
                              fields["key"] = .string(row.key)
                              if let label = row.label { fields["label"] = .string(label) }
                              return .object(fields)
                          },
                          totals: .object(object(totals)))
    }
}

struct AnalyticsReportBody: Encodable {
    var report: String
    var from: String
    var to: String
    var groupBy: String
    var rows: [JSONValue]
    var totals: JSONValue
}
