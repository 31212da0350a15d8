import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    /// The grab pool (抢单) and transfers (转派). Dispatchers publish unassigned orders to the pool;
    /// engineers see only the pooled orders they are eligible for and claim one; the first valid
    /// claim wins and every other gets 409. Dispatchers move assigned orders between engineers,
    /// always with a reason.
    var poolRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/work-orders/{id}/pool", roles: [.admin, .dispatcher]) { request, caller, scope in
                let id = try Self.pathID(request, "work order")
                let version = try Self.ifMatchVersion(request)
                let body = request.body.isEmpty ? NoteBody()
                    : try JSONCoding.decode(NoteBody.self, from: request.body, allowedFields: ["note"])
                if let note = body.note, note.count > 2000 { throw ValidationError(field: "note", "must be at most 2000 characters") }
                let order = try scope.workOrders.pool(id: id, expectedVersion: version, note: body.note, actor: caller.key.id)
                return try .record(WorkOrderBody(order, tenantID: caller.tenant.id), version: order.version)
            },
            tenantRoute("DELETE", "/v1/work-orders/{id}/pool", roles: [.admin, .dispatcher]) { request, caller, scope in
                let order = try scope.workOrders.unpool(id: try Self.pathID(request, "work order"), expectedVersion: try Self.ifMatchVersion(request),
                                                        actor: caller.key.id)
                return try .record(WorkOrderBody(order, tenantID: caller.tenant.id), version: order.version)
            },
            // Engineers see what they may claim; desks see the whole pool.
            tenantRoute("GET", "/v1/pool", roles: [.admin, .dispatcher, .engineer]) { _, caller, scope in
                var items: [PooledOrderBody] = []
                for order in try scope.workOrders.pooled(limit: 100) {
                    guard let engineer = caller.key.engineerID else {
                        items.append(PooledOrderBody(order, distanceKm: nil))
                        continue
                    }
                    let (failed, distance) = try Dispatcher(scope: scope, tenant: caller.tenant).eligibility(of: engineer, for: order)
                    if failed.isEmpty { items.append(PooledOrderBody(order, distanceKm: distance)) }
                }
                return try .json(["items": items])
            },
            tenantRoute("POST", "/v1/work-orders/{id}/claim", roles: [.engineer]) { request, caller, scope in
                let id = try Self.pathID(request, "work order")
                guard let engineer = caller.key.engineerID else { throw Problem.forbidden("only an engineer's key can claim") }
                let claimed: WorkOrder
                do {
                    (claimed, _) = try Dispatcher(scope: scope, tenant: caller.tenant).claim(id, engineer: engineer, by: .key(caller.key))
                } catch Dispatcher.ClaimRefusal.notPooled {
                    throw Problem.conflict("the order is not in the pool: someone else took it or it was withdrawn")
                } catch Dispatcher.ClaimRefusal.ineligible(let failed) {
                    throw Problem.forbidden("you may not take this order: \(failed.map(\.rawValue).joined(separator: ", "))")
                }
                return try .record(WorkOrderBody(claimed, tenantID: caller.tenant.id), version: claimed.version)
            },
            tenantRoute("POST", "/v1/work-orders/{id}/transfer", roles: [.admin, .dispatcher]) { request, caller, scope in
                let id = try Self.pathID(request, "work order")
                let version = try Self.ifMatchVersion(request)
                let body = try JSONCoding.decode(TransferBody.self, from: request.body, allowedFields: ["engineer_id", "reason"])
                let (moved, _) = try OrderLifecycle(scope: scope, tenant: caller.tenant, by: .key(caller.key))
                    .transfer(id, expectedVersion: version, to: body.engineerId, reason: try Self.declineReason(body.reason))
                return try .record(WorkOrderBody(moved, tenantID: caller.tenant.id), version: moved.version)
            },
            tenantRoute("POST", "/v1/me/work-orders/{id}/transfer-request", roles: [.engineer]) { request, caller, scope in
                let engineer = try Self.callerEngineer(caller)
                let order = try scope.workOrders.get(id: try Self.pathID(request, "work order"))
                guard order.assigneeID == engineer else { throw StoreError.notFound("work order") }
                guard order.status.isOpen else { throw Problem.conflict("the order is \(order.status.rawValue): there is nothing to hand on") }
                let body = try JSONCoding.decode(DeclineBody.self, from: request.body, allowedFields: ["reason"])
                let reason = try Self.declineReason(body.reason)
                let asked = try OrderLifecycle(scope: scope, tenant: caller.tenant, by: .key(caller.key)).requestTransfer(order.id, engineer: engineer, reason: reason)
                return try .json(TransferRequestBody(asked), status: 201)
            },
            tenantRoute("GET", "/v1/transfer-requests", roles: [.admin, .dispatcher]) { _, _, scope in
                try .json(["items": try scope.transferRequests.open(limit: 100).map(TransferRequestBody.init)])
            },
        ]
    }
}

struct TransferRequestBody: Encodable {
    var id: UUID
    var workOrderId: UUID
    var engineerId: UUID
    var reason: String
    var requestedAt: Date

    init(_ request: TransferRequestRepository.TransferRequest) {
        id = request.id
        workOrderId = request.workOrderID
        engineerId = request.engineerID
        reason = request.reason
        requestedAt = request.requestedAt
    }
}

struct NoteBody: Decodable {
    var note: String?
}

struct TransferBody: Decodable {
    var engineerId: UUID
    var reason: String
}

/// A pooled order as an engineer deciding whether to take it sees it.
struct PooledOrderBody: Encodable {
    var id: UUID
    var number: String
    var typeId: UUID
    var priority: String
    var shopId: UUID?
    var description: String
    var symptoms: [String]
    var site: WorkOrder.Site?
    var dueAt: Date?
    var pooledAt: Date?
    var distanceKm: Double?

    init(_ order: WorkOrder, distanceKm: Double?) {
        id = order.id
        number = order.number
        typeId = order.typeID
        priority = order.priority.rawValue
        shopId = order.shopID
        description = order.description
        symptoms = order.symptoms
        site = order.site
        dueAt = order.dueAt
        pooledAt = order.pooledAt
        self.distanceKm = distanceKm.map { ($0 * 1000).rounded() / 1000 }
    }
}
