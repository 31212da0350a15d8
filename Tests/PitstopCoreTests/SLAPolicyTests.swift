import Foundation
import PitstopCore
import Testing

@Suite struct SLAPolicyTests {
    static let created = Date(timeIntervalSince1970: 1_780_000_000)
    static let engine = UUID()
    static let westLake = UUID()

    static func policy(_ name: String, position: Int, isDefault: Bool = false, match: SLAPolicy.Match = SLAPolicy.Match(),
                       minutes: Int = 240) -> SLAPolicy {
        SLAPolicy(id: UUID(), name: name, position: position, isDefault: isDefault, match: match, calendarID: nil,
                  rules: SLARules(resolution: SLARules.Goal(minutes: minutes)), createdAt: created, updatedAt: created, version: 1)
    }

    static let policies = [
        policy("default", position: 0, isDefault: true),
        policy("VIP", position: 1, match: SLAPolicy.Match(customerTag: "VIP")),
        policy("urgent engine at West Lake", position: 2, match: SLAPolicy.Match(priorities: [.p1, .p2], typeID: engine, shopID: westLake)),
        policy("urgent", position: 3, match: SLAPolicy.Match(priorities: [.p1])),
    ]

    @Test(arguments: [
        (WorkOrder.Priority.p1, true, true, ["VIP"], "VIP"),
        (.p1, true, true, [], "urgent engine at West Lake"),
        (.p2, true, true, ["fleet"], "urgent engine at West Lake"),
        (.p1, false, true, [], "urgent"),
        (.p2, true, false, [], "default"),
        (.p4, false, false, ["vip"], "default"),
    ])
    func theFirstMatchByPositionApplies(priority: WorkOrder.Priority, engine: Bool, atWestLake: Bool, tags: [String], expected: String) {
        let chosen = SLAPolicy.select(from: Self.policies.shuffled(), priority: priority, typeID: engine ? Self.engine : UUID(),
                                      shopID: atWestLake ? Self.westLake : nil, customerTags: tags)
        #expect(chosen?.name == expected)
    }

    @Test func withoutADefaultAnUnmatchedOrderHasNoPolicy() {
        #expect(SLAPolicy.select(from: Array(Self.policies.dropFirst()), priority: .p4, typeID: UUID(), shopID: nil, customerTags: []) == nil)
    }

    @Test func rulesTakeDefaultsAndNameWhatIsWrong() throws {
        let decoded = try JSONDecoder().decode(SLARules.self, from: Data(#"{"resolution":{"minutes":480,"businessTime":true}}"#.utf8))
        #expect(decoded.warnAt == [0.5, 0.75, 0.9])
        #expect(decoded.pausedStatuses == [.awaitingParts])
        #expect(decoded.errors.isEmpty)
        let bad = SLARules(firstResponse: SLARules.Goal(minutes: 0), warnAt: [0.9, 0.5, 1.2], pausedStatuses: [.completed])
        #expect(Set(bad.errors.map(\.field)) == ["first_response.minutes", "warn_at", "paused_statuses"])
        #expect(SLARules().errors.map(\.field) == ["resolution"])
    }

    @Test func planWarnsAtFractionsOfTheGoalInBusinessTime() {
        let calendar = SLAClockTests.mainland2026
        // Eight business hours from Friday 15:00: Friday 15–18 (3 h), Monday 09–12 (3 h) and 13–15
        // (2 h), so due Monday 15:00; warnings after 4 h, 6 h and 7.2 h of working time.
        let plan = SLAPlan(goal: SLARules.Goal(minutes: 480), startedAt: SLAClockTests.at("2026-03-06 15:00"), calendar: calendar,
                           pauses: [], warnAt: [0.5, 0.75, 0.9])
        #expect(plan.dueAt == SLAClockTests.at("2026-03-09 15:00"))
        #expect(plan.warnings == [SLAClockTests.at("2026-03-09 10:00"), SLAClockTests.at("2026-03-09 12:00"),
                                  SLAClockTests.at("2026-03-09 14:12")])
        #expect(plan.nextCheck(afterWarnings: 0) == SLAClockTests.at("2026-03-09 10:00"))
        #expect(plan.nextCheck(afterWarnings: 3) == plan.dueAt)
        // The same goal in calendar time ignores the weekend.
        let calendarTime = SLAPlan(goal: SLARules.Goal(minutes: 480, businessTime: false), startedAt: SLAClockTests.at("2026-03-06 15:00"),
                                   calendar: calendar, pauses: [], warnAt: [])
        #expect(calendarTime.dueAt == SLAClockTests.at("2026-03-06 23:00"))
        // While a pause is open there is no due time and nothing to warn about.
        let paused = SLAPlan(goal: SLARules.Goal(minutes: 480), startedAt: SLAClockTests.at("2026-03-06 15:00"), calendar: calendar,
                             pauses: [SLAClock.Pause(start: SLAClockTests.at("2026-03-06 16:00"), end: nil)], warnAt: [0.5])
        #expect(paused.dueAt == nil && paused.warnings.isEmpty)
    }
}
