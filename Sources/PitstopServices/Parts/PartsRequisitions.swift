import Foundation
import PitstopCore
import PitstopStore

/// Parts requisitions (配件申领) and what they do to their order: a request puts a diagnosing or
/// repairing order into awaiting_parts; an approval reserves catalogue parts at the order's shop
/// (a shortfall refuses it) and sends a waiting order back to repairing. Each request and
/// decision is on the order's timeline.
public struct PartsRequisitions {
    let scope: TenantScope
    let tenant: Tenant
    let party: ActingParty
    let now: Date

    public init(scope: TenantScope, tenant: Tenant, by party: ActingParty, now: Date = Date()) {
        self.scope = scope
        self.tenant = tenant
        self.party = party
        self.now = now
    }

    private var actor: UUID? { party.keyID }

    /// `engineer`'s request for parts for `order`, which they are working on.
    public func request(for order: WorkOrder, by engineer: UUID, lines: [PartsRequisition.Line], note: String?) throws -> PartsRequisition {
        let errors = PartsRequisition.errors(lines: lines, note: note)
        guard errors.isEmpty else { throw ValidationError(errors) }
        if order.status == .diagnosing || order.status == .repairing {
            _ = try lifecycle.move(order.id, expectedVersion: order.version, to: .awaitingParts, note: "waiting for parts")
        }
        let requisition = try scope.requisitions.request(workOrder: order.id, engineer: engineer, lines: lines, note: note, now: now)
        try scope.workOrders.touch(id: order.id, kind: .partsRequested, note: "parts requested: \(PartsRequisitionRepository.summary(lines))",
                                   actor: actor, topic: .workOrderPartsRequested, now: now)
        return requisition
    }

    /// The desk's decision on a waiting requisition.
    public func decide(_ id: UUID, approve: Bool, note: String?) throws -> PartsRequisition {
        if let note, note.count > 1000 { throw ValidationError(field: "note", "must be at most 1000 characters") }
        let requisition = try scope.requisitions.decide(id: id, approve: approve, note: note, actor: actor, now: now)
        try scope.workOrders.touch(id: requisition.workOrderID, kind: .partsDecided,
                                   note: "parts \(requisition.state.rawValue): \(PartsRequisitionRepository.summary(requisition.lines))"
                                       + (note.map { " (\($0))" } ?? ""),
                                   actor: actor, topic: .workOrderPartsDecided, now: now)
        let order = try scope.workOrders.get(id: requisition.workOrderID)
        guard requisition.state == .approved else { return requisition }
        try scope.announceLowStock(try scope.inventory.reserve(requisition: requisition, shop: order.shopID, actor: actor), now: now)
        if order.status == .awaitingParts {
            _ = try lifecycle.move(order.id, expectedVersion: order.version, to: .repairing, note: "parts approved")
        }
        return requisition
    }

    private var lifecycle: OrderLifecycle { OrderLifecycle(scope: scope, tenant: tenant, by: party, now: now) }
}
