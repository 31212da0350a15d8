import Foundation
import PitstopCore
import Testing

/// The timing an SLA message and the SLA view state is the truth at the moment it is read:
/// whole minutes, never rounded up, and worked out when the message is sent.
@Suite struct SLANotificationTextTests {
    let due = Date(timeIntervalSince1970: 1_796_000_000)

    func facts(fraction: Double?) -> SLAFacts {
        SLAFacts(workOrderID: UUID(), number: "WO-20261202-0001", customer: "王先生", plate: "浙A12345", target: .resolution,
                 dueAt: due, fraction: fraction, timeZone: "Asia/Shanghai", link: nil)
    }

    static let durations: [(Double, String)] = [(0, "不到 1 分钟"), (0.4, "不到 1 分钟"), (59.9, "不到 1 分钟"), (60, "1 分钟"),
                                                  (119, "1 分钟"), (3599, "59 分钟"), (3600, "1 小时"), (3959, "1 小时 5 分钟"),
                                                  (-30, "不到 1 分钟")]

    @Test(arguments: durations)
    func durationsAreWholeMinutesNeverRoundedUp(seconds: Double, text: String) {
        #expect(SLANotificationText.duration(seconds) == text)
    }

    static let minutesLeft: [(Double, Int)] = [(0, 0), (59, 0), (-59, 0), (-60, -1), (-61, -1), (60, 1), (-3600, -60), (89, 1)]

    /// `seconds` before the due time (negative: after it).
    @Test(arguments: minutesLeft)
    func minutesLeftTruncateTowardZero(seconds: Double, minutes: Int) {
        #expect(MinutesLeft.until(due, from: due.addingTimeInterval(-seconds)) == minutes)
    }

    @Test func aBreachAtItsDueTimeIsNotAMinuteLate() {
        let message = SLANotificationText.render(facts(fraction: nil), now: due, mobiles: [], event: .object([:]))
        #expect(message.plain.contains("已超时 不到 1 分钟"))
        #expect(!message.plain.contains("已超时 1 分钟"))
        let later = message.rendered(at: due.addingTimeInterval(7 * 60 + 50), publicBaseURL: "")
        #expect(later.plain.contains("已超时 7 分钟"))
    }

    @Test func aWarningSaysTheTimeLeftWhenItIsSentNotWhenItWasQueued() {
        let queued = SLANotificationText.render(facts(fraction: 0.75), now: due.addingTimeInterval(-20 * 60), mobiles: ["13800138000"],
                                                event: .object([:]))
        #expect(queued.plain.contains("剩余 20 分钟"))
        let sent = queued.rendered(at: due.addingTimeInterval(-5 * 60 - 30), publicBaseURL: "")
        #expect(sent.plain.contains("剩余 5 分钟") && !sent.plain.contains("20 分钟"))
        #expect(sent.mobiles == ["13800138000"] && sent.sla == queued.sla)
        // A message without SLA facts reads the same at any moment.
        let plain = NotificationMessage(title: "t", markdown: "m", plain: "p", mobiles: [], templateParams: [:], event: .null)
        #expect(plain.rendered(at: due, publicBaseURL: "") == plain)
    }

    @Test func aWarningIsStaleOnceItsClockBreachedWasMetOrStopped() {
        let warning = facts(fraction: 0.9)
        let running = SLAFacts.ClockNow(breached: false, met: false, stopped: false)
        #expect(warning.staleWarning(at: due.addingTimeInterval(-60), clock: running) == nil)
        // Past the due time it has breached, whether or not the sweep has recorded it.
        #expect(warning.staleWarning(at: due, clock: running)?.contains("breached") == true)
        #expect(warning.staleWarning(at: due.addingTimeInterval(-60), clock: .init(breached: true, met: false, stopped: false)) != nil)
        #expect(warning.staleWarning(at: due.addingTimeInterval(-60), clock: .init(breached: false, met: true, stopped: false))?.contains("met") == true)
        #expect(warning.staleWarning(at: due.addingTimeInterval(-60), clock: .init(breached: false, met: false, stopped: true)) != nil)
        // A breach is never stale: it happened.
        #expect(facts(fraction: nil).staleWarning(at: due.addingTimeInterval(3600), clock: .init(breached: true, met: true, stopped: false)) == nil)
    }
}
