import Crypto
import Foundation

/// WeChat's message encryption for an official account in safe mode (安全模式) or compatible mode
/// (兼容模式), as its access guide and sample code (WXBizMsgCrypt) define it:
/// - the AES key is the console's 43-character EncodingAESKey read as Base64 (with "=" appended):
///   32 bytes, of which the first 16 are also the IV; the cipher is AES-256-CBC;
/// - the plaintext is 16 random bytes ‖ the message's length (4 bytes, network order) ‖ the
///   message ‖ the account's AppID, padded with PKCS#7 to a multiple of 32 bytes;
/// - `Encrypt` carries it in Base64, and `msg_signature` is SHA-1 (hex) of the Token, timestamp,
///   nonce and `Encrypt`, sorted and joined, like the URL signature with one more part.
public struct WeChatCipher: Sendable {
    let key: [UInt8]
    public let appID: String

    /// WeChat pads to 32 bytes, not to AES's 16.
    static let padBlock = 32

    /// Nil unless `encodingAESKey` is 43 Base64 characters (as `NewWeChatAccount` checks).
    public init?(encodingAESKey: String, appID: String) {
        guard encodingAESKey.utf8.count == 43, let key = Data(base64Encoded: encodingAESKey + "="), key.count == AESCBC.keyLength else {
            return nil
        }
        self.key = Array(key)
        self.appID = appID
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case notBase64
        case undecryptable
        case otherAccount(appID: String)

        public var description: String {
            switch self {
            case .notBase64: "Encrypt is not Base64"
            case .undecryptable: "Encrypt does not decrypt with this account's EncodingAESKey; check the key in the WeChat console"
            case .otherAccount(let appID): "Encrypt was sealed for AppID \(appID), not this account's; check the AppID"
            }
        }
    }

    public func decrypt(_ encrypt: String) throws(Failure) -> [UInt8] {
        guard let sealed = Data(base64Encoded: encrypt) else { throw .notBase64 }
        guard let padded = AESCBC.decrypt(Array(sealed), key: key, iv: Array(key.prefix(AESCBC.blockLength))),
              let pad = padded.last, (1...Self.padBlock).contains(Int(pad)), padded.count >= 20 + Int(pad) else {
            throw .undecryptable
        }
        let plain = padded.dropLast(Int(pad))
        let length = plain.dropFirst(16).prefix(4).reduce(0) { $0 << 8 | Int($1) }
        guard plain.count >= 20 + length else { throw .undecryptable }
        let message = plain.dropFirst(20).prefix(length)
        let sealedFor = String(decoding: plain.dropFirst(20 + length), as: UTF8.self)
        guard sealedFor == appID else { throw .otherAccount(appID: sealedFor) }
        return Array(message)
    }

    /// `Encrypt` for `message`; `random` is WeChat's 16-byte prefix, fixed only in known-answer tests.
    public func encrypt(_ message: String, random: [UInt8] = RandomToken.bytes(16)) -> String {
        let body = Array(message.utf8)
        var plain = random
        plain += withUnsafeBytes(of: UInt32(body.count).bigEndian, Array.init)
        plain += body + Array(appID.utf8)
        let pad = Self.padBlock - plain.count % Self.padBlock
        plain += [UInt8](repeating: UInt8(pad), count: pad)
        return Data(AESCBC.encrypt(plain, key: key, iv: Array(key.prefix(AESCBC.blockLength)))).base64EncodedString()
    }

    public static func signature(token: String, timestamp: String, nonce: String, encrypt: String) -> String {
        Digest.sha1([token, timestamp, nonce, encrypt].sorted().joined()).hex
    }

    /// The reply envelope WeChat expects in safe mode, signed with a fresh nonce.
    public func reply(_ xml: String, token: String, timestamp: Int, nonce: String) -> String {
        let encrypt = encrypt(xml)
        let signature = Self.signature(token: token, timestamp: String(timestamp), nonce: nonce, encrypt: encrypt)
        return "<xml><Encrypt><![CDATA[\(encrypt)]]></Encrypt><MsgSignature><![CDATA[\(signature)]]></MsgSignature>"
            + "<TimeStamp>\(timestamp)</TimeStamp><Nonce><![CDATA[\(nonce)]]></Nonce></xml>"
    }
}
