import Foundation

/// What a due SLA clock calls for at a moment: the rule, without the database, so it is tested
/// with tables and a fixed clock. A breach whose time has come goes out alone (no late warnings
/// before it); otherwise the latest warning due; on a breached clock still not met, the breach
/// levels whose delay has passed.
public enum SLADecision: Sendable, Equatable {
    /// Nothing to send now: look again at this moment (never, when nil).
    case wait(until: Date?)
    /// Send this; the clock then counts `warningsSent` and `escalationsSent`, and is looked at
    /// again at `next`.
    case fire(Fired, warningsSent: Int, escalationsSent: Int, next: Date?)

    public enum Fired: Sendable, Equatable {
        /// The warning at this fraction of the goal (earlier ones it overtook are not repeated).
        case warning(fraction: Double)
        /// The breach, with the breach levels due at once (indices into `SLARules.breachLevels`).
        case breach(levels: Range<Int>)
        /// Later breach levels whose delay has passed, the clock still not met.
        case escalation(levels: Range<Int>)

        /// The order's timeline entry for it.
        public var timelineKind: TimelineKind {
            switch self {
            case .warning: .slaWarning
            case .breach: .slaBreached
            case .escalation: .slaEscalated
            }
        }

        /// The outbox event for it.
        public var event: EventType {
            switch self {
            case .warning: .workOrderSLAWarning
            case .breach: .workOrderSLABreached
            case .escalation: .workOrderSLAEscalated
            }
        }
    }

    /// How far a clock has got: its warning moments, its due time and what was sent.
    public struct Progress: Sendable, Equatable {
        public var warnings: [Date]
        public var warningsSent: Int
        public var dueAt: Date?
        public var breached: Bool
        public var met: Bool
        public var escalationsSent: Int

        public init(warnings: [Date], warningsSent: Int, dueAt: Date?, breached: Bool, met: Bool, escalationsSent: Int) {
            self.warnings = warnings
            self.warningsSent = warningsSent
            self.dueAt = dueAt
            self.breached = breached
            self.met = met
            self.escalationsSent = escalationsSent
        }
    }

    /// `warnAt` are the policy's warning fractions and `breachDelays` its breach levels' delays in
    /// minutes after the due time, both in order.
    public static func decide(_ clock: Progress, warnAt: [Double], breachDelays: [Int], now: Date) -> SLADecision {
        var sent = clock.warningsSent
        while sent < clock.warnings.count && clock.warnings[sent] <= now { sent += 1 }
        // Breach levels whose time has come, counted from the due time.
        let reached = clock.dueAt.map { due in breachDelays.filter { due.addingTimeInterval(Double($0) * 60) <= now }.count } ?? 0
        let laterLevel = { (count: Int) -> Date? in
            count < breachDelays.count ? clock.dueAt?.addingTimeInterval(Double(breachDelays[count]) * 60) : nil
        }
        if clock.breached {
            guard !clock.met, reached > clock.escalationsSent else {
                return .wait(until: clock.met ? nil : laterLevel(clock.escalationsSent))
            }
            return .fire(.escalation(levels: clock.escalationsSent..<reached), warningsSent: sent, escalationsSent: reached,
                         next: laterLevel(reached))
        }
        if let due = clock.dueAt, due <= now {
            return .fire(.breach(levels: 0..<reached), warningsSent: clock.warnings.count, escalationsSent: reached, next: laterLevel(reached))
        }
        if sent > clock.warningsSent {
            return .fire(.warning(fraction: sent - 1 < warnAt.count ? warnAt[sent - 1] : 1), warningsSent: sent,
                         escalationsSent: clock.escalationsSent, next: sent < clock.warnings.count ? clock.warnings[sent] : clock.dueAt)
        }
        // Nothing due after all (the clock was replanned meanwhile): look again when it is.
        return .wait(until: clock.warnings.dropFirst(sent).first ?? clock.dueAt)
    }
}
