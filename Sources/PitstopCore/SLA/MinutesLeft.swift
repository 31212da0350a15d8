import Foundation

/// Time to a due moment in whole minutes, the one way Pitstop counts it (the SLA view's
/// `minutes_left`, the texts of warnings and breaches): truncated toward zero, so 59 s left
/// is 0 and 59 s overdue is 0, never -1. A count that rounds away from zero would tell a
/// dispatcher an order is a minute late the moment it is due.
public enum MinutesLeft {
    public static func whole(seconds: TimeInterval) -> Int {
        Int((seconds / 60).rounded(.towardZero))
    }

    /// Minutes from `now` to `due`, negative once it has passed.
    public static func until(_ due: Date, from now: Date) -> Int {
        whole(seconds: due.timeIntervalSince(now))
    }
}
