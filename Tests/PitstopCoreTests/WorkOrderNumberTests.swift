import Foundation
import PitstopCore
import Testing

@Suite struct WorkOrderNumberTests {
    @Test func theDayIsTheTenantsDayNotUTCs() {
        // 2026-11-24 16:30 UTC is already 2026-11-25 00:30 in Shanghai.
        let lateEvening = Date(timeIntervalSince1970: 1_795_537_800)
        #expect(WorkOrderNumber.dayKey(lateEvening, in: TimeZone(identifier: "Asia/Shanghai")!) == "2026-11-25")
        #expect(WorkOrderNumber.dayKey(lateEvening, in: TimeZone(identifier: "UTC")!) == "2026-11-24")
    }
}
