import Crypto
import Foundation

/// A DingTalk group's custom robot. In signed mode the webhook URL gets `timestamp` (ms) and
/// `sign = urlEncode(base64(HMAC-SHA256(secret, timestamp + "\n" + secret)))`; DingTalk refuses a
/// timestamp more than an hour off. @-mentions name mobile numbers in `at.atMobiles` and must
/// also appear as `@138…` in the text to show.
public enum DingTalkRobot {
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
