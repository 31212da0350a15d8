import Crypto
import Foundation

/// The signature WeChat puts on every call to an official account's server URL: SHA-1 (hex) of
/// the account's token, the request's `timestamp` and `nonce`, sorted as strings and joined.
/// It proves the call comes from WeChat, which alone knows the token.
public enum WeChatSignature {
    public static func compute(token: String, timestamp: String, nonce: String) -> String {
        Digest.sha1([token, timestamp, nonce].sorted().joined()).hex
    }

    /// How far a call's `timestamp` may be from the server's clock, either way. WeChat sends at
    /// once and retries within about 15 seconds (three tries, five seconds each); a signed call
    /// older than this is a replay (of a captured request, or from a clock gone wrong), and a
    /// MsgId seen before changes nothing anyway.
    public static let window: TimeInterval = 300

    /// Why `timestamp` is not a recent one at `now`; nil when it is.
    public static func staleness(_ timestamp: String, now: Date) -> String? {
        guard let seconds = Int64(timestamp) else { return "must be the Unix time in seconds WeChat signed" }
        let skew = now.timeIntervalSince1970 - TimeInterval(seconds)
        guard abs(skew) <= window else {
            return "is \(Int(abs(skew))) s \(skew > 0 ? "old" : "ahead"); calls more than \(Int(window)) s from the server's clock are refused as replays (check the server's clock)"
        }
        return nil
    }

    public static func isValid(_ signature: String, token: String, timestamp: String, nonce: String) -> Bool {
        let expected = compute(token: token, timestamp: timestamp, nonce: nonce)
        return Digest.constantTimeEquals(Array(expected.utf8), Array(signature.lowercased().utf8))
    }
}
