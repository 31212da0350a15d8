import Foundation

/// Chinese texts for operational alerts, sent to the tenant's channels marked `alerts`.
public enum AlertText {
    /// A webhook subscription the worker switched off after a day of failures.
    public static func webhookDisabled(name: String, url: String, failingSince: Date, now: Date, timeZone: TimeZone,
                                       event: JSONValue) -> NotificationMessage {
        let formatter = DateFormatter()
        formatter.timeZone = timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "MM-dd HH:mm"
        let headline = "Webhook 已停用：\(name)"
        let lines = ["地址：\(url)", "自 \(formatter.string(from: failingSince)) 起持续投递失败，已于 \(formatter.string(from: now)) 自动停用",
                     "修复接收端后，将该订阅的 active 设为 true 即可重新启用，并可重放停用期间的事件"]
        return alert(headline, lines, templateParams: ["name": name, "state": "已停用"], event: event)
    }

    /// A part whose available stock at a shop fell to or under its reorder level.
    public static func lowStock(part: Part, shop: String, available: Double, reorderLevel: Double, event: JSONValue) -> NotificationMessage {
        let amount = Amount.text
        let headline = "库存不足：\(part.name)（\(part.partNumber)）"
        let lines = ["门店：\(shop)", "可用 \(amount(available)) \(part.unit)，补货点 \(amount(reorderLevel)) \(part.unit)", "请及时补货"]
        return alert(headline, lines, templateParams: ["part": part.partNumber, "name": part.name, "shop": shop, "available": amount(available)],
                     event: event)
    }

    /// Notifications to a channel that failed for good: refused by the service (a bad number, a
    /// template that does not match) or out of attempts.
    public static func deliveriesDead(channel: String, count: Int, reason: String, event: JSONValue) -> NotificationMessage {
        let headline = "通知发送失败：\(channel)"
        let lines = ["\(count) 条通知无法送达，不再重试", "原因：\(reason)",
                     "修正渠道设置后，可在 /v1/notification-deliveries?state=dead 中重试"]
        return alert(headline, lines, templateParams: ["name": channel, "state": "发送失败"], event: event)
    }

    /// A new order that automatic dispatch could give to nobody: how many engineers each hard
    /// rule excluded, so the desk sees whether to assign by hand or change the policy.
    public static func nobodyQualifies(order: String, considered: Int, excluded: [DispatchExclusion: Int], event: JSONValue) -> NotificationMessage {
        let reasons = excluded.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.chineseName) \($0.value) 人" }
        let headline = "工单待人工派单：\(order)"
        let lines = ["派单规则下没有可派的工程师（共 \(considered) 人）"] + (reasons.isEmpty ? [] : ["排除：" + reasons.joined(separator: "，")])
            + ["请人工指派，或调整派单策略"]
        return alert(headline, lines, templateParams: ["number": order, "state": "待人工派单"], event: event)
    }

    /// An alert's one shape: the headline, then its lines as a list (markdown) or a sentence.
    private static func alert(_ headline: String, _ lines: [String], templateParams: [String: String], event: JSONValue) -> NotificationMessage {
        NotificationMessage(title: headline, markdown: "### \(headline)\n\n" + lines.map { "- \($0)" }.joined(separator: "\n"),
                            plain: headline + "。" + lines.joined(separator: "；"), mobiles: [], templateParams: templateParams, event: event)
    }
}
