import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    /// Parts requisitions (配件申领): the engineer asks (the order waits for parts), the desk
    /// decides (an approval sends the order back to repairing).
    var requisitionRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/me/work-orders/{id}/requisitions", roles: [.engineer]) { request, caller, scope in
                let order = try Self.workingOrder(request, caller, scope)
                let body = try JSONCoding.decode(RequisitionInputBody.self, from: request.body, allowedFields: ["lines", "note"])
                let lines = body.lines.map { PartsRequisition.Line(partNumber: $0.partNumber.trimmingCharacters(in: .whitespaces), quantity: $0.quantity) }
                let requisition = try PartsRequisitions(scope: scope, tenant: caller.tenant, by: .key(caller.key))
                    .request(for: order, by: try Self.callerEngineer(caller), lines: lines, note: body.note)
                var response = try HTTPResponse.json(RequisitionBody(requisition), status: 201)
                response.headers.add("Location", "/v1/requisitions/\(requisition.id.lowercasedText)")
                return response
            },
            tenantRoute("GET", "/v1/work-orders/{id}/requisitions", roles: Self.allRoles) { request, caller, scope in
                let order = try Self.readableOrder(request, caller, scope)
                return try .json(["items": try scope.requisitions.list(workOrder: order.id).map(RequisitionBody.init)])
            },
            // The engineer who asked sees their own; another engineer's is not found.
            tenantRoute("GET", "/v1/requisitions/{id}", roles: Self.allRoles) { request, caller, scope in
                let requisition = try scope.requisitions.get(id: try Self.pathID(request, "parts requisition"))
                if caller.key.role == .engineer && requisition.engineerID != caller.key.engineerID {
                    throw StoreError.notFound("parts requisition")
                }
                return try .json(RequisitionBody(requisition))
            },
            tenantRoute("GET", "/v1/requisitions", roles: [.admin, .dispatcher]) { _, _, scope in
                try .json(["items": try scope.requisitions.waiting(limit: 100).map(RequisitionBody.init)])
            },
            tenantRoute("POST", "/v1/requisitions/{id}/decision", roles: [.admin, .dispatcher]) { request, caller, scope in
                let body = try JSONCoding.decode(DecisionBody.self, from: request.body, allowedFields: ["approve", "note"])
                let requisition = try PartsRequisitions(scope: scope, tenant: caller.tenant, by: .key(caller.key))
                    .decide(try Self.pathID(request, "parts requisition"), approve: body.approve, note: body.note)
                return try .json(RequisitionBody(requisition))
            },
        ]
    }
}

struct RequisitionInputBody: Decodable {
    struct Line: Decodable {
        var partNumber: String
        var quantity: Double
    }

    var lines: [Line]
    var note: String?
}

struct DecisionBody: Decodable {
    var approve: Bool
    var note: String?
}

struct RequisitionBody: Encodable {
    var id: UUID
    var workOrderId: UUID
    var engineerId: UUID
    var state: PartsRequisition.State
    var lines: [PartsRequisition.Line]
    var note: String?
    var requestedAt: Date
    var decidedAt: Date?
    var decidedBy: UUID?
    var decisionNote: String?

    init(_ requisition: PartsRequisition) {
        id = requisition.id
        workOrderId = requisition.workOrderID
        engineerId = requisition.engineerID
        state = requisition.state
        lines = requisition.lines
        note = requisition.note
        requestedAt = requisition.requestedAt
        decidedAt = requisition.decidedAt
        decidedBy = requisition.decidedBy
        decisionNote = requisition.decisionNote
    }
}
