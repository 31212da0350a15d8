import Foundation

/// When one target of an order falls due and when to warn before: what a clock stores, worked
/// out from the policy's goal, the clock's start and the pause ledger.
public struct SLAPlan: Sendable, Equatable {
    /// Nil while the clock is paused (it stands still, so there is no due time yet).
    public var dueAt: Date?
    /// The warning moments, one per fraction of the goal, in order.
    public var warnings: [Date]

    public init(dueAt: Date?, warnings: [Date]) {
        self.dueAt = dueAt
        self.warnings = warnings
    }

    /// Business-time goals count on `calendar` (every minute when the policy has none); calendar
    /// time goals count every minute.
    public init(goal: SLARules.Goal, startedAt: Date, calendar: BusinessCalendar?, pauses: [SLAClock.Pause], warnAt: [Double]) {
        let counting = goal.businessTime ? (calendar ?? .alwaysOpen()) : .alwaysOpen()
        let seconds = Double(goal.minutes) * 60
        dueAt = SLAClock.due(from: startedAt, after: seconds, calendar: counting, pauses: pauses)
        warnings = dueAt == nil ? [] : warnAt.compactMap {
            SLAClock.due(from: startedAt, after: (seconds * $0).rounded(), calendar: counting, pauses: pauses)
        }
    }

    /// The first moment after `done` warnings have gone out that the worker must act on: the
    /// next warning, else the breach.
    public func nextCheck(afterWarnings done: Int) -> Date? {
        done < warnings.count ? warnings[done] : dueAt
    }
}
