import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
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
                                    rated: try scope.acceptances.rating(id: order.id) != nil, timeZone: tenant.zone, now: Date())
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
        guard let token = PublicToken(request.pathParameters["token"] ?? "", kind: .tracking) else { return PublicPages.unknownTracking() }
        do {
            try database.withTenant(token.tenantID) { scope in
                guard let order = try scope.workOrders.get(trackingSecret: token.secret) else { throw StoreError.notFound("work order") }
                try OrderLifecycle(scope: scope, tenant: try scope.tenant.get(), by: .customer(via: nil))
                    .rate(order, score: fields["score"].flatMap { Int($0) }, comment: fields["comment"])
            }
        } catch let invalid as ValidationError {
            // The rules' own fields, said in Chinese beside each.
            let chinese = ["score": "请选择 1 到 5 星", "comment": "评价最多 \(OrderLifecycle.ratingCommentLimit) 字"]
            let problems = Dictionary(invalid.errors.map { ($0.field, chinese[$0.field] ?? $0.message) }) { first, _ in first }
            return try trackingPage(request, problems: problems, status: 422)
        } catch StoreError.notFound {
            return PublicPages.unknownTracking()
        } catch StoreError.conflict {
            return try trackingPage(request, status: 409)
        }
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
