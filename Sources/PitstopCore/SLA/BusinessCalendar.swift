import Foundation

/// When a tenant or shop works: hours per weekday in a time zone, public holidays, and make-up
/// working days (调休: a weekend day that is a working day). Calendars are the tenant's data;
/// this type only answers which stretches of a day count.
public struct BusinessCalendar: Sendable, Equatable {
    /// A stretch of a day, in minutes after local midnight: `start..<end`, 0 ≤ start < end ≤ 1,440.
    public struct Hours: Sendable, Equatable, Hashable {
        public var start: Int
        public var end: Int

        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }

        /// `HH:MM` times; `24:00` ends a day.
        public init?(from: String, to: String) {
            guard let start = Self.minute(from), let end = Self.minute(to), start < end, end <= 1440 else { return nil }
            self.init(start: start, end: end)
        }

        static func minute(_ text: String) -> Int? {
            let parts = text.split(separator: ":")
            guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
                  (0...24).contains(hour), (0...59).contains(minute), hour < 24 || minute == 0 else { return nil }
            return hour * 60 + minute
        }
    }

    public var timeZone: TimeZone
    /// ISO weekday (1 Monday … 7 Sunday) → its working hours, in order and not overlapping.
    public var weekly: [Int: [Hours]]
    public var holidays: Set<LocalDate>
    /// Days worked although they fall on a weekend; they take `makeUpHours`.
    public var makeUpDays: Set<LocalDate>
    /// The hours of a make-up working day: by default those of Monday.
    public var makeUpHours: [Hours]

    public init(timeZone: TimeZone, weekly: [Int: [Hours]], holidays: Set<LocalDate> = [], makeUpDays: Set<LocalDate> = [],
                makeUpHours: [Hours]? = nil) {
        self.timeZone = timeZone
        self.weekly = weekly
        self.holidays = holidays
        self.makeUpDays = makeUpDays
        self.makeUpHours = makeUpHours ?? weekly[1] ?? []
    }

    /// Every minute counts: targets kept in calendar time.
    public static func alwaysOpen(in timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> BusinessCalendar {
        BusinessCalendar(timeZone: timeZone, weekly: Dictionary(uniqueKeysWithValues: (1...7).map { ($0, [Hours(start: 0, end: 1440)]) }))
    }

    /// The working hours of one day. A holiday wins over a make-up day listing the same date.
    public func hours(on date: LocalDate) -> [Hours] {
        if holidays.contains(date) { return [] }
        if makeUpDays.contains(date) { return makeUpHours }
        return weekly[date.weekday] ?? []
    }

    /// Whether any day can ever count; a calendar without hours would never reach a due time.
    public var hasWorkingTime: Bool {
        weekly.values.contains { !$0.isEmpty } || (!makeUpDays.isEmpty && !makeUpHours.isEmpty)
    }

    /// ISO weekday 1 … 7 by name, as the API writes weekly hours.
    public static let weekdayNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    /// Problems with the calendar's shape, by field, for the API.
    public static func errors(weekly: [Int: [Hours]], makeUpHours: [Hours]) -> [FieldError] {
        var errors: [FieldError] = []
        for (day, hours) in weekly.sorted(by: { $0.key < $1.key }) {
            guard (1...7).contains(day) else {
                errors.append(FieldError(field: "weekly", message: "weekdays are 1 (Monday) to 7 (Sunday)"))
                continue
            }
            for (earlier, later) in zip(hours, hours.dropFirst()) where later.start < earlier.end {
                errors.append(FieldError(field: "weekly.\(weekdayNames[day - 1])", message: "hours must be in order and must not overlap"))
            }
        }
        for (earlier, later) in zip(makeUpHours, makeUpHours.dropFirst()) where later.start < earlier.end {
            errors.append(FieldError(field: "make_up_hours", message: "hours must be in order and must not overlap"))
        }
        return errors
    }
}
