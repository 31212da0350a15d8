import Foundation

/// What the customer's tracking page says, worked out from the order: its history in plain
/// Chinese, who is coming and when, and what the customer can do next. One home for those
/// rules; the page only lays them out.
public struct TrackingView: Sendable {
    public var number: String
    public var statusLabel: String
    /// Each status the order reached, with the time as the tenant's clock reads it.
    public var history: [(label: String, time: String)]
    public var engineer: String?
    /// Minutes until the engineer arrives, while they are on the way and their position is fresh.
    public var etaMinutes: Int?
    public var next: Next
    /// Extra work waiting for the customer's answer, shown with its lines and total.
    public var extraWork: ExtraWork?
    /// Extra work the customer answered, for the record on the page.
    public var answeredExtraWork: [ExtraWork]

    /// What the customer can do now.
    public enum Next: Sendable, Equatable {
        case wait
        case expectEngineer
        case waitForParts
        /// Extra work with prices waits for the customer's yes or no, on this page.
        case answerExtraWork
        /// The signing link comes in its own message.
        case sign
        case rate
        case rated
        case cancelled

        public var text: String {
            switch self {
            case .wait: "我们正在处理，有进展会通知您。"
            case .expectEngineer: "工程师正在赶来，请保持电话畅通。"
            case .waitForParts: "正在等待配件，到货后继续维修。"
            case .answerExtraWork: "工程师建议增加以下维修项目，请确认是否同意，确认后继续维修。"
            case .sign: "维修已完成，请通过短信或微信收到的签字链接查看维修报告并签字验收。"
            case .rate: "维修已完成，欢迎为本次服务评分。"
            case .rated: "感谢您的评价！"
            case .cancelled: "该工单已取消，如有疑问请联系门店。"
            }
        }
    }

    /// A position older than this says nothing about when the engineer arrives.
    public static let freshPosition: TimeInterval = 15 * 60
    /// City driving, door to door: the page's estimate, not dispatch's ranking.
    public static let citySpeedKmh = 25.0

    /// `extraWork`: the order's proposals, oldest first.
    public init(order: WorkOrder, history: [(status: String, at: Date)], engineer: Engineer?, rated: Bool, extraWork: [ExtraWork] = [],
                timeZone: TimeZone, now: Date) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "MM-dd HH:mm"
        number = order.number
        statusLabel = order.status.customerLabel
        self.history = history.map { step in
            (WorkOrderStatus(rawValue: step.status)?.customerLabel ?? step.status, formatter.string(from: step.at))
        }
        self.engineer = engineer.map { Engineer.addressedAs($0.name) }
        if order.status == .accepted, let engineer, let from = engineer.location, let at = engineer.locatedAt,
           now.timeIntervalSince(at) <= Self.freshPosition, let site = order.site {
            let kilometres = from.distanceKm(to: GeoPoint(latitude: site.latitude, longitude: site.longitude))
            etaMinutes = max(1, Int((kilometres / Self.citySpeedKmh * 60).rounded(.up)))
        }
        self.extraWork = extraWork.first { $0.state == .pending }
        answeredExtraWork = extraWork.filter { $0.state == .approved || $0.state == .declined }
        let byStatus: Next = switch order.status {
        case .new, .assigned, .diagnosing, .repairing, .qualityCheck, .reopened: .wait
        case .accepted: .expectEngineer
        case .awaitingParts: .waitForParts
        case .awaitingAcceptance: .sign
        case .completed: rated ? .rated : .rate
        case .cancelled: .cancelled
        }
        next = self.extraWork != nil ? .answerExtraWork : byStatus
    }
}

extension Engineer {
    /// "王师傅" for 王建国: customers meet an engineer by family name and 师傅, as they address
    /// them, and learn no more of the name; a name not in Chinese characters is shown as it is.
    public static func addressedAs(_ name: String) -> String {
        guard let first = name.first, first.unicodeScalars.allSatisfy({ (0x4E00...0x9FFF).contains($0.value) }), name.count >= 2 else {
            return name
        }
        return "\(first)师傅"
    }
}
