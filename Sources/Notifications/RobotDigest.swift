import Foundation
import PitstopCore

/// Group robots get what falls due for them as digests, split into as few messages as their
/// byte limits allow (DingTalk: the whole body, 20,000 bytes; WeCom: the content, 2,048 bytes as
/// text and 4,096 as markdown; see `DingTalkRobot` and `WeComRobot`). Each request carries a
/// prefix of the waiting messages, in order; the sender marks delivered only what the accepted
/// request carried, and the rest wait for the robot's next slot.
extension ChannelRequest {
    /// The request for the longest prefix of `messages` (at least one) that fits the robot's
    /// limit as one digest, and how many messages it carries. A single message too long alone is
    /// cut to fit.
    public static func robot(kind: NotificationChannel.Kind, url: String, secret: String?, settings: NotificationChannel.Settings,
                             messages: [NotificationMessage], now: Date) -> (request: ChannelRequest, carried: Int) {
        precondition(kind.isRobot && !messages.isEmpty, "a robot digest needs a robot and something to say")
        func request(_ count: Int) -> ChannelRequest {
            robotRequest(kind: kind, url: url, secret: secret, settings: settings, message: .digest(Array(messages.prefix(count))), now: now)
        }
        func fits(_ count: Int) -> Bool {
            robotFits(kind: kind, settings: settings, message: .digest(Array(messages.prefix(count))), url: url, now: now)
        }
        // A digest only grows with each message added, so the longest prefix that fits is found
        // by bisection.
        var low = 1, high = messages.count
        guard fits(1) else { return (request(1), 1) }
        while low < high {
            let middle = (low + high + 1) / 2
            if fits(middle) { low = middle } else { high = middle - 1 }
        }
        return (request(low), low)
    }

    /// Whether the message as one robot request is within the robot's limit, before any cutting.
    static func robotFits(kind: NotificationChannel.Kind, settings: NotificationChannel.Settings, message: NotificationMessage,
                          url: String, now: Date) -> Bool {
        switch kind {
        case .dingtalk:
            return dingTalkBody(settings: settings, message: message).count <= DingTalkRobot.bodyLimit
        case .wecom:
            return weComUsesText(settings: settings, message: message)
                ? message.plain.utf8.count <= WeComRobot.textLimit : message.markdown.utf8.count <= WeComRobot.markdownLimit
        default:
            return true
        }
    }

    /// One message to a robot, cut to the robot's limit when it is too long alone.
    static func robotRequest(kind: NotificationChannel.Kind, url: String, secret: String?, settings: NotificationChannel.Settings,
                             message: NotificationMessage, now: Date) -> ChannelRequest {
        let json = ["Content-Type": "application/json"]
        if kind == .dingtalk {
            let signed = DingTalkRobot.signedURL(url, secret: secret, timestampMillis: Int64((now.timeIntervalSince1970 * 1000).rounded(.down)))
            var body = dingTalkBody(settings: settings, message: message)
            var cut = message
            // Rare: one message over 20,000 bytes alone. Shorten its text until the body fits
            // (escaping makes the body longer than the text, so measure the body each time).
            var budget = DingTalkRobot.bodyLimit
            while body.count > DingTalkRobot.bodyLimit && budget > 64 {
                budget = budget * 9 / 10
                cut.markdown = WeComRobot.truncate(message.markdown, toBytes: budget)
                cut.plain = WeComRobot.truncate(message.plain, toBytes: budget)
                body = dingTalkBody(settings: settings, message: cut)
            }
            return ChannelRequest(method: "POST", url: signed, headers: json, body: body)
        }
        // WeCom's markdown cannot @-mention; text can, by mobile number.
        let body = weComUsesText(settings: settings, message: message) ? WeComRobot.text(message.plain, mentionedMobiles: message.mobiles)
            : WeComRobot.markdown(message.markdown)
        return ChannelRequest(method: "POST", url: url, headers: json, body: body)
    }

    static func dingTalkBody(settings: NotificationChannel.Settings, message: NotificationMessage) -> [UInt8] {
        settings.format == .text ? DingTalkRobot.text(message.plain, atMobiles: message.mobiles)
            : DingTalkRobot.markdown(title: message.title, text: message.markdown, atMobiles: message.mobiles)
    }

    static func weComUsesText(settings: NotificationChannel.Settings, message: NotificationMessage) -> Bool {
        !message.mobiles.isEmpty || settings.format == .text
    }
}
