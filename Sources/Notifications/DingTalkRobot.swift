import Crypto
import Foundation

/// A DingTalk group's custom robot. In signed mode the webhook URL gets `timestamp` (ms) and
/// `sign = urlEncode(base64(HMAC-SHA256(secret, timestamp + "\n" + secret)))`; DingTalk refuses a
/// timestamp more than an hour off. @-mentions name mobile numbers in `at.atMobiles` and must
/// also appear as `@138…` in the text to show.
///
/// Limits relied on: a request body of at most 20,000 bytes (errcode 460101 "message too long,
/// exceed 20000 bytes", seen in timonwong/prometheus-webhook-dingtalk#30 and
/// ZhuLinsen/daily_stock_analysis#61: "请保持大小在 20000bytes 以内"); at most 20 messages a minute
/// per robot, after which DingTalk blocks it for ten minutes (its custom-robot guide:
/// "每个机器人每分钟最多发送20条消息到群里，如果超过20条，会限流10分钟"), answering errcode 130101
/// "send too fast, exceed 20 times per minute" (ccfos/nightingale#369) or 410100.
public enum DingTalkRobot {
    public static let bodyLimit = 20_000

    public static func sign(secret: String, timestampMillis: Int64) -> String {
        let digest = Digest.hmacSHA256(key: Array(secret.utf8), message: Array("\(timestampMillis)\n\(secret)".utf8))
        return Data(digest).base64EncodedString()
    }

    /// The webhook URL (with its `access_token`) plus the signature parameters, when a secret is set.
    public static func signedURL(_ webhook: String, secret: String?, timestampMillis: Int64) -> String {
        guard let secret, !secret.isEmpty else { return webhook }
        let separator = webhook.contains("?") ? "&" : "?"
        return webhook + separator + "timestamp=\(timestampMillis)&sign=" + PercentEncoding.encode(sign(secret: secret, timestampMillis: timestampMillis))
    }

    /// A markdown message; the mentioned numbers are appended to the text so DingTalk shows them.
    public static func markdown(title: String, text: String, atMobiles: [String]) -> [UInt8] {
        let mentions = atMobiles.map { "@\($0)" }.joined(separator: " ")
        return json(["msgtype": "markdown",
                     "markdown": ["title": title, "text": mentions.isEmpty ? text : text + "\n\n" + mentions],
                     "at": ["atMobiles": atMobiles, "isAtAll": false]])
    }

    public static func text(_ content: String, atMobiles: [String]) -> [UInt8] {
        let mentions = atMobiles.map { "@\($0)" }.joined(separator: " ")
        return json(["msgtype": "text", "text": ["content": mentions.isEmpty ? content : content + " " + mentions],
                     "at": ["atMobiles": atMobiles, "isAtAll": false]])
    }
}

/// Plain JSON for outbound messages (keys sorted, so a body is the same every time it is built).
func json(_ object: [String: Any]) -> [UInt8] {
    // Only strings, numbers, arrays and dictionaries go in: serialising cannot fail.
    (try? Array(JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))) ?? []
}
