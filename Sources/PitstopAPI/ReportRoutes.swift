import Foundation
import HTTPServer
import PitstopCore
import PitstopStore

extension APIApplication {
    /// Reports answered from the worker's rollups. `Accept: text/csv` gives the rows as CSV with
    /// a header and a UTF-8 byte order mark, so Excel shows Chinese names as they are.
    var reportRoutes: [Router.Route] {
        [
            // `/v1/reports/NAME.svg` is the same report drawn as a chart.
            tenantRoute("GET", "/v1/reports/{name}", roles: [.admin, .dispatcher, .readonly, .integration]) { request, caller, scope in
                var name = request.pathParameters["name"] ?? ""
                let chart = name.hasSuffix(".svg")
                if chart { name.removeLast(4) }
                guard let report = ReportName(rawValue: name) else {
                    throw StoreError.notFound("report (known: \(ReportName.allCases.map(\.rawValue).joined(separator: ", ")), each also as NAME.svg)")
                }
                let query = try ReportQuery(request, zone: caller.tenant.zone, groupBy: report.defaultGrouping)
                let table = try ReportTable.make(report, query: query, scope: scope)
                if chart { return try Self.chart(table, query: query, request: request) }
                if Self.wantsCSV(request) {
                    return Self.csv(header: ["group", "label"] + table.columns, rows: table.rows.map { row in
                        [row.key, row.label ?? ""] + row.values.map(ReportTable.text)
                    }, filename: "\(name)-\(query.from)-\(query.to).csv")
                }
                return try .json(table.body)
            },
        ]
    }

    /// A report as an SVG chart: lines over time, bars by shop, channel or type (`chart=line|bar`
    /// to choose), titled in Chinese with the range.
    static func chart(_ table: ReportTable, query: ReportQuery, request: HTTPRequest) throws -> HTTPResponse {
        let overTime = [.day, .week, .month].contains(query.groupBy)
        let kind: SVGChart.Kind = query.chart ?? (overTime ? .line : .bar)
        let labels = table.rows.map { row in
            row.label ?? (query.groupBy == .channel ? ChannelNames.chinese(row.key) : overTime ? String(row.key.dropFirst(5)) : row.key)
        }
        let series = table.chartSeries.map { index, name in
            SVGChart.Series(name: name, values: table.rows.map { $0.values[index] ?? 0 })
        }
        let svg = SVGChart(title: "\(table.title) \(query.from) 至 \(query.to)", kind: kind, labels: labels, series: series).render()
        var response = HTTPResponse.text(svg, contentType: "image/svg+xml; charset=utf-8")
        // Opened directly, an SVG is a document: it may run nothing and load nothing.
        response.headers.add("Content-Security-Policy", "default-src 'none'")
        response.headers.add("X-Content-Type-Options", "nosniff")
        return response
    }

    static func wantsCSV(_ request: HTTPRequest) -> Bool {
        (request.headers["Accept"] ?? "").lowercased().contains("text/csv")
    }

    /// RFC 4180 CSV with a UTF-8 BOM: fields with commas, quotes or line breaks are quoted, and a
    /// field starting with = + - @ is prefixed with ' so a spreadsheet does not run it as a formula.
    static func csv(header: [String], rows: [[String]], filename: String) -> HTTPResponse {
        func field(_ text: String) -> String {
            var text = text
            if let first = text.first, "=+-@".contains(first), Double(text) == nil { text = "'" + text }
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        let lines = ([header] + rows).map { $0.map(field).joined(separator: ",") }
        let body: [UInt8] = [0xEF, 0xBB, 0xBF] + Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
        return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/csv; charset=utf-8"),
                                                               ("Content-Disposition", "attachment; filename=\"\(filename)\"")]), body: body)
    }
}

/// The reports there are.
enum ReportName: String, CaseIterable {
    /// Orders created (by channel, shop, type), completed and cancelled.
    case orders
    /// SLA targets met in time and breached, with the compliance rate, per target.
    case sla
    /// Customer ratings: how many, the average, the distribution, the response rate.
    case satisfaction
    /// Completed orders, how many were reopened for rework, and the first-time-fix rate.
    case firstTimeFix = "first_time_fix"
    /// Parts consumed and their cost (by day, week, month or shop).
    case parts
    /// Engineers' work: assigned, completed, declined, transfers asked for, hours on site, open
    /// now (by day, week, month or engineer).
    case workload
    /// First-response, arrival and resolution times: count, average, median, 90th percentile, in
    /// minutes (business time where the order's SLA policy counts it so).
    case times
    /// The orders open now, by status (by shop, channel or type; the range does not apply).
    case backlog

    /// The groupings that make sense for the report.
    var groupings: Set<ReportRepository.Grouping> {
        switch self {
        case .orders, .sla, .satisfaction, .firstTimeFix, .times: [.day, .week, .month, .shop, .channel, .type]
        case .parts: [.day, .week, .month, .shop]
        case .workload: [.day, .week, .month, .engineer]
        case .backlog: [.shop, .channel, .type]
        }
    }

    /// Rows over time, except for the backlog, which is the present.
    var defaultGrouping: ReportRepository.Grouping {
        self == .backlog ? .shop : .day
    }
}

/// A report's range and grouping: days `from` through `to` in the tenant's zone (the last 30
/// days by default, at most 366), grouped as the report does by default unless asked otherwise.
struct ReportQuery {
    var from: String
    var to: String
    var groupBy: ReportRepository.Grouping
    var shop: UUID?
    /// For NAME.svg; checked on every request, so a wrong value is never silently ignored.
    var chart: SVGChart.Kind?

    init(_ request: HTTPRequest, zone: TimeZone, groupBy defaultGrouping: ReportRepository.Grouping, now: Date = Date()) throws {
        groupBy = defaultGrouping
        var errors: [Problem.FieldIssue] = []
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        func day(_ date: Date) -> String {
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
        }
        func parse(_ name: String, _ fallback: String) -> (String, Date?) {
            guard let text = request.queryValue(name) else { return (fallback, Self.date(fallback, calendar)) }
            guard let date = Self.date(text, calendar) else {
                errors.append(.init(field: name, message: "must be a day written YYYY-MM-DD"))
                return (fallback, nil)
            }
            return (text, date)
        }
        let (to, end) = parse("to", day(now))
        let (from, start) = parse("from", day(calendar.date(byAdding: .day, value: -29, to: end ?? now) ?? now))
        self.from = from
        self.to = to
        if let start, let end {
            let days = calendar.dateComponents([.day], from: start, to: end).day ?? 0
            if days < 0 { errors.append(.init(field: "to", message: "must not be before from")) }
            if days >= 366 { errors.append(.init(field: "from", message: "a report spans at most 366 days")) }
        }
        if let text = request.queryValue("group_by") {
            if let grouping = ReportRepository.Grouping(rawValue: text) { groupBy = grouping } else {
                errors.append(.init(field: "group_by", message: "must be one of " + ReportRepository.Grouping.allCases.map(\.rawValue).joined(separator: ", ")))
            }
        }
        if let text = request.queryValue("chart") {
            chart = SVGChart.Kind(rawValue: text)
            if chart == nil { errors.append(.init(field: "chart", message: "must be line or bar")) }
        }
        if let text = request.queryValue("shop") {
            if let id = UUID(uuidString: text) { shop = id } else { errors.append(.init(field: "shop", message: "must be a shop id (UUID)")) }
        }
        if !errors.isEmpty {
            throw Problem.badQuery(errors)
        }
    }

    static func date(_ text: String, _ calendar: Calendar) -> Date? {
        let parts = text.split(separator: "-")
        guard text.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (2000...2999).contains(year) else { return nil }
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }
}

/// Channel names as managers read them.
enum ChannelNames {
    static func chinese(_ channel: String) -> String {
        switch channel {
        case "phone": "电话"
        case "app": "App"
        case "wechat": "微信"
        case "web": "网页"
        case "qr": "扫码"
        case "api": "接口"
        default: channel
        }
    }
}
