import PitstopCore
import PitstopStore

extension IntakeSource {
    /// What a report of a retired job type gets: staff hear which field to fix; a customer, whose
    /// link or account still names the type, hears to call instead.
    var retiredType: any Error {
        switch self {
        case .desk, .ticket, .deskInsisting: ValidationError(field: "type_id", "names a retired work-order type")
        case .publicLink, .wechat: StoreError.conflict("this kind of job is no longer taken here; please call the shop")
        }
    }
}
