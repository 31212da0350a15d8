import Foundation
import HTTPServer
import PitstopCore
import PitstopStore

/// The tracking page a car owner opens on a phone, rendered on the server, and its rating form
/// posted without script. A wrong, expired or unknown link gets one and the same page.
extension APIApplication {
    func trackingPage(_ request: HTTPRequest, problems: [String: String] = [:], status: Int = 200) throws -> HTTPResponse {
        guard let token = PublicToken(request.pathParameters["token"] ?? "", kind: .tracking) else { return PublicPages.unknownTracking() }
        return try database.withTenant(token.tenantID, readOnly: true) { scope in
            guard let order = try scope.workOrders.get(trackingSecret: token.secret) else { return PublicPages.unknownTracking() }
            let tenant = try scope.tenant.get()
            let view = TrackingView(order: order, history: try scope.workOrders.statusHistory(id: order.id),
                                    engineer: try order.assigneeID.map { try scope.engineers.get(id: $0) },
                                    rated: try scope.acceptances.rating(id: order.id) != nil, averageSpeedKmh: nil,
                                    timeZone: tenant.zone, now: Date())
            return PublicPages.tracking(view, shop: try order.shopID.map { try scope.shops.get(id: $0) },
                                        path: "/v1/public/track/\(token.text)", problems: problems, status: status)
        }
    }

    static func isForm(_ request: HTTPRequest) -> Bool {
        request.headers["Content-Type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
    }

    /// The rating from the page's form: on success back to the page (303, so a reload posts
    /// nothing twice); otherwise the page again, each problem beside its field, in Chinese.
    func ratingForm(_ request: HTTPRequest) throws -> HTTPResponse {
        let fields = Self.formFields(request.body)
        var problems: [String: String] = [:]
        let score = fields["score"].flatMap(Int.init)
        if score == nil || !(1...5).contains(score ?? 0) { problems["score"] = "请选择 1 到 5 星" }
        let comment = fields["comment"]?.trimmingCharacters(in: .whitespacesAndNewlines)
        if (comment?.count ?? 0) > 1000 { problems["comment"] = "评价最多 1000 字" }
        guard let token = PublicToken(request.pathParameters["token"] ?? "", kind: .tracking) else { return PublicPages.unknownTracking() }
        guard problems.isEmpty, let score else { return try trackingPage(request, problems: problems, status: 422) }
        let rated = try database.withTenant(token.tenantID) { scope -> Bool in
            guard let order = try scope.workOrders.get(trackingSecret: token.secret), order.status == .completed,
                  try scope.acceptances.rating(id: order.id) == nil else { return false }
            try scope.acceptances.rate(id: order.id, score: score, comment: comment?.isEmpty == true ? nil : comment)
            return true
        }
        guard rated else { return try trackingPage(request, status: 409) }
        return HTTPResponse(status: 303, headers: HTTPHeaders([("Location", "/v1/public/track/\(token.text)"), ("Cache-Control", "no-store")]), body: [])
    }

    /// `application/x-www-form-urlencoded` fields; the first of a repeated name counts.
    static func formFields(_ body: [UInt8]) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            let name = decode(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return fields
    }
}
