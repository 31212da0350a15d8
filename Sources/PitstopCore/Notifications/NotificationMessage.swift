import Foundation

/// One notification as rendered when its event happened, ready for any channel: robots take the
/// title and markdown (or the plain text), SMS templates take the parameters, webhooks take the
/// event itself.
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

    public init(title: String, markdown: String, plain: String, mobiles: [String], templateParams: [String: String], event: JSONValue) {
        self.title = title
        self.markdown = markdown
        self.plain = plain
        self.mobiles = mobiles
        self.templateParams = templateParams
        self.event = event
    }
}

/// Chinese texts for SLA events, with the order number, customer, plate, time left or overdue,
/// and a link when the deployment has a public address.
public enum SLANotificationText {
    public struct Facts: Sendable {
        public var number: String
        public var customer: String
        public var plate: String?
        public var target: SLARules.Target
        public var dueAt: Date?
        /// The warning's fraction, nil for a breach.
        public var fraction: Double?
        public var now: Date
        public var timeZone: TimeZone
        public var link: String?

        public init(number: String, customer: String, plate: String?, target: SLARules.Target, dueAt: Date?, fraction: Double?,
                    now: Date, timeZone: TimeZone, link: String?) {
            self.number = number
            self.customer = customer
            self.plate = plate
            self.target = target
            self.dueAt = dueAt
            self.fraction = fraction
            self.now = now
            self.timeZone = timeZone
            self.link = link
        }
    }

    public static func targetName(_ target: SLARules.Target) -> String {
        switch target {
        case .firstResponse: "首次响应"
        case .arrival: "到场"
        case .resolution: "解决"
        }
    }

    /// "2 小时 5 分钟", "45 分钟".
    public static func duration(_ seconds: TimeInterval) -> String {
        let minutes = max(0, Int((seconds / 60).rounded(.up)))
        if minutes >= 60 { return "\(minutes / 60) 小时" + (minutes % 60 == 0 ? "" : " \(minutes % 60) 分钟") }
        return "\(minutes) 分钟"
    }

    public static func render(_ facts: Facts, mobiles: [String], event: JSONValue) -> NotificationMessage {
        let formatter = DateFormatter()
        formatter.timeZone = facts.timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "MM-dd HH:mm"
        let due = facts.dueAt.map { formatter.string(from: $0) } ?? "—"
        let name = targetName(facts.target)
        let headline: String
        let timing: String
        if let fraction = facts.fraction {
            headline = "SLA 预警：工单 \(facts.number) \(name)时限已用 \(Int((fraction * 100).rounded()))%"
            timing = "剩余 \(duration((facts.dueAt ?? facts.now).timeIntervalSince(facts.now)))（截止 \(due)）"
        } else {
            headline = "SLA 超时：工单 \(facts.number) \(name)已超时"
            timing = "已超时 \(duration(facts.now.timeIntervalSince(facts.dueAt ?? facts.now)))（截止 \(due)）"
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
            event: event)
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
        return NotificationMessage(title: "\(messages.count) 条 SLA 提醒",
                                   markdown: messages.map(\.markdown).joined(separator: "\n\n---\n\n"),
                                   plain: messages.map(\.plain).joined(separator: "\n"),
                                   mobiles: mobiles, templateParams: first.templateParams,
                                   event: .array(messages.map(\.event)))
    }
}
