import Foundation
import PitstopCore
import Testing

@Suite struct SLAClockTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    /// The 2026 mainland calendar (the State Council's notice, from the fixture), with a shop's
    /// week: Monday to Friday 09:00–12:00 and 13:00–18:00.
    static let mainland2026: BusinessCalendar = {
        struct File: Decodable {
            struct Day: Decodable { var date: String }
            var holidays: [Day]
            var make_up_working_days: [Day]
        }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/cn-holidays-2026.json")
        let file = try! JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        let day = [BusinessCalendar.Hours(from: "09:00", to: "12:00")!, BusinessCalendar.Hours(from: "13:00", to: "18:00")!]
        return BusinessCalendar(timeZone: shanghai, weekly: [1: day, 2: day, 3: day, 4: day, 5: day],
                                holidays: Set(file.holidays.compactMap { LocalDate($0.date) }),
                                makeUpDays: Set(file.make_up_working_days.compactMap { LocalDate($0.date) }))
    }()

    /// `2026-10-08 12:00` in Shanghai.
    static func at(_ text: String, _ zone: TimeZone = shanghai) -> Date {
        let parts = text.split(separator: " ")
        let minute = BusinessCalendar.Hours(from: String(parts[1]), to: "24:00")!.start
        return LocalDate(String(parts[0]))!.instant(minute: minute, in: zone)
    }

    static let hour: TimeInterval = 3600

    @Test(arguments: [
        // One hour on the eve of National Day, the seven holidays (a weekend inside), then Thursday.
        ("2026-09-30 17:00", 4.0, "2026-10-08 12:00"),
        // Saturday 10 October is a make-up working day (调休): it works Monday's hours.
        ("2026-10-09 16:00", 4.0, "2026-10-10 11:00"),
        // Saturday 14 February works; the Spring Festival then runs to Monday 23 February.
        ("2026-02-13 17:00", 2.0, "2026-02-14 10:00"),
        ("2026-02-14 17:30", 3.0, "2026-02-24 11:30"),
        // Lunch does not count; an order opened before hours starts at opening.
        ("2026-03-02 11:00", 2.0, "2026-03-02 14:00"),
        ("2026-03-02 07:00", 1.0, "2026-03-02 10:00"),
        // Over a weekend; a target ending exactly at closing time is due at closing.
        ("2026-03-06 15:00", 6.0, "2026-03-09 12:00"),
        ("2026-03-02 09:00", 3.0, "2026-03-02 12:00"),
        // Qingming (4–6 April: Saturday to Monday).
        ("2026-04-03 17:00", 2.0, "2026-04-07 10:00"),
        ("2026-03-02 10:00", 0.0, "2026-03-02 10:00"),
    ])
    func dueTimesOnThe2026MainlandCalendar(start: String, hours: Double, expected: String) {
        #expect(SLAClock.due(from: Self.at(start), after: hours * Self.hour, calendar: Self.mainland2026) == Self.at(expected))
    }

    @Test func elapsedBusinessTimeSkipsHolidaysAndCountsMakeUpDays() {
        let calendar = Self.mainland2026
        // 30 September and 8 October: two working days around the holiday week.
        #expect(SLAClock.elapsed(from: Self.at("2026-09-30 09:00"), to: Self.at("2026-10-08 18:00"), calendar: calendar) == 16 * Self.hour)
        // Through Saturday 10 October (make-up) to Monday noon.
        #expect(SLAClock.elapsed(from: Self.at("2026-10-09 17:00"), to: Self.at("2026-10-12 12:00"), calendar: calendar) == 12 * Self.hour)
        #expect(SLAClock.elapsed(from: Self.at("2026-10-12 12:00"), to: Self.at("2026-10-09 17:00"), calendar: calendar) == 0)
    }

    @Test func calendarTimeCountsEveryMinute() {
        let calendar = BusinessCalendar.alwaysOpen(in: Self.shanghai)
        #expect(SLAClock.due(from: Self.at("2026-10-01 00:00"), after: 8 * Self.hour, calendar: calendar) == Self.at("2026-10-01 08:00"))
        #expect(SLAClock.elapsed(from: Self.at("2026-10-01 00:00"), to: Self.at("2026-10-03 00:00"), calendar: calendar) == 48 * Self.hour)
    }

    @Test func pausesStopTheClockAndAnOpenPauseHasNoDueTime() {
        let calendar = Self.mainland2026
        // Waiting for parts from 10:00 to 15:00 on Monday: 1 h before, 3 h after, then Tuesday.
        let pauses = [SLAClock.Pause(start: Self.at("2026-03-02 10:00"), end: Self.at("2026-03-02 15:00"))]
        #expect(SLAClock.due(from: Self.at("2026-03-02 09:00"), after: 8 * Self.hour, calendar: calendar, pauses: pauses)
                == Self.at("2026-03-03 14:00"))
        #expect(SLAClock.elapsed(from: Self.at("2026-03-02 09:00"), to: Self.at("2026-03-02 18:00"), calendar: calendar, pauses: pauses)
                == 4 * Self.hour)
        // Overlapping pauses count once; a pause outside working hours changes nothing.
        let overlapping = pauses + [SLAClock.Pause(start: Self.at("2026-03-02 14:00"), end: Self.at("2026-03-02 16:00")),
                                    SLAClock.Pause(start: Self.at("2026-03-02 19:00"), end: Self.at("2026-03-02 22:00"))]
        #expect(SLAClock.due(from: Self.at("2026-03-02 09:00"), after: 8 * Self.hour, calendar: calendar, pauses: overlapping)
                == Self.at("2026-03-03 15:00"))
        let open = [SLAClock.Pause(start: Self.at("2026-03-02 10:00"), end: nil)]
        #expect(SLAClock.due(from: Self.at("2026-03-02 09:00"), after: Self.hour, calendar: calendar, pauses: open) == nil)
        #expect(SLAClock.elapsed(from: Self.at("2026-03-02 09:00"), to: Self.at("2026-03-02 18:00"), calendar: calendar, pauses: open)
                == Self.hour)
    }

    @Test func aCalendarThatNeverWorksHasNoDueTime() {
        let never = BusinessCalendar(timeZone: Self.shanghai, weekly: [:])
        #expect(SLAClock.due(from: Self.at("2026-03-02 09:00"), after: Self.hour, calendar: never) == nil)
    }

    @Test func localDatesRoundTripAndKnowTheirWeekday() {
        #expect(LocalDate("2026-10-10")?.weekday == 6)
        #expect(LocalDate("2026-01-04")?.weekday == 7)
        #expect(LocalDate("2026-02-30") == nil)
        #expect(LocalDate("2026-2-3") == nil)
        #expect(LocalDate("2024-02-29")?.adding(days: 1) == LocalDate("2024-03-01"))
        #expect(LocalDate(Self.at("2026-10-10 23:59"), in: Self.shanghai) == LocalDate("2026-10-10"))
        #expect(LocalDate(Self.at("2026-10-10 23:59"), in: TimeZone(identifier: "UTC")!) == LocalDate("2026-10-10"))
        #expect(LocalDate(Self.at("2026-10-10 07:59"), in: TimeZone(identifier: "UTC")!) == LocalDate("2026-10-09"))
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(LocalDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
    }

    // MARK: - Against a minute-by-minute count

    /// A deterministic generator, so a failing case can be replayed from its seed.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func randomCalendar(_ random: inout SplitMix64, zone: TimeZone) -> BusinessCalendar {
        var weekly: [Int: [BusinessCalendar.Hours]] = [:]
        for day in 1...7 where Int.random(in: 0..<4, using: &random) > 0 {
            var cuts = (0..<(2 * Int.random(in: 1...2, using: &random))).map { _ in Int.random(in: 0...1440, using: &random) }.sorted()
            cuts = Array(Set(cuts)).sorted()
            weekly[day] = stride(from: 0, to: cuts.count - 1, by: 2).map { BusinessCalendar.Hours(start: cuts[$0], end: cuts[$0 + 1]) }
        }
        let base = LocalDate("2026-03-01")!
        let holidays = Set((0..<Int.random(in: 0...6, using: &random)).map { _ in base.adding(days: Int.random(in: 0..<40, using: &random)) })
        let makeUp = Set((0..<Int.random(in: 0...3, using: &random)).map { _ in base.adding(days: Int.random(in: 0..<40, using: &random)) })
        return BusinessCalendar(timeZone: zone, weekly: weekly, holidays: holidays, makeUpDays: makeUp,
                                makeUpHours: [BusinessCalendar.Hours(start: 600, end: 900)])
    }

    /// Whether the minute starting at `instant` counts.
    static func counts(_ instant: Date, _ calendar: BusinessCalendar, _ pauses: [SLAClock.Pause]) -> Bool {
        let day = LocalDate(instant, in: calendar.timeZone)
        let minute = Int(instant.timeIntervalSince(day.instant(minute: 0, in: calendar.timeZone)) / 60)
        guard calendar.hours(on: day).contains(where: { ($0.start..<$0.end).contains(minute) }) else { return false }
        return !pauses.contains { instant >= $0.start && instant < ($0.end ?? .distantFuture) }
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func dueAndElapsedAgreeWithAMinuteByMinuteCount(seed: UInt64) {
        var random = SplitMix64(state: seed)
        var compared = 0
        for zone in [TimeZone(identifier: "UTC")!, Self.shanghai] {
            for _ in 0..<40 {
                let calendar = Self.randomCalendar(&random, zone: zone)
                let start = Self.at("2026-03-01 00:00", zone).addingTimeInterval(60 * Double(Int.random(in: 0..<(20 * 1440), using: &random)))
                let pauses = (0..<Int.random(in: 0...3, using: &random)).map { _ -> SLAClock.Pause in
                    let from = start.addingTimeInterval(60 * Double(Int.random(in: -600..<(5 * 1440), using: &random)))
                    return SLAClock.Pause(start: from, end: from.addingTimeInterval(60 * Double(Int.random(in: 1...900, using: &random))))
                }
                let minutes = Int.random(in: 1...1500, using: &random)
                // Also the working minutes up to an arbitrary instant on the way.
                let probe = start.addingTimeInterval(60 * Double(Int.random(in: 0..<(10 * 1440), using: &random)))
                var countedAtProbe = 0
                // The brute force: walk minute by minute until that many have counted (within 60 days).
                var counted = 0
                var cursor = start
                var expected: Date?
                while cursor < start.addingTimeInterval(60 * 86_400) {
                    if cursor == probe { countedAtProbe = counted }
                    if Self.counts(cursor, calendar, pauses) {
                        counted += 1
                        if counted == minutes { expected = cursor.addingTimeInterval(60); break }
                    }
                    cursor = cursor.addingTimeInterval(60)
                }
                guard let expected, probe < cursor else { continue }
                compared += 1
                #expect(SLAClock.elapsed(from: start, to: probe, calendar: calendar, pauses: pauses) == Double(countedAtProbe) * 60,
                        "seed \(seed), \(zone.identifier), start \(start), probe \(probe)")
                #expect(SLAClock.due(from: start, after: Double(minutes) * 60, calendar: calendar, pauses: pauses) == expected,
                        "seed \(seed), \(zone.identifier), start \(start), \(minutes) min")
                #expect(SLAClock.elapsed(from: start, to: expected, calendar: calendar, pauses: pauses) == Double(minutes) * 60)
            }
        }
        // Most random cases reach their target within the walk; the comparison must not be vacuous.
        #expect(compared >= 20, "only \(compared) cases compared")
    }
}
