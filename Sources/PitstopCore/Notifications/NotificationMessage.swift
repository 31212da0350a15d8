import Foundation

/// One notification, ready for any channel: robots take the title and markdown (or the plain
/// text), SMS templates take the parameters, webhooks take the event itself.
///
/// An SLA message also keeps the facts it was written from (`sla`), because its timing ("剩余 N
/// 分钟", "已超时 N 分钟") must be true when it is sent, not when the sweep queued it: the sender
/// renders it again at send time (`rendered(at:publicBaseURL:)`), as it does a customer's message,
/// whose links need the public address only the sender is told.
public struct NotificationMessage: Sendable, Equatable, Codable {
    public var title: String
    public var markdown: String
    public var plain: String
    /// Phone numbers to @-mention on robots and to text by SMS.
    public var mobiles: [String]
    /// Variables for an SMS template (order number, time left …).
    public var templateParams: [String: String]
    /// The event as the tenant's webhooks receive it.
    public var event: JSONValue
    /// What an SLA warning or breach says, for rendering at send time; nil for other messages.
    public var sla: SLAFacts?
    /// The user ids an app channel (DingTalk or WeCom) messages; nil for group channels.
    public var userIDs: [String]?
    /// What a message to a customer says, for rendering at send time with the public address.
    public var customer: CustomerNotice?
    /// The page the message opens, for channels that link it apart (a WeChat template message).
    public var link: String?

    public init(title: String, markdown: String, plain: String, mobiles: [String], templateParams: [String: String], event: JSONValue,
                sla: SLAFacts? = nil, userIDs: [String]? = nil, customer: CustomerNotice? = nil, link: String? = nil) {
        self.title = title
        self.markdown = markdown
        self.plain = plain
        self.mobiles = mobiles
        self.templateParams = templateParams
        self.event = event
        self.sla = sla
        self.userIDs = userIDs
        self.customer = customer
        self.link = link
    }

    /// The message as it reads at `now`: an SLA message's timing worked out again, a customer's
    /// links under `publicBaseURL`, others as they are.
    public func rendered(at now: Date, publicBaseURL: String) -> NotificationMessage {
        if let customer { return customer.message(publicBaseURL: publicBaseURL, mobiles: mobiles, userIDs: userIDs, event: event) }
        guard let sla else { return self }
        return SLANotificationText.render(sla, now: now, mobiles: mobiles, event: event)
    }
}

/// The facts an SLA warning or breach is written from.
public struct SLAFacts: Sendable, Equatable, Codable {
    public var workOrderID: UUID
    public var number: String
    public var customer: String
    public var plate: String?
    public var target: SLARules.Target
    public var dueAt: Date?
    /// The warning's fraction, nil for a breach.
    public var fraction: Double?
    /// The tenant's IANA zone, for the due time as its staff read it.
    public var timeZone: String
    public var link: String?

    public init(workOrderID: UUID, number: String, customer: String, plate: String?, target: SLARules.Target, dueAt: Date?,
                fraction: Double?, timeZone: String, link: String?) {
        self.workOrderID = workOrderID
        self.number = number
        self.customer = customer
        self.plate = plate
        self.target = target
        self.dueAt = dueAt
        self.fraction = fraction
        self.timeZone = timeZone
        self.link = link
    }

    public var isWarning: Bool { fraction != nil }

    /// What became of the clock by the time a message about it is sent.
    public struct ClockNow: Sendable, Equatable {
        public var breached: Bool
        public var met: Bool
        public var stopped: Bool

        public init(breached: Bool, met: Bool, stopped: Bool) {
            self.breached = breached
            self.met = met
            self.stopped = stopped
        }
    }

    /// Why a warning should no longer go out at `now`, or nil while it still says something true:
    /// a warning for a clock that has breached (its due time passed, whether or not the sweep has
    /// recorded it yet), was met, or was stopped would mislead whoever reads it. Breaches always
    /// go: they happened.
    public func staleWarning(at now: Date, clock: ClockNow?) -> String? {
        guard isWarning else { return nil }
        if clock?.met == true { return "the target was met before the warning went out" }
        if clock?.stopped == true { return "the clock was stopped before the warning went out" }
        if clock?.breached == true || dueAt.map({ $0 <= now }) == true { return "the target breached before the warning went out" }
        return nil
    }
}

/// Chinese texts for SLA events, with the order number, customer, plate, time left or overdue,
/// and a link when the deployment has a public address.
public enum SLANotificationText {
    public static func targetName(_ target: SLARules.Target) -> String {
        switch target {
        case .firstResponse: "首次响应"
        case .arrival: "到场"
        case .resolution: "解决"
        }
    }

    /// "2 小时 5 分钟", "45 分钟", "不到 1 分钟": whole minutes, never rounded up, so a message
    /// never claims more time left, or more overdue, than is true.
    public static func duration(_ seconds: TimeInterval) -> String {
        let minutes = MinutesLeft.whole(seconds: max(0, seconds))
        if minutes == 0 { return "不到 1 分钟" }
        if minutes >= 60 { return "\(minutes / 60) 小时" + (minutes % 60 == 0 ? "" : " \(minutes % 60) 分钟") }
        return "\(minutes) 分钟"
    }

    public static func render(_ facts: SLAFacts, now: Date, mobiles: [String], event: JSONValue) -> NotificationMessage {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: facts.timeZone) ?? TimeZone(identifier: Tenant.defaultTimezone)
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "MM-dd HH:mm"
        let due = facts.dueAt.map { formatter.string(from: $0) } ?? "—"
        let name = targetName(facts.target)
        let headline: String
        let timing: String
        if let fraction = facts.fraction {
            headline = "SLA 预警：工单 \(facts.number) \(name)时限已用 \(Int((fraction * 100).rounded()))%"
            timing = "剩余 \(duration((facts.dueAt ?? now).timeIntervalSince(now)))（截止 \(due)）"
        } else {
            headline = "SLA 超时：工单 \(facts.number) \(name)已超时"
            timing = "已超时 \(duration(now.timeIntervalSince(facts.dueAt ?? now)))（截止 \(due)）"
        }
        var lines = ["客户：\(facts.customer)"]
        if let plate = facts.plate { lines.append("车辆：\(plate)") }
        lines.append(timing)
        if let link = facts.link { lines.append("链接：\(link)") }
        return NotificationMessage(
            title: facts.fraction == nil ? "SLA 超时 \(facts.number)" : "SLA 预警 \(facts.number)",
            markdown: "### \(headline)\n\n" + lines.map { "- \($0)" }.joined(separator: "\n"),
            plain: headline + "。" + lines.joined(separator: "；"),
            mobiles: mobiles,
            templateParams: ["order": facts.number, "target": name, "customer": facts.customer, "due": due,
                             "state": facts.fraction == nil ? "已超时" : "即将超时"],
            event: event, sla: facts)
    }
}

extension NotificationMessage {
    /// Several messages for one robot as one: the robots take about 20 messages a minute, so what
    /// falls due together goes together.
    public static func digest(_ messages: [NotificationMessage]) -> NotificationMessage {
        precondition(!messages.isEmpty, "a digest of nothing")
        let first = messages[0]
        if messages.count == 1 { return first }
        var mobiles: [String] = []
        for message in messages { for mobile in message.mobiles where !mobiles.contains(mobile) { mobiles.append(mobile) } }
        return NotificationMessage(title: "\(messages.count) 条提醒",
                                   markdown: messages.map(\.markdown).joined(separator: "\n\n---\n\n"),
                                   plain: messages.map(\.plain).joined(separator: "\n"),
                                   mobiles: mobiles, templateParams: first.templateParams,
                                   event: .array(messages.map(\.event)))
    }
}
