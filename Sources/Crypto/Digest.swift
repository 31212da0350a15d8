import COpenSSL
import Foundation

/// SHA-256 and HMAC-SHA256 from libcrypto. Inputs and outputs are plain bytes; `hex` renders them.
public enum Digest {
    public static func sha256(_ data: some Sequence<UInt8>) -> [UInt8] {
        digest(Array(data), EVP_sha256(), length: Int(SHA256_DIGEST_LENGTH))
    }

    /// SHA-1, only for protocols that prescribe it (WeChat's server signature); never for secrets.
    public static func sha1(_ string: String) -> [UInt8] {
        digest(Array(string.utf8), EVP_sha1(), length: Int(SHA_DIGEST_LENGTH))
    }

    private static func digest(_ bytes: [UInt8], _ algorithm: OpaquePointer?, length expected: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: expected)
        bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                var length: UInt32 = 0
                // EVP_Digest only fails on allocation failure; a short length then shows it.
                _ = EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, algorithm, nil)
                precondition(Int(length) == expected, "EVP_Digest failed")
            }
        }
        return out
    }

    public static func sha256(_ string: String) -> [UInt8] {
        sha256(Array(string.utf8))
    }

    public static func hmacSHA256(key: some Sequence<UInt8>, message: some Sequence<UInt8>) -> [UInt8] {
        hmac(EVP_sha256(), key: key, message: message)
    }

    /// HMAC-SHA1, only for protocols that prescribe it (Aliyun's RPC request signature).
    public static func hmacSHA1(key: some Sequence<UInt8>, message: some Sequence<UInt8>) -> [UInt8] {
        hmac(EVP_sha1(), key: key, message: message)
    }

    private static func hmac(_ algorithm: OpaquePointer?, key: some Sequence<UInt8>, message: some Sequence<UInt8>) -> [UInt8] {
        let keyBytes = Array(key)
        let messageBytes = Array(message)
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        keyBytes.withUnsafeBufferPointer { k in
            messageBytes.withUnsafeBufferPointer { m in
                out.withUnsafeMutableBufferPointer { o in
                    let result = HMAC(algorithm, k.baseAddress ?? UnsafePointer(bitPattern: 1), Int32(k.count),
                                      m.baseAddress, m.count, o.baseAddress, &length)
                    precondition(result != nil, "HMAC failed")
                }
            }
        }
        return Array(out.prefix(Int(length)))
    }

    /// Compares two byte strings in time that depends only on their lengths, for secrets.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 }
        }
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal, two digits a byte.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
