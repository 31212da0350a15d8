import Foundation

/// The work-order state machine: which status may follow which, and the two steps that need
/// more than the current status (a cancellation reason; a reopening window). Pure: the caller
/// passes in the time.
public enum WorkOrderLifecycle {
    /// Every allowed step, in one place.
    public static let transitions: [WorkOrderStatus: Set<WorkOrderStatus>] = [
        .new: [.assigned, .cancelled],
        // Back to new when the engineer declines or the offer times out with no one else to ask.
        .assigned: [.accepted, .new, .cancelled],
        .accepted: [.diagnosing, .cancelled],
        .diagnosing: [.awaitingParts, .repairing, .cancelled],
        .awaitingParts: [.repairing, .cancelled],
        .repairing: [.awaitingParts, .qualityCheck, .cancelled],
        // A failed check sends the work back to the bench.
        .qualityCheck: [.awaitingAcceptance, .repairing, .cancelled],
        // The customer may refuse the work instead of signing.
        .awaitingAcceptance: [.completed, .repairing, .cancelled],
        .completed: [.reopened],
        .cancelled: [],
        .reopened: [.assigned, .cancelled],
    ]

    /// How long after completion a customer may ask for rework (返修) unless the tenant says otherwise.
    public static let defaultReopenWindow: TimeInterval = 30 * 24 * 3600

    public static func allowedNext(from status: WorkOrderStatus) -> Set<WorkOrderStatus> {
        transitions[status] ?? []
    }

    /// Checks one step. `reason` is required to cancel; reopening needs the completion time to be
    /// within `reopenWindow` of `now`.
    public static func validate(from current: WorkOrderStatus, to next: WorkOrderStatus, reason: String? = nil,
                                completedAt: Date? = nil, now: Date = Date(),
                                reopenWindow: TimeInterval = defaultReopenWindow) throws(TransitionError) {
        guard allowedNext(from: current).contains(next) else {
            throw .notAllowed(current: current, requested: next, allowed: allowedNext(from: current))
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
        case reasonRequired
        case reopenWindowClosed(days: Int)

        public var description: String {
            switch self {
            case .notAllowed(let current, let requested, let allowed):
                let next = allowed.map(\.rawValue).sorted()
                return "a \(current.rawValue) order cannot become \(requested.rawValue); "
                    + (next.isEmpty ? "it is final" : "allowed next: \(next.joined(separator: ", "))")
            case .reasonRequired:
                return "cancelling needs a reason"
            case .reopenWindowClosed(let days):
                return "rework can be requested within \(days) days of completion; open a new order instead"
            }
        }
    }
}
