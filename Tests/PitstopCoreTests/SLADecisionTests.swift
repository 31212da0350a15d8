import Foundation
import PitstopCore
import Testing

/// The SLA sweep's decision for one due clock, on a fixed clock: a goal due at 09:00 with warnings
/// at half and three quarters of its hour, and breach levels at the due time and half an hour on.
@Suite struct SLADecisionTests {
    static let start = Date(timeIntervalSince1970: 1_796_198_400) // 2026-12-02T08:00:00Z
    static func at(_ minutes: Double) -> Date { start.addingTimeInterval(minutes * 60) }
    static let due = at(60)
    static let warnings = [at(30), at(45)]

    static func clock(sent: Int = 0, breached: Bool = false, met: Bool = false, escalations: Int = 0,
                      warnings: [Date] = warnings, due: Date? = due) -> SLADecision.Progress {
        SLADecision.Progress(warnings: warnings, warningsSent: sent, dueAt: due, breached: breached, met: met, escalationsSent: escalations)
    }

    static let cases: [(String, SLADecision.Progress, Date, SLADecision)] = [
        ("before the first warning it waits for it", clock(), at(29.9), .wait(until: at(30))),
        ("the first warning", clock(), at(30), .fire(.warning(fraction: 0.5), warningsSent: 1, escalationsSent: 0, next: at(45))),
        ("a warning overtaken by the next is not sent late", clock(), at(50),
         .fire(.warning(fraction: 0.75), warningsSent: 2, escalationsSent: 0, next: due)),
        ("the breach at its due time, with the first level", clock(sent: 1), due,
         .fire(.breach(levels: 0..<1), warningsSent: 2, escalationsSent: 1, next: at(90))),
        ("a breach past due goes out alone, without the warnings it overtook", clock(), at(61),
         .fire(.breach(levels: 0..<1), warningsSent: 2, escalationsSent: 1, next: at(90))),
        ("a breach found late carries every level due by then", clock(sent: 2), at(95),
         .fire(.breach(levels: 0..<2), warningsSent: 2, escalationsSent: 2, next: nil)),
        ("a breached clock waits for its next level", clock(sent: 2, breached: true, escalations: 1), at(70), .wait(until: at(90))),
        ("the next level when its delay has passed", clock(sent: 2, breached: true, escalations: 1), at(90),
         .fire(.escalation(levels: 1..<2), warningsSent: 2, escalationsSent: 2, next: nil)),
        ("a breached clock that was met escalates no more", clock(sent: 2, breached: true, met: true, escalations: 1), at(200), .wait(until: nil)),
        ("every level sent: nothing more to look at", clock(sent: 2, breached: true, escalations: 2), at(500), .wait(until: nil)),
        ("a replanned clock waits for its moved warning", clock(sent: 1, warnings: [at(30), at(80)], due: at(100)), at(50), .wait(until: at(80))),
        ("a paused clock without a due time warns no more", clock(sent: 2, due: nil), at(500), .wait(until: nil)),
    ]

    @Test(arguments: cases.indices)
    func decides(_ index: Int) {
        let (name, clock, now, expected) = Self.cases[index]
        #expect(SLADecision.decide(clock, warnAt: [0.5, 0.75], breachDelays: [0, 30], now: now) == expected, "\(name)")
    }

    @Test func aPolicyWithoutBreachLevelsMarksTheBreachAndLooksNoFurther() {
        #expect(SLADecision.decide(Self.clock(), warnAt: [0.5, 0.75], breachDelays: [], now: Self.at(61))
                    == .fire(.breach(levels: 0..<0), warningsSent: 2, escalationsSent: 0, next: nil))
    }
}
