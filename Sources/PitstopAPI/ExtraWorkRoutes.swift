import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    /// Extra work (增项): the order's engineer or the desk proposes added lines with prices, the
    /// customer answers from their tracking link (`/v1/public/track/{token}/extra-work/{id}`),
    /// and the desk may withdraw a proposal the customer has not answered.
    var extraWorkRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/work-orders/{id}/extra-work", roles: [.admin, .dispatcher, .engineer]) { [self] request, caller, scope in
                try idempotent(request, scope) {
                    let order = try Self.readableOrder(request, caller, scope)
                    let body = try JSONCoding.decode(ExtraWorkInputBody.self, from: request.body, allowedFields: ["lines", "note"])
                    let lines = body.lines.map { ExtraWork.Line(description: $0.description, quantity: $0.quantity, unitPrice: $0.unitPrice) }
                    let proposal = try OrderLifecycle(scope: scope, tenant: caller.tenant, by: .key(caller.key))
                        .proposeExtraWork(order, lines: lines, note: body.note ?? "")
                    return try .json(ExtraWorkBody(proposal), status: 201)
                }
            },
            tenantRoute("GET", "/v1/work-orders/{id}/extra-work", roles: Self.allRoles) { request, caller, scope in
                let order = try Self.readableOrder(request, caller, scope)
                return try .json(["items": try scope.extraWork.list(workOrder: order.id).map { ExtraWorkBody($0) }])
            },
            tenantRoute("POST", "/v1/work-orders/{id}/extra-work/{proposal}/withdraw", roles: [.admin, .dispatcher]) { request, caller, scope in
                let order = try Self.readableOrder(request, caller, scope)
                let proposal = try OrderLifecycle(scope: scope, tenant: caller.tenant, by: .key(caller.key))
                    .withdrawExtraWork(order, id: try Self.pathID(request, "extra work", parameter: "proposal"))
                return try .json(ExtraWorkBody(proposal))
            },
            // The customer's answer: JSON from an app, or the tracking page's plain form.
            Router.route("POST", "/v1/public/track/{token}/extra-work/{proposal}", body: .any, PublicPages.wrap { [self] request in
                try publicLimits.admitLookup(address: request.clientAddress)
                if Self.isForm(request) { return try extraWorkForm(request) }
                try Self.requireJSON(request, or: "the tracking page's form")
                let token = try Self.publicToken(request, kind: .tracking, what: "work order")
                let body = try JSONCoding.decode(ExtraWorkAnswerBody.self, from: request.body, allowedFields: ["approve", "sha256"])
                let answered = try answerExtraWork(token, request, approve: body.approve, sha256: body.sha256)
                return try .json(ExtraWorkBody(answered, staff: false))
            }),
        ]
    }

    /// Answers the path's proposal through a tracking link.
    func answerExtraWork(_ token: PublicToken, _ request: HTTPRequest, approve: Bool, sha256: String) throws -> ExtraWork {
        let id = try Self.pathID(request, "extra work", parameter: "proposal")
        return try database.withTenant(token.tenantID) { scope in
            guard let order = try Self.linkedOrder(token, in: scope) else { throw StoreError.notFound("work order") }
            return try OrderLifecycle(scope: scope, tenant: try scope.tenant.get(), by: .customer(via: nil))
                .answerExtraWork(order, id: id, approve: approve, shownSHA256: sha256)
        }
    }
}

struct ExtraWorkInputBody: Decodable {
    struct Line: Decodable {
        var description: String
        var quantity: Double
        var unitPrice: Double
    }

    var lines: [Line]
    var note: String?
}

struct ExtraWorkAnswerBody: Decodable {
    var approve: Bool
    /// The `sha256` of the proposal as shown: an answer to any other is refused.
    var sha256: String
}

struct ExtraWorkLineBody: Encodable {
    var description: String
    var quantity: Double
    var unitPrice: Double
    var amount: Double

    init(_ line: ExtraWork.Line) {
        description = line.description
        quantity = line.quantity
        unitPrice = line.unitPrice
        amount = Double(line.fen) / 100
    }
}

/// A proposal as the desk reads it, or (`staff` false) as the customer does: without the order's
/// id and the key of its author.
struct ExtraWorkBody: Encodable {
    var id: UUID
    var workOrderId: UUID?
    var state: String
    var lines: [ExtraWorkLineBody]
    var note: String
    var total: Double
    var sha256: String
    var proposedBy: UUID?
    var proposedAt: Date
    var answeredAt: Date?

    init(_ proposal: ExtraWork, staff: Bool = true) {
        id = proposal.id
        workOrderId = staff ? proposal.workOrderID : nil
        state = proposal.state.rawValue
        lines = proposal.lines.map(ExtraWorkLineBody.init)
        note = proposal.note
        total = Double(proposal.totalFen) / 100
        sha256 = proposal.sha256
        proposedBy = staff ? proposal.proposedBy : nil
        proposedAt = proposal.proposedAt
        answeredAt = proposal.answeredAt
    }
}
