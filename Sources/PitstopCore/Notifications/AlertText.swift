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
        return NotificationMessage(title: headline, markdown: "### \(headline)\n\n" + lines.map { "- \($0)" }.joined(separator: "\n"),
                                   plain: headline + "。" + lines.joined(separator: "；"), mobiles: [],
                                   templateParams: ["name": name, "state": "已停用"], event: event)
    }

    /// A part whose available stock at a shop fell to or under its reorder level.
    public static func lowStock(part: Part, shop: String, available: Double, reorderLevel: Double, event: JSONValue) -> NotificationMessage {
        let amount = Amount.text
        let headline = "库存不足：\(part.name)（\(part.partNumber)）"
        let lines = ["门店：\(shop)", "可用 \(amount(available)) \(part.unit)，补货点 \(amount(reorderLevel)) \(part.unit)", "请及时补货"]
        return NotificationMessage(title: headline, markdown: "### \(headline)\n\n" + lines.map { "- \($0)" }.joined(separator: "\n"),
                                   plain: headline + "。" + lines.joined(separator: "；"), mobiles: [],
                                   templateParams: ["part": part.partNumber, "name": part.name, "shop": shop, "available": amount(available)],
                                   event: event)
    }
}
