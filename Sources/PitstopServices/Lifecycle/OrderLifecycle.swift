import Foundation
import PitstopCore
import PitstopStore

/// Every status change of a work order and what follows from it, in the caller's transaction:
/// the order's row, timeline entry and outbox event (the repository writes them in one
/// statement), its SLA clocks, the parts it holds, and the dispatch record of an assignment.
public struct OrderLifecycle {
    let scope: TenantScope
    let tenant: Tenant
    /// The API key acting; nil for a customer's own report or the worker.
    let actor: UUID?
    let now: Date

    public init(scope: TenantScope, tenant: Tenant, actor: UUID?, now: Date = Date()) {
        self.scope = scope
        self.tenant = tenant
        self.actor = actor
        self.now = now
    }

    /// Opens a checked order (intake has found its customer and vehicle). `note` is for staff.
    public func open(_ new: NewWorkOrder, note: String?) throws -> WorkOrder {
        try scope.workOrders.create(new, zone: tenant.zone, actor: actor, note: note, now: now)
    }

    /// Moves the order to `next` if the lifecycle allows it and the order is still at
    /// `expectedVersion`. Cancelling needs `reason`; assigning goes through `assign`.
    public func move(_ id: UUID, expectedVersion: Int, to next: WorkOrderStatus, note: String?, reason: String? = nil) throws -> WorkOrder {
        try scope.workOrders.transition(id: id, expectedVersion: expectedVersion, to: next, note: note, reason: reason, assignee: nil,
                                        actor: actor, reopenWindow: tenant.reopenWindow, now: now)
    }

    /// How an assignment came about, as its dispatch record keeps it.
    public enum Basis {
        /// A dispatcher's pick, with their reason.
        case picked(reason: String?)
        /// The policy's choice: its decision and the top of the ranking shown with it.
        case ranked(Dispatcher.Decision, shown: [CandidateBreakdown])
    }

    /// Gives the order to `engineer`, with the dispatch record that says how.
    public func assign(_ id: UUID, expectedVersion: Int, to engineer: UUID, note: String?, basis: Basis) throws -> (WorkOrder, DispatchAssignment) {
        let order = try scope.workOrders.transition(id: id, expectedVersion: expectedVersion, to: .assigned, note: note, reason: nil,
                                                    assignee: engineer, actor: actor, reopenWindow: tenant.reopenWindow, now: now)
        let record = switch basis {
        case .picked(let reason):
            DispatchAssignment(id: UUID(), workOrderID: id, engineerID: engineer, mode: .direct, actorKeyID: actor, reason: reason,
                               assignedAt: order.statusChangedAt, rules: nil, considered: 0, excluded: [:], candidates: [])
        case .ranked(let decision, let shown):
            DispatchAssignment(id: UUID(), workOrderID: id, engineerID: engineer, mode: .auto, actorKeyID: actor, reason: nil,
                               assignedAt: order.statusChangedAt, rules: decision.rules, considered: decision.considered,
                               excluded: decision.ranking.exclusionNames, candidates: shown)
        }
        return (order, try scope.dispatch.record(record))
    }
}
