import COpenSSL

/// AES-256-GCM for secrets kept at rest (channel secrets, webhook signing keys): the box is
/// nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes). `context` is authenticated but not stored
/// (the tenant id, say), so a box copied to another tenant's row does not open there.
public enum SecretBox {
    public static let keyLength = 32
    static let nonceLength = 12
    static let tagLength = 16

    public static func seal(_ plaintext: [UInt8], key: [UInt8], context: [UInt8] = []) -> [UInt8] {
        seal(plaintext, key: key, context: context, nonce: RandomToken.bytes(nonceLength))
    }

    /// With a chosen nonce: for known-answer tests only (a nonce must never repeat under a key).
    static func seal(_ plaintext: [UInt8], key: [UInt8], context: [UInt8], nonce: [UInt8]) -> [UInt8] {
        precondition(key.count == keyLength, "SecretBox needs a 32-byte key")
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: tagLength)
        let context = context
        let ok = run(encrypt: true, key: key, nonce: nonce) { cipher in
            var length: Int32 = 0
            if !context.isEmpty, EVP_EncryptUpdate(cipher, nil, &length, context, Int32(context.count)) != 1 { return false }
            if !plaintext.isEmpty, EVP_EncryptUpdate(cipher, &ciphertext, &length, plaintext, Int32(plaintext.count)) != 1 { return false }
            var final = [UInt8](repeating: 0, count: 16)
            guard EVP_EncryptFinal_ex(cipher, &final, &length) == 1 else { return false }
            return EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_GCM_GET_TAG, Int32(tagLength), &tag) == 1
        }
        // Encryption fails only on allocation failure; a secret must never be stored unsealed.
        precondition(ok, "AES-256-GCM encryption failed")
        return nonce + ciphertext + tag
    }

    /// The plaintext, or nil when the box was altered, sealed under another key or context, or
    /// is not a box at all.
    public static func open(_ box: [UInt8], key: [UInt8], context: [UInt8] = []) -> [UInt8]? {
        guard key.count == keyLength, box.count >= nonceLength + tagLength else { return nil }
        let nonce = Array(box.prefix(nonceLength))
        let ciphertext = Array(box.dropFirst(nonceLength).dropLast(tagLength))
        var tag = Array(box.suffix(tagLength))
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        let context = context
        let ok = run(encrypt: false, key: key, nonce: nonce) { cipher in
            var length: Int32 = 0
            if !context.isEmpty, EVP_DecryptUpdate(cipher, nil, &length, context, Int32(context.count)) != 1 { return false }
            if !ciphertext.isEmpty, EVP_DecryptUpdate(cipher, &plaintext, &length, ciphertext, Int32(ciphertext.count)) != 1 { return false }
            guard EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_GCM_SET_TAG, Int32(tagLength), &tag) == 1 else { return false }
            var final = [UInt8](repeating: 0, count: 16)
            return EVP_DecryptFinal_ex(cipher, &final, &length) == 1
        }
        return ok ? plaintext : nil
    }

    private static func run(encrypt: Bool, key: [UInt8], nonce: [UInt8], _ body: (OpaquePointer) -> Bool) -> Bool {
        guard let cipher = EVP_CIPHER_CTX_new() else { return false }
        defer { EVP_CIPHER_CTX_free(cipher) }
        let initialised = encrypt ? EVP_EncryptInit_ex(cipher, EVP_aes_256_gcm(), nil, key, nonce)
            : EVP_DecryptInit_ex(cipher, EVP_aes_256_gcm(), nil, key, nonce)
        return initialised == 1 && body(cipher)
    }
}
