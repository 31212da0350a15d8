import Foundation
import PitstopCore
import PitstopStore

/// Every status change of a work order and what follows from it, in the caller's transaction:
/// the order's row, timeline entry and outbox event (the repository writes them in one
/// statement), its SLA clocks, the parts it holds, the dispatch record of an assignment, and the
/// messages it sends the engineer and the customer.
/// Every step is checked against `WorkOrderLifecycle.steps` for the party making it.
public struct OrderLifecycle {
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

    /// The API key the timeline names; nil for a customer's own link or the worker.
    var actor: UUID? { party.keyID }

    /// Opens a checked order (intake has found its customer and vehicle). `note` is for staff.
    public func open(_ new: NewWorkOrder, note: String?) throws -> WorkOrder {
        let (order, slaApplies) = try scope.workOrders.create(new, zone: tenant.zone, actor: actor, note: note, now: now)
        if slaApplies { try clocks.started(order) }
        try customerNotices.tell(.received, about: order)
        return order
    }

    /// Applies a desk's edit of the order's details. What an SLA policy matches on (priority,
    /// shop, site) may have changed, so the clocks follow.
    public func edit(_ id: UUID, expectedVersion: Int, _ changes: WorkOrderChanges) throws -> WorkOrder {
        let current = try scope.workOrders.get(id: id)
        let errors = changes.errors(template: try scope.workOrderTypes.get(id: current.typeID).template)
        guard errors.isEmpty else { throw ValidationError(errors) }
        let order = try scope.workOrders.update(id: id, expectedVersion: expectedVersion, changes, actor: actor, now: now)
        if changes.priority != nil || !changes.shopID.isKeep || !changes.site.isKeep { try clocks.rematch(order) }
        return order
    }

    /// Moves the order to `next` if the lifecycle allows it and the order is still at
    /// `expectedVersion`. Cancelling needs `reason`; assigning goes through `assign`.
    public func move(_ id: UUID, expectedVersion: Int, to next: WorkOrderStatus, note: String?, reason: String? = nil) throws -> WorkOrder {
        precondition(next != .assigned, "an assignment goes through assign, which keeps its dispatch record")
        return try changeStatus(id, expectedVersion: expectedVersion, to: next, note: note, reason: reason, assignee: nil)
    }

    /// The engineer's arrival on site, `distanceMeters` from where the order expects them: the
    /// visit, its timeline entry and event, and the arrival clock stopped.
    public func checkIn(_ id: UUID, engineer: UUID, at point: GeoPoint, distanceMeters: Int?, outsideRadius: Bool) throws -> Visit {
        let visit = try scope.visits.checkIn(id: id, engineer: engineer, at: point, distanceMeters: distanceMeters,
                                             outsideRadius: outsideRadius, now: now)
        let note = distanceMeters.map { "checked in \($0) m from the expected place" + (outsideRadius ? ", outside the check-in radius" : "") }
            ?? "checked in (the order has no expected place)"
        try scope.workOrders.touch(id: id, kind: .checkedIn, note: note, actor: nil, topic: .workOrderCheckedIn, now: now)
        try clocks.arrived(id)
        return visit
    }

    /// The engineer leaves the site: their open visit closed, with its timeline entry and event.
    public func checkOut(_ id: UUID, engineer: UUID, at point: GeoPoint) throws -> Visit {
        let visit = try scope.visits.checkOut(id: id, engineer: engineer, at: point, now: now)
        try scope.workOrders.touch(id: id, kind: .checkedOut, note: nil, actor: nil, topic: .workOrderCheckedOut, now: now)
        return visit
    }

    /// The assignee asks the desk to hand the order on (one open request per order).
    public func requestTransfer(_ id: UUID, engineer: UUID, reason: String) throws -> TransferRequestRepository.TransferRequest {
        let asked = try scope.transferRequests.request(id: id, engineer: engineer, reason: reason, now: now)
        try scope.workOrders.touch(id: id, kind: .transferRequested, note: String("transfer requested: \(reason)".prefix(2000)), actor: actor,
                                   topic: .workOrderTransferRequested, now: now)
        return asked
    }

    /// A new version of the order's repair report, `basedOn` the version its author edited (nil
    /// for the first). Every field and photo is checked before anything is written.
    public func saveReport(_ id: UUID, basedOn: Int?, diagnosis: String, workPerformed: String, labour: [RepairReport.LabourLine],
                           parts: [RepairReport.PartLine], mileageKm: Int?, beforePhotos: [UUID], afterPhotos: [UUID]) throws -> RepairReport {
        let media = try scope.media.list(workOrder: id)
        let errors = RepairReport.errors(diagnosis: diagnosis, workPerformed: workPerformed, labour: labour, parts: parts, mileageKm: mileageKm)
            + RepairReport.photoErrors(before: beforePhotos, after: afterPhotos, orderMedia: media)
        guard errors.isEmpty else { throw ValidationError(errors) }
        // Saves are serialised on the order's row, so two authors cannot both build on one version.
        _ = try scope.workOrders.get(id: id, forUpdate: true)
        if let signed = try scope.acceptances.acceptance(id: id) {
            throw StoreError.conflict("the customer signed version \(signed.reportVersion) of the report; it is final")
        }
        let current = try scope.repairReports.reports(id: id).first?.version ?? 0
        guard (basedOn ?? 0) == current else { throw StoreError.versionMismatch(current: current) }
        let report = try scope.repairReports.save(id: id, version: current + 1, diagnosis: diagnosis, workPerformed: workPerformed, labour: labour,
                                                  parts: parts, mileageKm: mileageKm, beforePhotos: beforePhotos, afterPhotos: afterPhotos,
                                                  orderMedia: media, actor: actor, now: now)
        try scope.workOrders.touch(id: id, kind: .reportSaved, note: "repair report version \(report.version)", actor: actor,
                                   topic: .workOrderReportSaved, now: now)
        return report
    }

    /// How an assignment came about, as its dispatch record keeps it.
    public enum Basis {
        /// A dispatcher's pick, with their reason and the decision it was made against.
        case picked(reason: String?, Dispatcher.Decision, shown: [CandidateBreakdown])
        /// The policy's choice: its decision and the top of the ranking shown with it.
        case ranked(Dispatcher.Decision, shown: [CandidateBreakdown])
        /// The engineer claimed it from the grab pool.
        case claimed
    }

    /// Gives the order to `engineer`, with the dispatch record that says how.
    public func assign(_ id: UUID, expectedVersion: Int, to engineer: UUID, note: String?, basis: Basis) throws -> (WorkOrder, DispatchAssignment) {
        let order = try changeStatus(id, expectedVersion: expectedVersion, to: .assigned, note: note, reason: nil, assignee: engineer)
        let record = switch basis {
        case .picked(let reason, let decision, let shown):
            DispatchAssignment(id: UUID(), workOrderID: id, engineerID: engineer, mode: .direct, actorKeyID: actor, reason: reason,
                               assignedAt: order.statusChangedAt, rules: decision.rules, considered: decision.considered,
                               excluded: decision.ranking.exclusionNames, candidates: shown)
        case .ranked(let decision, let shown):
            DispatchAssignment(id: UUID(), workOrderID: id, engineerID: engineer, mode: .auto, actorKeyID: actor, reason: nil,
                               assignedAt: order.statusChangedAt, rules: decision.rules, considered: decision.considered,
                               excluded: decision.ranking.exclusionNames, candidates: shown)
        case .claimed:
            DispatchAssignment(id: UUID(), workOrderID: id, engineerID: engineer, mode: .claim, actorKeyID: actor, reason: nil,
                               assignedAt: order.statusChangedAt, rules: nil, considered: 0, excluded: [:], candidates: [])
        }
        return (order, try scope.dispatch.record(record))
    }

    /// The desk moves an assigned, open order to another engineer with a reason (转派). An
    /// accepted order goes back to assigned, so the new engineer accepts it in turn; one already
    /// being worked on keeps its status. Kept as a transfer in the dispatch record.
    public func transfer(_ id: UUID, expectedVersion: Int, to engineer: UUID, reason: String) throws -> (WorkOrder, DispatchAssignment) {
        guard party.stepActor(assignee: nil) == .desk else { throw TransferRefusal.notTheDesk }
        let taking: Engineer
        do {
            taking = try scope.engineers.get(id: engineer)
        } catch StoreError.notFound {
            throw ValidationError(field: "engineer_id", "does not name an engineer of this tenant")
        }
        let locked = try scope.workOrders.lockForChange(id: id, expectedVersion: expectedVersion)
        guard let previous = locked.assigneeID, locked.status.isOpen, locked.status != .new, locked.status != .reopened else {
            throw TransferRefusal.notAssigned(locked.status)
        }
        guard previous != engineer else { throw ValidationError(field: "engineer_id", "is already the assignee") }
        let next: WorkOrderStatus = locked.status == .accepted ? .assigned : locked.status
        let moved = try scope.workOrders.transfer(locked, from: previous, to: engineer, next: next, reason: reason, actor: actor, now: now)
        if next != locked.status { try clocks.statusChanged(moved, from: locked.status) }
        let record = DispatchAssignment(id: UUID(), workOrderID: id, engineerID: engineer, mode: .transfer, actorKeyID: actor, reason: reason,
                                        assignedAt: moved.updatedAt, rules: nil, considered: 0, excluded: [:], candidates: [])
        let leaving = try scope.engineers.get(id: previous)
        try notices.tell(taking, .transferredIn(from: leaving.name), about: moved)
        try notices.tell(leaving, .transferredAway(to: taking.name), about: moved)
        return (moved, try scope.dispatch.record(record))
    }

    public enum TransferRefusal: Error, Equatable, CustomStringConvertible {
        /// Moving work between engineers is the desk's.
        case notTheDesk
        /// Only an assigned, open order has an engineer to move it from.
        case notAssigned(WorkOrderStatus)

        public var description: String {
            switch self {
            case .notTheDesk: "only a dispatcher or admin key transfers an order; an engineer asks with a transfer request"
            case .notAssigned(let status): "only an assigned, open order can be transferred; this one is \(status.rawValue)"
            }
        }
    }

    /// The status change and its follow-ups.
    private func changeStatus(_ id: UUID, expectedVersion: Int, to next: WorkOrderStatus, note: String?, reason: String?,
                              assignee: UUID?) throws -> WorkOrder {
        let locked = try scope.workOrders.lockForChange(id: id, expectedVersion: expectedVersion)
        try WorkOrderLifecycle.validate(from: locked.status, to: next, by: party.stepActor(assignee: locked.assigneeID), reason: reason,
                                        completedAt: locked.completedAt, now: now, reopenWindow: tenant.reopenWindow)
        try checkExtraWork(id, moving: next)
        let change = try scope.workOrders.transition(locked, to: next, note: note, reason: reason, assignee: assignee, actor: actor, now: now)
        if change.hasClocks { try clocks.statusChanged(change.order, from: change.from) }
        // Parts the order holds are used up by its completion and go back to the shelf when it is cancelled.
        if next == .completed || next == .cancelled {
            try scope.inventory.settle(workOrder: id, consume: next == .completed, actor: actor, now: now)
        }
        // The engineer on the job hears it was called off, unless they called it off.
        if next == .cancelled, let engineer = locked.assigneeID, party.stepActor(assignee: engineer) != .assignedEngineer {
            try notices.tell(engineer, .cancelled(reason: reason ?? ""), about: change.order)
        }
        if let moment = CustomerMoment(reaching: next) { try customerNotices.tell(moment, about: change.order) }
        return change.order
    }

    /// The customer wrote again about an open order: its engineer hears what they said.
    public func customerWrote(_ order: WorkOrder, _ text: String) throws {
        guard let engineer = order.assigneeID, order.status.isOpen else { return }
        try notices.tell(engineer, .customerMessage(text), about: order)
    }

    var clocks: SLAClockKeeper { SLAClockKeeper(scope: scope, now: now) }

    var notices: EngineerNotices { EngineerNotices(scope: scope, tenant: tenant, now: now) }

    var customerNotices: CustomerNotices { CustomerNotices(scope: scope, tenant: tenant, now: now) }
}
