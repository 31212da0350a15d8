import Crypto

/// The signature WeChat puts on every call to an official account's server URL: SHA-1 (hex) of
/// the account's token, the request's `timestamp` and `nonce`, sorted as strings and joined.
/// It proves the call comes from WeChat, which alone knows the token.
public enum WeChatSignature {
    public static func compute(token: String, timestamp: String, nonce: String) -> String {
        Digest.sha1([token, timestamp, nonce].sorted().joined()).hex
    }

    public static func isValid(_ signature: String, token: String, timestamp: String, nonce: String) -> Bool {
        let expected = compute(token: token, timestamp: timestamp, nonce: nonce)
        return Digest.constantTimeEquals(Array(expected.utf8), Array(signature.lowercased().utf8))
    }
}
