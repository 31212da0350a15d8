import PitstopCore
import Testing

/// The duplicate rule of every intake source, as a table: a change to how one channel joins
/// repeat reports shows up here, not in four handlers.
@Suite struct IntakeSourceTests {
    @Test(arguments: [
        (IntakeSource.desk, DuplicateRule.vehicleOpenWithinWindow(sameCustomerOnly: false), AnotherCustomersVehicle.refuse),
        (.ticket, .none, .refuse),
        (.deskInsisting, .none, .refuse),
        (.publicLink, .vehicleOpenWithinWindow(sameCustomerOnly: true), .leaveOffWithRemark),
        (.wechat, .customersOpenOrder, .leaveOffWithRemark),
    ])
    func eachSourceJoinsRepeatReportsByItsOwnRule(source: IntakeSource, rule: DuplicateRule, vehicle: AnotherCustomersVehicle) {
        #expect(source.duplicateRule == rule)
        #expect(source.anotherCustomersVehicle == vehicle)
    }

    @Test func everyChannelBelongsToExactlyOneKindOfSource() {
        // Desk sources share their channels; links and WeChat have their own.
        let kinds: [Set<WorkOrder.Channel>] = [IntakeSource.desk.channels, IntakeSource.publicLink.channels, IntakeSource.wechat.channels]
        #expect(kinds.reduce(0) { $0 + $1.count } == WorkOrder.Channel.allCases.count)
        #expect(Set(kinds.flatMap { $0 }) == Set(WorkOrder.Channel.allCases))
        #expect(IntakeSource.ticket.channels == IntakeSource.desk.channels && IntakeSource.deskInsisting.channels == IntakeSource.desk.channels)
    }
}
