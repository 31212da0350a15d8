import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    /// Admins make, list and revoke the links behind web forms and QR codes. The answer that makes
    /// a link carries the URL to print, once: only the secret's hash is kept, so a lost URL is
    /// replaced by making a new link (and revoking the old one if it was printed).
    var intakeLinkRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/intake-links", roles: [.admin]) { [self] request, caller, scope in
                try idempotent(request, scope, secrets: ["token", "url"]) {
                    let body = try JSONCoding.decode(NewIntakeLinkBody.self, from: request.body, allowedFields: NewIntakeLinkBody.fields)
                    let new = NewIntakeLink(name: body.name, channel: body.channel, typeID: body.typeId, shopID: body.shopId,
                                            vehicleID: body.vehicleId)
                    let link = try ChainSetup(scope: scope).createIntakeLink(new)
                    var response = try HTTPResponse.json(intakeLinkBody(link, tenantID: caller.tenant.id), status: 201)
                    response.headers.add("Location", "/v1/intake-links/\(link.id.lowercasedText)")
                    return response
                }
            },
            tenantRoute("GET", "/v1/intake-links", roles: [.admin, .dispatcher]) { [self] request, caller, scope in
                let page = try PageRequest(request)
                let links = try scope.intakeLinks.list(limit: page.limit + 1, after: page.cursor)
                return try .page(links, limit: page.limit, cursor: { PageCursor(createdAt: $0.createdAt, id: $0.id) },
                                 body: { intakeLinkBody($0, tenantID: caller.tenant.id) })
            },
            tenantRoute("GET", "/v1/intake-links/{id}", roles: [.admin, .dispatcher]) { [self] request, caller, scope in
                let link = try scope.intakeLinks.get(id: try Self.pathID(request, "intake link"))
                return try .json(intakeLinkBody(link, tenantID: caller.tenant.id))
            },
            tenantRoute("DELETE", "/v1/intake-links/{id}", roles: [.admin]) { request, _, scope in
                _ = try scope.intakeLinks.revoke(id: try Self.pathID(request, "intake link"))
                return .noContent()
            },
        ]
    }

    func intakeLinkBody(_ link: IntakeLink, tenantID: UUID) -> IntakeLinkBody {
        let token = link.token(tenantID: tenantID)?.text
        return IntakeLinkBody(id: link.id.lowercasedText, name: link.name, channel: link.channel.rawValue,
                              typeId: link.typeID.lowercasedText, shopId: link.shopID?.lowercasedText,
                              vehicleId: link.vehicleID?.lowercasedText, token: token,
                              url: token.map { "\(configuration.publicBaseURL)/v1/public/intake/\($0)" },
                              createdAt: link.createdAt, revokedAt: link.revokedAt)
    }
}

struct NewIntakeLinkBody: Decodable {
    var name: String
    var channel: WorkOrder.Channel
    var typeId: UUID
    var shopId: UUID?
    var vehicleId: UUID?

    static let fields: Set<String> = ["name", "channel", "type_id", "shop_id", "vehicle_id"]
}

struct IntakeLinkBody: Encodable {
    var id: String
    var name: String
    var channel: String
    var typeId: String
    var shopId: String?
    var vehicleId: String?
    /// What the public URL ends in; in the answer that made the link only.
    var token: String?
    /// The URL to print as a QR code or to post the web form to; in the answer that made the
    /// link only.
    var url: String?
    var createdAt: Date
    var revokedAt: Date?
}
