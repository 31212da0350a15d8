import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

/// The pages a car owner opens on a phone from a tracking or signing link, rendered on the
/// server, and their forms, posted without script. A wrong, expired or unknown link gets one
/// and the same page; every form problem is shown beside its field, in Chinese.
extension APIApplication {
    /// The order a customer's link names, if the link is still good.
    static func linkedOrder(_ token: PublicToken, in scope: TenantScope) throws -> WorkOrder? {
        switch token.kind {
        case .tracking: try scope.workOrders.get(trackingSecret: token.secret)
        case .acceptance: try scope.acceptances.workOrderID(linkSecret: token.secret).map { try scope.workOrders.get(id: $0) }
        case .intake, .wechat, .smsReplies: nil
        }
    }

    func trackingPage(_ request: HTTPRequest, problems: [String: String] = [:], notice: String? = nil, status: Int = 200) throws -> HTTPResponse {
        guard let token = PublicToken(request.pathParameters["token"] ?? "", kind: .tracking) else { return PublicPages.unknownLink(.tracking) }
        return try database.withTenant(token.tenantID, readOnly: true) { scope in
            guard let order = try Self.linkedOrder(token, in: scope) else { return PublicPages.unknownLink(.tracking) }
            let tenant = try scope.tenant.get()
            let view = TrackingView(order: order, history: try scope.workOrders.statusHistory(id: order.id),
                                    engineer: try order.assigneeID.map { try scope.engineers.get(id: $0) },
                                    rated: try scope.acceptances.rating(id: order.id) != nil, extraWork: try scope.extraWork.list(workOrder: order.id),
                                    timeZone: tenant.zone, now: Date())
            return PublicPages.tracking(view, shop: try order.shopID.map { try scope.shops.get(id: $0) },
                                        path: "/v1/public/track/\(token.text)", problems: problems, notice: notice, status: status)
        }
    }

    /// The signing page: the current report with its photos (each through a short-lived link),
    /// the signature form while the order awaits acceptance, the rating once signed.
    func signingPage(_ request: HTTPRequest, problems: [String: String] = [:], notice: String? = nil, status: Int = 200) throws -> HTTPResponse {
        guard let token = PublicToken(request.pathParameters["token"] ?? "", kind: .acceptance) else { return PublicPages.unknownLink(.acceptance) }
        return try database.withTenant(token.tenantID, readOnly: true) { scope in
            guard let order = try Self.linkedOrder(token, in: scope) else { return PublicPages.unknownLink(.acceptance) }
            let report = try scope.repairReports.reports(id: order.id).first
            let now = Date()
            let links = configuration.secretKey.map(PhotoLinks.init)
            var photos: [UUID: String] = [:]
            let purged = Set(try scope.media.list(workOrder: order.id).filter { $0.purgedAt != nil }.map(\.id))
            for photo in (report?.beforePhotos ?? []) + (report?.afterPhotos ?? []) where !purged.contains(photo.mediaID) {
                photos[photo.mediaID] = links?.path(tenant: token.tenantID, photo: photo.mediaID, now: now)
            }
            let view = PublicPages.Signing(order: order, report: report, reportSHA256: try report.map(ReportBody.sha256),
                                           acceptance: try scope.acceptances.acceptance(id: order.id),
                                           rated: try scope.acceptances.rating(id: order.id) != nil, photoPaths: photos,
                                           timeZone: try scope.tenant.get().zone)
            return PublicPages.signing(view, path: "/v1/public/accept/\(token.text)", problems: problems, notice: notice, status: status)
        }
    }

    /// The signature from the page's form: the drawn PNG, or without script the typed name,
    /// bound to the report version and hash the page showed. Signed: back to the page (303),
    /// which now offers the rating.
    func signingForm(_ request: HTTPRequest) throws -> HTTPResponse {
        let fields = Self.formFields(request.body)
        guard let token = PublicToken(request.pathParameters["token"] ?? "", kind: .acceptance) else { return PublicPages.unknownLink(.acceptance) }
        let name = fields["signer_name"] ?? ""
        guard fields["agree"] != nil else { return try signingPage(request, problems: ["agree": "请先确认已查看维修报告"], status: 422) }
        let drawn = fields["signature"] ?? ""
        do {
            try database.withTenant(token.tenantID) { scope in
                guard let order = try Self.linkedOrder(token, in: scope) else { throw StoreError.notFound("signing link") }
                _ = try OrderLifecycle(scope: scope, tenant: try scope.tenant.get(), by: .customer(via: nil))
                    .sign(order, signerName: name, reportVersion: fields["report_version"].flatMap { Int($0) } ?? 0,
                          shownSHA256: fields["report_sha256"] ?? "",
                          signatureType: drawn.isEmpty ? Signature.Kind.svg.rawValue : Signature.Kind.png.rawValue,
                          signatureBase64: drawn.isEmpty ? Data(PublicPages.typedSignature(name)).base64EncodedString() : drawn,
                          reportHash: ReportBody.sha256)
            }
        } catch let invalid as ValidationError {
            let chinese = ["signer_name": "请填写签字人姓名（最多 100 字）", "signature": "签名无法识别，请重新签名"]
            return try signingPage(request, problems: Self.chinese(invalid, chinese), status: 422)
        } catch StoreError.notFound {
            return PublicPages.unknownLink(.acceptance)
        } catch OrderLifecycle.SigningRefusal.reportChanged {
            return try signingPage(request, notice: "维修报告已更新，请查看以下最新内容后再签字。", status: 409)
        } catch is OrderLifecycle.SigningRefusal {
            return try signingPage(request, notice: "该工单当前无需签字。", status: 409)
        } catch StoreError.conflict {
            // Someone else with the link signed a moment before: the page now says who.
            return try signingPage(request, status: 409)
        }
        return Self.seeOther("/v1/public/accept/\(token.text)")
    }

    /// The customer's yes or no to extra work, from the tracking page's form, bound to the
    /// proposal's hash the page showed. Answered: back to the page (303).
    func extraWorkForm(_ request: HTTPRequest) throws -> HTTPResponse {
        let fields = Self.formFields(request.body)
        guard let token = PublicToken(request.pathParameters["token"] ?? "", kind: .tracking) else { return PublicPages.unknownLink(.tracking) }
        guard let decision = fields["decision"], decision == "approve" || decision == "decline" else {
            return try trackingPage(request, problems: ["decision": "请选择同意或不同意"], status: 422)
        }
        do {
            _ = try answerExtraWork(token, request, approve: decision == "approve", sha256: fields["sha256"] ?? "")
        } catch StoreError.notFound {
            return PublicPages.unknownLink(.tracking)
        } catch OrderLifecycle.ExtraWorkRefusal.proposalChanged {
            return try trackingPage(request, notice: "增项内容已更新，请查看以下最新内容后再确认。", status: 409)
        } catch StoreError.conflict {
            return try trackingPage(request, notice: "该增项已处理，无需再次确认。", status: 409)
        }
        return Self.seeOther("/v1/public/track/\(token.text)")
    }

    /// The rating from a page's form (tracking or signing, by `kind`): on success back to the
    /// page (303, so a reload posts nothing twice); otherwise the page again, each problem beside
    /// its field.
    func ratingForm(_ request: HTTPRequest, link kind: PublicToken.Kind) throws -> HTTPResponse {
        let fields = Self.formFields(request.body)
        let again = { (problems: [String: String], status: Int) in
            kind == .tracking ? try self.trackingPage(request, problems: problems, status: status)
                : try self.signingPage(request, problems: problems, status: status)
        }
        guard let token = PublicToken(request.pathParameters["token"] ?? "", kind: kind) else { return PublicPages.unknownLink(kind) }
        do {
            try database.withTenant(token.tenantID) { scope in
                guard let order = try Self.linkedOrder(token, in: scope) else { throw StoreError.notFound("work order") }
                try OrderLifecycle(scope: scope, tenant: try scope.tenant.get(), by: .customer(via: nil))
                    .rate(order, score: fields["score"].flatMap { Int($0) }, comment: fields["comment"])
            }
        } catch let invalid as ValidationError {
            let chinese = ["score": "请选择 1 到 5 星", "comment": "评价最多 \(OrderLifecycle.ratingCommentLimit) 字"]
            return try again(Self.chinese(invalid, chinese), 422)
        } catch StoreError.notFound {
            return PublicPages.unknownLink(kind)
        } catch StoreError.conflict {
            return try again([:], 409)
        }
        return Self.seeOther(kind == .tracking ? "/v1/public/track/\(token.text)" : "/v1/public/accept/\(token.text)")
    }

    /// The rules' own problems, by field, in the page's words (the rule's where none is given).
    static func chinese(_ invalid: ValidationError, _ words: [String: String]) -> [String: String] {
        Dictionary(invalid.errors.map { ($0.field, words[$0.field] ?? $0.message) }) { first, _ in first }
    }

    static func seeOther(_ location: String) -> HTTPResponse {
        HTTPResponse(status: 303, headers: HTTPHeaders([("Location", location), ("Cache-Control", "no-store")]), body: [])
    }

    static func isForm(_ request: HTTPRequest) -> Bool {
        request.headers["Content-Type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
    }

    /// `application/x-www-form-urlencoded` fields; the first of a repeated name counts.
    static func formFields(_ body: [UInt8]) -> [String: String] {
        formValues(body).compactMapValues(\.first)
    }

    /// Every value of each name, in the order sent (ticked boxes share a name).
    static func formValues(_ body: [UInt8]) -> [String: [String]] {
        var values: [String: [String]] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            values[decode(parts[0]), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
        return values
    }
}
