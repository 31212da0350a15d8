import Crypto
import Foundation

/// Signing as the Standard Webhooks specification defines it: headers `webhook-id` (the event's
/// stable id, for de-duplication), `webhook-timestamp` (Unix seconds) and `webhook-signature`
/// (`v1,` + Base64 of HMAC-SHA256 over `id.timestamp.body`, keyed with the secret's bytes: the
/// Base64 after `whsec_`).
public enum StandardWebhooks {
    /// A fresh secret in the specification's form.
    public static func newSecret() -> String {
        "whsec_" + Data(RandomToken.bytes(24)).base64EncodedString()
    }

    /// The key bytes of a `whsec_…` secret; nil when it is not one.
    public static func key(of secret: String) -> [UInt8]? {
        guard secret.hasPrefix("whsec_"), let bytes = Data(base64Encoded: String(secret.dropFirst(6))), bytes.count >= 16 else { return nil }
        return Array(bytes)
    }

    public static func signature(key: [UInt8], id: String, timestamp: Int64, body: [UInt8]) -> String {
        "v1," + Data(Digest.hmacSHA256(key: key, message: Array("\(id).\(timestamp).".utf8) + body)).base64EncodedString()
    }

    public static func headers(key: [UInt8], id: String, timestamp: Int64, body: [UInt8]) -> [(String, String)] {
        [("webhook-id", id), ("webhook-timestamp", String(timestamp)),
         ("webhook-signature", signature(key: key, id: id, timestamp: timestamp, body: body)), ("Content-Type", "application/json")]
    }
}
