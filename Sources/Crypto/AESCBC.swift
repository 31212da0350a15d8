import COpenSSL

/// AES-256-CBC without padding, for protocols that prescribe it and pad for themselves (WeChat's
/// message encryption pads with PKCS#7 to 32 bytes, not to the cipher's 16). Unauthenticated:
/// such protocols sign the ciphertext separately, and the caller must check that signature first.
public enum AESCBC {
    public static let keyLength = 32
    public static let blockLength = 16

    /// `bytes` must be a whole number of blocks.
    public static func encrypt(_ bytes: [UInt8], key: [UInt8], iv: [UInt8]) -> [UInt8] {
        precondition(bytes.count % blockLength == 0, "AESCBC.encrypt takes whole blocks; pad first")
        // Fails only on allocation failure or a key of the wrong length, both programming errors.
        guard let out = run(encrypt: true, bytes, key: key, iv: iv) else { preconditionFailure("AES-256-CBC encryption failed") }
        return out
    }

    /// The plaintext, still padded; nil when `bytes` is not whole blocks or the key is not 32 bytes.
    public static func decrypt(_ bytes: [UInt8], key: [UInt8], iv: [UInt8]) -> [UInt8]? {
        guard !bytes.isEmpty, bytes.count % blockLength == 0 else { return nil }
        return run(encrypt: false, bytes, key: key, iv: iv)
    }

    private static func run(encrypt: Bool, _ input: [UInt8], key: [UInt8], iv: [UInt8]) -> [UInt8]? {
        guard key.count == keyLength, iv.count == blockLength, let cipher = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(cipher) }
        guard EVP_CipherInit_ex(cipher, EVP_aes_256_cbc(), nil, key, iv, encrypt ? 1 : 0) == 1,
              EVP_CIPHER_CTX_set_padding(cipher, 0) == 1 else { return nil }
        var out = [UInt8](repeating: 0, count: input.count + blockLength)
        var written: Int32 = 0
        var final: Int32 = 0
        guard EVP_CipherUpdate(cipher, &out, &written, input, Int32(input.count)) == 1 else { return nil }
        let ok = out.withUnsafeMutableBufferPointer { buffer in
            EVP_CipherFinal_ex(cipher, buffer.baseAddress! + Int(written), &final) == 1
        }
        guard ok else { return nil }
        return Array(out.prefix(Int(written + final)))
    }
}
