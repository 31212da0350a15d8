import Foundation
import PitstopCore
import PitstopStore

extension OrderLifecycle {
    /// Why extra work cannot be proposed or answered, or the order cannot move on.
    public enum ExtraWorkRefusal: Error, Equatable, CustomStringConvertible {
        /// Extra work is found during the work itself.
        case notDuringTheWork(WorkOrderStatus)
        /// The order cannot go past the work while the customer has not answered.
        case answerAwaited
        /// The customer answered another version than the one waiting (their page was old).
        case proposalChanged
        /// Only the assigned engineer, a dispatcher or an admin proposes extra work.
        case notTheirOrder

        public var description: String {
            switch self {
            case .notDuringTheWork(let status):
                "extra work is proposed while the order is diagnosing, awaiting_parts or repairing; this one is \(status.rawValue)"
            case .answerAwaited: "extra work waits for the customer's answer; the order goes on once they answer or the desk withdraws it"
            case .proposalChanged: "the extra work answered is not the one waiting; show the customer the current proposal"
            case .notTheirOrder: "only the order's own engineer, a dispatcher or an admin proposes extra work"
            }
        }
    }

    /// Proposes extra work on `order`: checked, kept pending with the hash of what the customer
    /// will see, on the timeline and the outbox, the SLA clock held, and the customer told with
    /// their tracking link, all in this transaction.
    public func proposeExtraWork(_ order: WorkOrder, lines: [ExtraWork.Line], note: String) throws -> ExtraWork {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        let errors = ExtraWork.errors(lines: lines, note: note)
        guard errors.isEmpty else { throw ValidationError(errors) }
        if case .key(let key) = party, key.role == .engineer, order.assigneeID != key.engineerID { throw ExtraWorkRefusal.notTheirOrder }
        guard ExtraWork.proposable.contains(order.status) else { throw ExtraWorkRefusal.notDuringTheWork(order.status) }
        let proposal = try scope.extraWork.propose(workOrder: order.id, lines: lines, note: note, actor: actor, now: now)
        try scope.workOrders.touch(id: order.id, kind: .extraWorkProposed,
                                   note: "extra work proposed: \(Self.summary(proposal)); waiting for the customer",
                                   actor: actor, topic: .workOrderExtraWorkProposed, now: now)
        try clocks.held(order, reason: ExtraWork.pauseReason)
        try customerNotices.tell(.extraWork, about: order, extraWork: proposal)
        return proposal
    }

    /// The customer's answer to proposal `id` of `order`, naming the hash they were shown. The
    /// clock runs again and the engineer hears the answer.
    public func answerExtraWork(_ order: WorkOrder, id: UUID, approve: Bool, shownSHA256: String) throws -> ExtraWork {
        let proposal = try scope.extraWork.get(id: id)
        guard proposal.workOrderID == order.id else { throw StoreError.notFound("extra work") }
        guard proposal.state == .pending else { throw StoreError.conflict("the extra work was already \(proposal.state.rawValue)") }
        guard shownSHA256.lowercased() == proposal.sha256 else { throw ExtraWorkRefusal.proposalChanged }
        let answered = try scope.extraWork.settle(id: id, as: approve ? .approved : .declined, now: now)
        try settled(order, answered, note: "customer \(approve ? "approved" : "declined") extra work: \(Self.summary(answered)) "
                        + "(shown as \(answered.sha256.prefix(12)))")
        if let engineer = order.assigneeID { try notices.tell(engineer, .extraWorkAnswered(approved: approve), about: order) }
        return answered
    }

    /// The desk takes back proposal `id` before the customer answered (they said no on the
    /// phone, or the engineer found another way).
    public func withdrawExtraWork(_ order: WorkOrder, id: UUID) throws -> ExtraWork {
        let proposal = try scope.extraWork.get(id: id)
        guard proposal.workOrderID == order.id else { throw StoreError.notFound("extra work") }
        let withdrawn = try scope.extraWork.settle(id: id, as: .withdrawn, now: now)
        try settled(order, withdrawn, note: "extra work withdrawn: \(Self.summary(withdrawn))")
        return withdrawn
    }

    /// Before a status change to `next`: past the work only once the customer answered; a
    /// cancelled order's waiting proposal is withdrawn with it.
    func checkExtraWork(_ id: UUID, moving next: WorkOrderStatus) throws {
        guard ExtraWork.heldBack.contains(next) || next == .cancelled, let pending = try scope.extraWork.pending(workOrder: id) else { return }
        guard next == .cancelled else { throw ExtraWorkRefusal.answerAwaited }
        _ = try scope.extraWork.settle(id: pending.id, as: .withdrawn, now: now)
    }

    private func settled(_ order: WorkOrder, _ proposal: ExtraWork, note: String) throws {
        try scope.workOrders.touch(id: order.id, kind: .extraWorkAnswered, note: note, actor: actor, topic: .workOrderExtraWorkAnswered, now: now)
        try clocks.released(order, reason: ExtraWork.pauseReason)
    }

    static func summary(_ proposal: ExtraWork) -> String {
        proposal.lines.map { "\($0.description) × \(Amount.text($0.quantity))" }.joined(separator: ", ") + ", \(Money.text(fen: proposal.totalFen)) in all"
    }
}
