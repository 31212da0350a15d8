import COpenSSL

/// Cryptographically random bytes and tokens from libcrypto's CSPRNG.
public enum RandomToken {
    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        // RAND_bytes fails only when the generator cannot be seeded; handing out a weak secret
        // would be worse than stopping.
        precondition(ok == 1, "RAND_bytes failed: the system random source is unavailable")
        return out
    }

    /// A URL-safe token of `byteCount` random bytes, base32 (lower case, no padding) so it
    /// survives copy-paste, shells and URLs.
    public static func string(byteCount: Int) -> String {
        base32(bytes(byteCount))
    }

    static func base32(_ data: [UInt8]) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
        var out = [UInt8]()
        var buffer: UInt32 = 0
        var bits = 0
        for byte in data {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
