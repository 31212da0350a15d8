import Foundation

/// What an engineer is told personally about their work, and who can be reached on which
/// channel: one home for the texts (app messages and the SMS template's variables) and for the
/// rule that each channel needs its own kind of address.
public enum EngineerNotice: Sendable, Equatable {
    /// Offered by dispatch: answer within `minutes`.
    case offered(minutes: Int)
    /// Given to them outright (a desk's pick, or a policy in assign mode).
    case assigned
    /// Moved to them from `from` (转派).
    case transferredIn(from: String)
    /// Moved from them to `to`: they need not go.
    case transferredAway(to: String)
    /// Cancelled, with the reason given.
    case cancelled(reason: String)
    /// The customer wrote again about the order.
    case customerMessage(String)
    /// The customer answered the extra work proposed: go on with it, or without it.
    case extraWorkAnswered(approved: Bool)

    /// What the texts say about the order.
    public struct Subject: Sendable, Equatable {
        public var number: String
        public var customer: String
        public var plate: String?
        public var place: String?

        public init(number: String, customer: String, plate: String?, place: String?) {
            self.number = number
            self.customer = customer
            self.plate = plate
            self.place = place
        }
    }

    /// The SMS template's variables (each at most 35 characters, which `AliyunSMS` enforces):
    /// `order`, `action` (新派单, 派单, 转入, 转出, 取消, 客户留言, 增项), `customer`, `plate`, `detail`.
    public static let templateVariables = ["order", "action", "customer", "plate", "detail"]

    var action: String {
        switch self {
        case .offered: "新派单"
        case .assigned: "派单"
        case .transferredIn: "转入"
        case .transferredAway: "转出"
        case .cancelled: "取消"
        case .customerMessage: "客户留言"
        case .extraWorkAnswered: "增项"
        }
    }

    var detail: String {
        switch self {
        case .offered(let minutes): "请在 \(minutes) 分钟内接单"
        case .assigned: "请尽快接单"
        case .transferredIn(let from): "原由\(from)负责，请接单"
        case .transferredAway(let to): "已转给\(to)，无需前往"
        case .cancelled(let reason): "已取消：\(reason)"
        case .customerMessage(let text): "客户说：\(text)"
        case .extraWorkAnswered(let approved): approved ? "客户已同意增项，可以施工" : "客户未同意增项，请按原方案维修"
        }
    }

    /// The message for `engineer` at `now` (as the tenant's clock reads it). The minute is part
    /// of the text: DingTalk delivers one content to one person once a day only, so two notices
    /// about one order must never read the same.
    public func message(about subject: Subject, to recipient: Recipient, at now: Date, timeZone: TimeZone, event: JSONValue) -> NotificationMessage {
        let formatter = DateFormatter()
        formatter.timeZone = timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "MM-dd HH:mm"
        var facts = ["客户：\(subject.customer)"]
        if let plate = subject.plate { facts.append("车辆：\(plate)") }
        if let place = subject.place { facts.append("地点：\(place)") }
        let headline = "【\(action)】工单 \(subject.number)"
        let plain = headline + "（\(formatter.string(from: now))）" + facts.joined(separator: "，") + "。" + detail
        return NotificationMessage(title: headline, markdown: "### \(headline)\n\n" + (facts + [detail]).map { "- \($0)" }.joined(separator: "\n"),
                                   plain: plain, mobiles: recipient.phone.map { [$0] } ?? [],
                                   templateParams: ["order": subject.number, "action": action, "customer": subject.customer,
                                                    "plate": subject.plate ?? "—", "detail": detail],
                                   event: event, userIDs: recipient.userID.map { [$0] })
    }

    /// Where one engineer is reached on one channel: their phone for SMS, their user id in an app.
    public struct Recipient: Sendable, Equatable {
        public var phone: String?
        public var userID: String?
    }

    /// The engineer's address on a channel of `kind`, nil when they have none there (or the
    /// channel reaches no one person).
    public static func recipient(on kind: NotificationChannel.Kind, phone: String?, messaging: Engineer.Messaging) -> Recipient? {
        switch kind {
        case .aliyunSMS: phone.map { Recipient(phone: $0, userID: nil) }
        case .dingtalkApp: messaging.dingtalkUserID.map { Recipient(phone: nil, userID: $0) }
        case .wecomApp: messaging.wecomUserID.map { Recipient(phone: nil, userID: $0) }
        case .dingtalk, .wecom, .httpSMS, .webhook, .tencentSMS, .wechatMP: nil
        }
    }

    /// Why an engineer cannot be told on a channel of `kind`, naming the field to set; nil when
    /// they can.
    public static func problem(channelKind kind: NotificationChannel.Kind, phone: String?, messaging: Engineer.Messaging) -> FieldError? {
        guard kind.reachesEngineers else {
            return FieldError(field: "notify_channel_id", message: "must be a dingtalk_app, wecom_app or aliyun_sms channel; \(kind.rawValue) channels reach groups, not one engineer")
        }
        guard recipient(on: kind, phone: phone, messaging: messaging) == nil else { return nil }
        switch kind {
        case .dingtalkApp: return FieldError(field: "dingtalk_user_id", message: "is required to message the engineer through a DingTalk app")
        case .wecomApp: return FieldError(field: "wecom_user_id", message: "is required to message the engineer through a WeCom app")
        default: return FieldError(field: "phone", message: "is required to text the engineer")
        }
    }
}
