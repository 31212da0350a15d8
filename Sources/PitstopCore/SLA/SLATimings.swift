import Foundation

/// How each of a tenant's SLA policies measures time: its rules, and the calendar its
/// business-time targets count on (always open without one). What the reports need to measure
/// an order's times the way its clocks did.
public struct SLATimings: Sendable {
    public struct Timing: Sendable {
        public var rules: SLARules
        public var calendar: BusinessCalendar
    }

    public var byPolicy: [UUID: Timing]

    /// `calendars` holds at least every calendar the policies name.
    public init(policies: [SLAPolicy], calendars: [UUID: BusinessCalendar]) {
        byPolicy = Dictionary(uniqueKeysWithValues: policies.map { policy in
            (policy.id, Timing(rules: policy.rules, calendar: policy.calendarID.flatMap { calendars[$0] } ?? .alwaysOpen()))
        })
    }
}
