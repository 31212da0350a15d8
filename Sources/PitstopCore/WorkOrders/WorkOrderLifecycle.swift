import Foundation

/// The work-order state machine: which status may follow which, who may make each step, and the
/// two steps that need more than the current status (a cancellation reason; a reopening window).
/// Pure: the caller passes in the time.
public enum WorkOrderLifecycle {
    /// Every allowed step and who may make it, in one place. The desk may make every step the
    /// state allows (its overrides); the others only their own.
    public static let steps: [WorkOrderStatus: [WorkOrderStatus: Set<StepActor>]] = [
        .new: [
            // Automatic dispatch offers or assigns it; an engineer claims it from the pool.
            .assigned: [.desk, .automation, .otherEngineer],
            .cancelled: [.desk],
        ],
        .assigned: [
            .accepted: [.desk, .assignedEngineer],
            // Back to new when the engineer declines or the offer times out with no one else to ask.
            .new: [.desk, .assignedEngineer, .automation],
            .cancelled: [.desk],
        ],
        .accepted: [.diagnosing: [.desk, .assignedEngineer], .cancelled: [.desk]],
        .diagnosing: [
            // Through a parts requisition, or straight to the repair.
            .awaitingParts: [.desk, .assignedEngineer],
            .repairing: [.desk, .assignedEngineer],
            .cancelled: [.desk],
        ],
        // The desk's approval of the requisition sends it back; the engineer may go on without
        // the parts (a refused requisition, another way found).
        .awaitingParts: [.repairing: [.desk, .assignedEngineer], .cancelled: [.desk]],
        .repairing: [
            .awaitingParts: [.desk, .assignedEngineer],
            // Submitted for the quality check.
            .qualityCheck: [.desk, .assignedEngineer],
            .cancelled: [.desk],
        ],
        // A failed check sends the work back to the bench. Nobody inspects their own work.
        .qualityCheck: [
            .awaitingAcceptance: [.desk, .inspector],
            .repairing: [.desk, .inspector],
            .cancelled: [.desk],
        ],
        // The customer signs; the desk may record a paper signature or the customer's refusal.
        .awaitingAcceptance: [.completed: [.desk, .customer], .repairing: [.desk], .cancelled: [.desk]],
        .completed: [.reopened: [.desk]],
        .cancelled: [:],
        .reopened: [.assigned: [.desk, .automation, .otherEngineer], .cancelled: [.desk]],
    ]

    /// Which status may follow which, whoever asks.
    public static let transitions: [WorkOrderStatus: Set<WorkOrderStatus>] = steps.mapValues { Set($0.keys) }

    /// How long after completion a customer may ask for rework (返修) unless the tenant says otherwise.
    public static let defaultReopenWindow: TimeInterval = 30 * 24 * 3600

    public static func allowedNext(from status: WorkOrderStatus) -> Set<WorkOrderStatus> {
        transitions[status] ?? []
    }

    /// Who may move an order from `current` to `next`; empty when the state does not allow it.
    public static func actors(from current: WorkOrderStatus, to next: WorkOrderStatus) -> Set<StepActor> {
        steps[current]?[next] ?? []
    }

    /// Checks one step made by `actor`: the state first (the step must exist), then who makes it.
    /// `reason` is required to cancel; reopening needs the completion time to be within
    /// `reopenWindow` of `now`.
    public static func validate(from current: WorkOrderStatus, to next: WorkOrderStatus, by actor: StepActor, reason: String? = nil,
                                completedAt: Date? = nil, now: Date = Date(),
                                reopenWindow: TimeInterval = defaultReopenWindow) throws(TransitionError) {
        guard allowedNext(from: current).contains(next) else {
            throw .notAllowed(current: current, requested: next, allowed: allowedNext(from: current))
        }
        let permitted = actors(from: current, to: next)
        guard permitted.contains(actor) else {
            throw .notPermitted(current: current, requested: next, actor: actor, permitted: permitted)
        }
        if next == .cancelled, (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .reasonRequired
        }
        if next == .reopened {
            guard let completedAt, now.timeIntervalSince(completedAt) <= reopenWindow else {
                throw .reopenWindowClosed(days: Int(reopenWindow / 86400))
            }
        }
    }

    public enum TransitionError: Error, Equatable, CustomStringConvertible {
        case notAllowed(current: WorkOrderStatus, requested: WorkOrderStatus, allowed: Set<WorkOrderStatus>)
        /// The state allows the step, but not from this actor.
        case notPermitted(current: WorkOrderStatus, requested: WorkOrderStatus, actor: StepActor, permitted: Set<StepActor>)
        case reasonRequired
        case reopenWindowClosed(days: Int)

        public var description: String {
            switch self {
            case .notAllowed(let current, let requested, let allowed):
                let next = allowed.map(\.rawValue).sorted()
                return "\(current.withArticle) order cannot become \(requested.rawValue); "
                    + (next.isEmpty ? "it is final" : "allowed next: \(next.joined(separator: ", "))")
            case .notPermitted(let current, let requested, let actor, let permitted):
                let who = StepActor.allCases.filter(permitted.contains).map(\.description)
                return "only \(who.joined(separator: " or ")) may move \(current.withArticle) order to \(requested.rawValue); "
                    + "you act as \(actor.description)"
            case .reasonRequired:
                return "cancelling needs a reason"
            case .reopenWindowClosed(let days):
                return "rework can be requested within \(days) days of completion; open a new order instead"
            }
        }
    }
}

extension WorkOrderStatus {
    /// "a new", "an accepted": the status as a refusal's sentence names it.
    fileprivate var withArticle: String {
        ("aeiou".contains(rawValue.first ?? "x") ? "an " : "a ") + rawValue
    }
}
