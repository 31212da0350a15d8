import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

/// What anyone may call without a key: a link's form description, a report through a link, and
/// an order's status by its tracking token. Answers carry nothing of other customers: a report
/// gets back only its own order's number and tracking token.
extension APIApplication {
    /// Reports are a few fields of text; anything larger is not a customer typing.
    static let publicReportBytes = 16 * 1024

    var publicIntakeRoutes: [Router.Route] {
        [
            Router.route("GET", "/v1/public/intake/{token}", PublicPages.wrap { [self] request in
                try publicLimits.admitLookup(address: request.clientAddress)
                // A phone that scanned the code gets the form page.
                if PublicPages.wantsHTML(request) { return try intakePage(request) }
                let token = try Self.publicToken(request, kind: .intake, what: "intake link")
                return try database.withTenant(token.tenantID, readOnly: true) { scope in
                    guard let link = try scope.intakeLinks.active(secret: token.secret) else { throw StoreError.notFound("intake link") }
                    let type = try scope.workOrderTypes.get(id: link.typeID)
                    var response = try HTTPResponse.json(IntakeFormBody(tenantName: try scope.tenant.get().name, channel: link.channel.rawValue,
                                                    shop: try link.shopID.map { PublicShopBody(try scope.shops.get(id: $0)) },
                                                    vehicleFixed: link.vehicleID != nil, typeName: type.name,
                                                    fields: type.template.fields))
                    // The same URL answers a page to browsers: caches must keep the two apart.
                    response.headers.add("Vary", "Accept")
                    return response
                }
            }),
            // JSON from an app or a CRM's own form, or the page's plain form (answered with a page).
            Router.route("POST", "/v1/public/intake/{token}", body: .any, PublicPages.wrap { [self] request in
                if Self.isForm(request) { return try intakeForm(request) }
                try Self.requireJSON(request, or: "the report page's form")
                try publicLimits.admitReport(link: request.pathParameters["token"] ?? "", address: request.clientAddress)
                let token = try Self.publicToken(request, kind: .intake, what: "intake link")
                try Self.refuseLargeReport(request)
                let report = try JSONCoding.decode(PublicReportBody.self, from: request.body, allowedFields: PublicReportBody.fields).report
                return try database.withTenant(token.tenantID) { scope in try receiveReport(request, report, through: token, in: scope) }
            }),
            Router.route("GET", "/v1/public/track/{token}", PublicPages.wrap { [self] request in
                try publicLimits.admitLookup(address: request.clientAddress)
                if PublicPages.wantsHTML(request) { return try trackingPage(request) }
                let token = try Self.publicToken(request, kind: .tracking, what: "work order")
                return try database.withTenant(token.tenantID, readOnly: true) { scope in
                    guard let order = try scope.workOrders.get(trackingSecret: token.secret) else { throw StoreError.notFound("work order") }
                    var response = try HTTPResponse.json(TrackingBody(order: order, shop: try order.shopID.map { PublicShopBody(try scope.shops.get(id: $0)) },
                                                                      history: try scope.workOrders.statusHistory(id: order.id),
                                                                      rated: try scope.acceptances.rating(id: order.id) != nil,
                                                                      pendingExtraWork: try scope.extraWork.pending(workOrder: order.id)))
                    response.headers.add("Vary", "Accept")
                    return response
                }
            }),
            // The customer rates the finished job once, from the tracking link.
            // JSON from an app, or the page's plain form (answered with the page again).
            Router.route("POST", "/v1/public/track/{token}/rating", body: .any, PublicPages.wrap { [self] request in
                try publicLimits.admitLookup(address: request.clientAddress)
                if Self.isForm(request) { return try ratingForm(request, link: .tracking) }
                try Self.requireJSON(request, or: "the tracking page's form")
                let token = try Self.publicToken(request, kind: .tracking, what: "work order")
                return try rate(token, try JSONCoding.decode(RatingBody.self, from: request.body, allowedFields: ["score", "comment"]))
            }),
        ]
    }

    /// Opens the order for a report through the link (or joins the customer's open one), once
    /// per Idempotency-Key: the receipt with the order's number and a tracking link. The link is
    /// never remembered for a replay (only its hash is kept): a customer whose form retried gets
    /// a new one for the same order. `link`, when the caller has read it already, is not read again.
    func receiveReport(_ request: HTTPRequest, _ report: PublicReport, through token: PublicToken, link: IntakeLink? = nil,
                       in scope: TenantScope) throws -> HTTPResponse {
        var response = try idempotent(request, scope, secrets: ["tracking_token", "tracking_url"]) {
            guard let link = try link ?? scope.intakeLinks.active(secret: token.secret) else { throw StoreError.notFound("intake link") }
            let outcome = try WorkOrderIntake(scope: scope, tenant: try scope.tenant.get(), by: .customer(via: nil)).open(report, through: link)
            var order = outcome.order
            // A report that joined the customer's open order gets a tracking link of its own.
            if order.trackingSecret == nil { order.trackingSecret = try scope.workOrders.newTrackingLink(id: order.id) }
            return try .json(PublicReceiptBody(order, tenantID: token.tenantID, baseURL: configuration.publicBaseURL),
                             status: { if case .opened = outcome { 201 } else { 200 } }())
        }
        if response.headers["Idempotent-Replayed"] != nil,
           let number = (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["number"] as? String,
           var order = try scope.workOrders.find(number: number) {
            order.trackingSecret = try scope.workOrders.newTrackingLink(id: order.id)
            response.body = try JSONCoding.encode(PublicReceiptBody(order, tenantID: token.tenantID, baseURL: configuration.publicBaseURL))
        }
        return response
    }

    static func refuseLargeReport(_ request: HTTPRequest) throws {
        guard request.body.count <= publicReportBytes else {
            throw Problem(status: 413, type: "body-too-large", title: "Request body too large",
                          detail: "a report may be at most \(publicReportBytes) bytes")
        }
    }

    /// A `{token}` path segment of `kind`; anything else is answered like an unknown token.
    static func publicToken(_ request: HTTPRequest, kind: PublicToken.Kind, what: String) throws -> PublicToken {
        guard let token = PublicToken(request.pathParameters["token"] ?? "", kind: kind) else { throw StoreError.notFound(what) }
        return token
    }
}

struct PublicReportBody: Decodable {
    var report: PublicReport

    static let fields: Set<String> = ["name", "phone", "plate", "vin", "description", "symptoms", "site", "custom_fields"]

    enum CodingKeys: String, CodingKey {
        case name, phone, plate, vin, description, symptoms, site, customFields
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        report = PublicReport(name: try container.decode(String.self, forKey: .name), phone: try container.decode(String.self, forKey: .phone),
                              plate: try container.decodeIfPresent(String.self, forKey: .plate),
                              vin: try container.decodeIfPresent(String.self, forKey: .vin),
                              description: try container.decode(String.self, forKey: .description),
                              symptoms: try container.decodeIfPresent([String].self, forKey: .symptoms) ?? [],
                              site: try container.decodeIfPresent(WorkOrder.Site.self, forKey: .site),
                              customFields: try container.decodeIfPresent([String: JSONValue].self, forKey: .customFields) ?? [:])
    }
}

struct RatingBody: Decodable {
    var score: Int
    var comment: String?
}

/// What a report gets back: its order's number and how to follow it, nothing else.
struct PublicReceiptBody: Encodable {
    var number: String
    var status: String
    var statusLabel: String
    var trackingToken: String?
    var trackingUrl: String?

    init(_ order: WorkOrder, tenantID: UUID, baseURL: String) {
        number = order.number
        status = order.status.rawValue
        statusLabel = order.status.customerLabel
        trackingToken = order.trackingSecret.map { PublicToken(kind: .tracking, tenantID: tenantID, secret: $0).text }
        trackingUrl = trackingToken.map { "\(baseURL)/v1/public/track/\($0)" }
    }
}

/// What a form needs to render: whose link it is, where, and the custom fields the job asks for.
struct IntakeFormBody: Encodable {
    var tenantName: String
    var channel: String
    var shop: PublicShopBody?
    /// The link is a sticker in one car: plate and VIN are not asked for.
    var vehicleFixed: Bool
    var typeName: String
    var fields: [CustomField]
}

/// A shop as customers may see it.
struct PublicShopBody: Encodable {
    var name: String
    var address: String
    var phone: String?

    init(_ shop: Shop) {
        name = shop.name
        address = shop.address
        phone = shop.phone
    }
}

/// An order as the customer following it sees it: where it stands and since when.
struct TrackingBody: Encodable {
    struct Step: Encodable {
        var status: String
        var statusLabel: String
        var at: Date
    }

    var number: String
    var status: String
    var statusLabel: String
    var createdAt: Date
    var updatedAt: Date
    var shop: PublicShopBody?
    var history: [Step]
    /// Completed and not rated yet: the customer may rate it.
    var canRate: Bool
    /// Extra work waiting for the customer's answer (POST …/extra-work/{id} with its sha256).
    var extraWork: ExtraWorkBody?

    init(order: WorkOrder, shop: PublicShopBody?, history: [(status: String, at: Date)], rated: Bool, pendingExtraWork: ExtraWork?) {
        number = order.number
        status = order.status.rawValue
        statusLabel = order.status.customerLabel
        createdAt = order.createdAt
        updatedAt = order.updatedAt
        self.shop = shop
        canRate = order.status == .completed && !rated
        extraWork = pendingExtraWork.map { ExtraWorkBody($0, staff: false) }
        self.history = history.map { step in
            Step(status: step.status, statusLabel: WorkOrderStatus(rawValue: step.status)?.customerLabel ?? step.status, at: step.at)
        }
    }
}
