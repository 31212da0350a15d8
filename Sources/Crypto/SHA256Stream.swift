import COpenSSL

/// SHA-256 over bytes that arrive in pieces (an upload streamed to disk), so the hash is known
/// when the last piece is written without reading the file again.
public final class SHA256Stream {
    private var context: OpaquePointer?

    public init() {
        context = EVP_MD_CTX_new()
        // Only allocation can fail here; without a context nothing else would work either.
        precondition(context != nil && EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1, "EVP_DigestInit_ex failed")
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        precondition(EVP_DigestUpdate(context, base, bytes.count) == 1, "EVP_DigestUpdate failed")
    }

    /// The digest of everything passed to `update`. Call once.
    public func finish() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        var length: UInt32 = 0
        out.withUnsafeMutableBufferPointer { buffer in
            precondition(EVP_DigestFinal_ex(context, buffer.baseAddress, &length) == 1, "EVP_DigestFinal_ex failed")
        }
        return out
    }
}
