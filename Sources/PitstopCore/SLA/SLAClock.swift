import Foundation

/// Business-time arithmetic for SLA clocks: how much working time lies between two instants, and
/// when a target is reached, across nights, weekends, holidays, make-up days and pauses. Pure:
/// the calendar and the pause ledger come in, instants come out.
public enum SLAClock {
    /// A stretch during which the clock stood still (`end` nil while it still does).
    public struct Pause: Sendable, Equatable {
        public var start: Date
        public var end: Date?

        public init(start: Date, end: Date?) {
            self.start = start
            self.end = end
        }
    }

    /// How far ahead `due` looks before deciding a target cannot be reached (a calendar whose
    /// working days all lie in the past, say).
    static let horizonDays = 3 * 366

    /// Working seconds in `start..<end` that are not paused.
    public static func elapsed(from start: Date, to end: Date, calendar: BusinessCalendar, pauses: [Pause] = []) -> TimeInterval {
        guard end > start else { return 0 }
        var total: TimeInterval = 0
        forEachWorkingStretch(from: start, calendar: calendar, pauses: pauses, until: end) { stretch in
            // A stretch after a pause that outlasts `end` may begin past it.
            guard stretch.lowerBound < end else { return false }
            total += min(stretch.upperBound, end).timeIntervalSince(stretch.lowerBound)
            return true
        }
        return total
    }

    /// The instant at which `duration` working seconds have passed since `start`, skipping
    /// pauses; nil while a pause is still open (the clock stands still, so no due time exists)
    /// or when the calendar never works.
    public static func due(from start: Date, after duration: TimeInterval, calendar: BusinessCalendar,
                           pauses: [Pause] = []) -> Date? {
        guard !pauses.contains(where: { $0.end == nil }) else { return nil }
        guard duration > 0 else { return start }
        guard calendar.hasWorkingTime else { return nil }
        var remaining = duration
        var found: Date?
        forEachWorkingStretch(from: start, calendar: calendar, pauses: pauses, until: nil) { stretch in
            let length = stretch.upperBound.timeIntervalSince(stretch.lowerBound)
            if remaining <= length {
                found = stretch.lowerBound.addingTimeInterval(remaining)
                return false
            }
            remaining -= length
            return true
        }
        return found
    }

    /// Calls `body` with each stretch of working, unpaused time from `start` on, in order, until
    /// it returns false, the stretches pass `until`, or the horizon is reached.
    private static func forEachWorkingStretch(from start: Date, calendar: BusinessCalendar, pauses: [Pause], until: Date?,
                                              _ body: (Range<Date>) -> Bool) {
        let stops = merged(pauses)
        var day = LocalDate(start, in: calendar.timeZone).adding(days: -1)
        let lastDay = LocalDate(until ?? start, in: calendar.timeZone).adding(days: until == nil ? horizonDays : 1)
        while day <= lastDay {
            for hours in calendar.hours(on: day) {
                let open = max(day.instant(minute: hours.start, in: calendar.timeZone), start)
                let close = day.instant(minute: hours.end, in: calendar.timeZone)
                if let until, open >= until { return }
                guard open < close else { continue }
                for stretch in subtract(stops, from: open..<close) where !body(stretch) { return }
            }
            day = day.adding(days: 1)
        }
    }

    /// Pauses as sorted, non-overlapping ranges (an open one runs to the end of time).
    static func merged(_ pauses: [Pause]) -> [Range<Date>] {
        let ranges = pauses.map { $0.start..<max($0.start, $0.end ?? .distantFuture) }.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        var out: [Range<Date>] = []
        for range in ranges {
            if let last = out.last, range.lowerBound <= last.upperBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                out.append(range)
            }
        }
        return out
    }

    /// `window` with the stops cut out, in order.
    static func subtract(_ stops: [Range<Date>], from window: Range<Date>) -> [Range<Date>] {
        var pieces: [Range<Date>] = []
        var cursor = window.lowerBound
        for stop in stops where stop.upperBound > cursor && stop.lowerBound < window.upperBound {
            if stop.lowerBound > cursor { pieces.append(cursor..<stop.lowerBound) }
            cursor = max(cursor, stop.upperBound)
            if cursor >= window.upperBound { return pieces }
        }
        if cursor < window.upperBound { pieces.append(cursor..<window.upperBound) }
        return pieces
    }
}
