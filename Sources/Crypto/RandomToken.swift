import COpenSSL

/// Cryptographically random bytes from libcrypto's CSPRNG.
public enum RandomToken {
    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        // RAND_bytes fails only when the generator cannot be seeded; handing out a weak secret
        // would be worse than stopping.
        precondition(ok == 1, "RAND_bytes failed: the system random source is unavailable")
        return out
    }
}
