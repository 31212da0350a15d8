import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    /// Signing away from the engineer's phone: the desk or the assigned engineer makes a link
    /// (valid a week) to send the customer; through it the customer reads the current report and
    /// signs it exactly as on the phone.
    var acceptanceLinkRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/work-orders/{id}/acceptance-link", roles: [.admin, .dispatcher, .engineer]) { [self] request, caller, scope in
                let order = try Self.readableOrder(request, caller, scope)
                if caller.key.role == .engineer && order.assigneeID != caller.key.engineerID { throw StoreError.notFound("work order") }
                let (secret, expires) = try OrderLifecycle(scope: scope, tenant: caller.tenant, by: .key(caller.key))
                    .signingLink(order, validFor: 7 * 86_400)
                let token = PublicToken(kind: .acceptance, tenantID: caller.tenant.id, secret: secret).text
                return try .json(AcceptanceLinkBody(token: token, url: "\(configuration.publicBaseURL)/v1/public/accept/\(token)",
                                                    expiresAt: expires), status: 201)
            },
            Router.route("GET", "/v1/public/accept/{token}", PublicPages.wrap { [self] request in
                try publicLimits.admitLookup(address: request.clientAddress)
                if PublicPages.wantsHTML(request) { return try signingPage(request) }
                let token = try Self.publicToken(request, kind: .acceptance, what: "signing link")
                return try database.withTenant(token.tenantID, readOnly: true) { scope in
                    guard let id = try scope.acceptances.workOrderID(linkSecret: token.secret) else { throw StoreError.notFound("signing link") }
                    let order = try scope.workOrders.get(id: id)
                    return try .json(SigningBody(number: order.number, status: order.status.rawValue, statusLabel: order.status.customerLabel,
                                                 canSign: order.status == .awaitingAcceptance,
                                                 report: try scope.repairReports.reports(id: order.id).first.map(CustomerReportBody.init)))
                }
            }),
            // JSON from an app, or the signing page's plain form (answered with the page).
            Router.route("POST", "/v1/public/accept/{token}", body: .any, PublicPages.wrap { [self] request in
                try publicLimits.admitLookup(address: request.clientAddress)
                if Self.isForm(request) { return try signingForm(request) }
                try Self.requireJSON(request, or: "the signing page's form")
                let token = try Self.publicToken(request, kind: .acceptance, what: "signing link")
                let body = try JSONCoding.decode(AcceptanceInputBody.self, from: request.body, allowedFields: AcceptanceInputBody.fields)
                return try database.withTenant(token.tenantID) { scope in
                    guard let id = try scope.acceptances.workOrderID(linkSecret: token.secret) else { throw StoreError.notFound("signing link") }
                    let order = try scope.workOrders.get(id: id)
                    let (_, accepted) = try Self.sign(order, body, tenant: try scope.tenant.get(), by: .customer(via: nil), in: scope)
                    return try .json(AcceptanceBody(accepted))
                }
            }),
            Router.route("POST", "/v1/public/accept/{token}/rating", body: .any, PublicPages.wrap { [self] request in
                try publicLimits.admitLookup(address: request.clientAddress)
                if Self.isForm(request) { return try ratingForm(request, link: .acceptance) }
                try Self.requireJSON(request, or: "the signing page's form")
                let token = try Self.publicToken(request, kind: .acceptance, what: "signing link")
                return try rate(token, try JSONCoding.decode(RatingBody.self, from: request.body, allowedFields: ["score", "comment"]))
            }),
            // A report photo through the short-lived link the signing page made for it. A good link
            // is a limit of its own (signed, for 30 minutes): a signing page shows up to 40 photos,
            // and counting each against the address would break a reloaded page's pictures. Only
            // bad links count, so that scanning for photos is slowed.
            Router.route("GET", "/v1/public/photos/{token}", ErrorMapping.wrap { [self] request in
                guard let link = configuration.secretKey.flatMap({ PhotoLinks(secretKey: $0).open(request.pathParameters["token"] ?? "", now: Date()) })
                else {
                    try publicLimits.admitLookup(address: request.clientAddress)
                    throw StoreError.notFound("photo")
                }
                return try database.withTenant(link.tenant, readOnly: true) { scope in
                    let photo = try scope.media.get(id: link.photo)
                    // Not kept past the link: a shared phone's cache should not outlive it.
                    return try Self.download(photo, request, path: mediaStore.path(tenant: link.tenant, sha256: photo.sha256),
                                             cacheControl: "private, max-age=\(max(0, Int(link.expires.timeIntervalSinceNow)))")
                }
            }),
        ]
    }

    /// The customer's rating through a tracking or signing link, from an app's JSON.
    func rate(_ token: PublicToken, _ body: RatingBody) throws -> HTTPResponse {
        try database.withTenant(token.tenantID) { scope in
            guard let order = try Self.linkedOrder(token, in: scope) else { throw StoreError.notFound("work order") }
            try OrderLifecycle(scope: scope, tenant: try scope.tenant.get(), by: .customer(via: nil)).rate(order, score: body.score, comment: body.comment)
            return .noContent()
        }
    }

    /// Refuses a body that is neither JSON nor (handled before) a page's form.
    static func requireJSON(_ request: HTTPRequest, or form: String) throws {
        guard request.headers["Content-Type"]?.lowercased().hasPrefix("application/json") == true else {
            throw Problem(status: 415, type: "unsupported-media-type", title: "Unsupported media type",
                          detail: "send application/json, or post from \(form)")
        }
    }
}

struct AcceptanceLinkBody: Encodable {
    var token: String
    /// The page to send the customer (SMS, WeChat).
    var url: String
    var expiresAt: Date
}

/// What the customer sees through a signing link: the order and the report to sign, nothing else
/// (no internal ids, no key of the author).
struct SigningBody: Encodable {
    var number: String
    var status: String
    var statusLabel: String
    var canSign: Bool
    var report: CustomerReportBody?
}

/// The repair report as its customer reads it: the work, the parts, the labour, the photos' hashes,
/// and the SHA-256 that a signature on this version is bound to.
struct CustomerReportBody: Encodable {
    var version: Int
    var diagnosis: String
    var workPerformed: String
    var labour: [RepairReport.LabourLine]
    var parts: [RepairReport.PartLine]
    var mileageKm: Int?
    var beforePhotos: [String]
    var afterPhotos: [String]
    var createdAt: Date
    var sha256: String

    init(_ report: RepairReport) throws {
        version = report.version
        diagnosis = report.diagnosis
        workPerformed = report.workPerformed
        labour = report.labour
        parts = report.parts
        mileageKm = report.mileageKm
        beforePhotos = report.beforePhotos.map(\.sha256)
        afterPhotos = report.afterPhotos.map(\.sha256)
        createdAt = report.createdAt
        sha256 = try ReportBody.sha256(report)
    }
}
