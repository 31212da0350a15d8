import Foundation
import PitstopCore
import Testing

@Suite struct WorkOrderNumberTests {
    let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    @Test func theDayIsTheTenantsDayNotUTCs() {
        // 2026-11-24 16:30 UTC is already 2026-11-25 00:30 in Shanghai.
        let lateEvening = Date(timeIntervalSince1970: 1_795_537_800)
        #expect(WorkOrderNumber.format(day: lateEvening, in: shanghai, sequence: 7) == "WO-20261125-0007")
        #expect(WorkOrderNumber.format(day: lateEvening, in: TimeZone(identifier: "UTC")!, sequence: 7) == "WO-20261124-0007")
        #expect(WorkOrderNumber.dayKey(lateEvening, in: shanghai) == "2026-11-25")
    }

    @Test func sequencesWidenInsteadOfWrapping() {
        let day = Date(timeIntervalSince1970: 1_795_600_000)
        #expect(WorkOrderNumber.format(day: day, in: shanghai, sequence: 12345).hasSuffix("-12345"))
    }

    @Test(arguments: [("WO-20261125-0007", true), ("WO-20261125-12345", true), ("WO-2026112-0007", false),
                      ("wo-20261125-0007", false), ("WO-20261125-07", false), ("WO-2026112５-0007", false), ("", false)])
    func wellFormedNumbers(text: String, expected: Bool) {
        #expect(WorkOrderNumber.isWellFormed(text) == expected)
    }
}
