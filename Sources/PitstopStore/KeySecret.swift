import Crypto
import PitstopCore

/// Fresh random parts for a key and the hash under which it is stored.
public enum KeySecret {
    /// 40 random bits: unique within a tenant with a retry on the rare collision.
    static func newPrefix() -> String {
        Base32.encode(RandomToken.bytes(5))
    }

    /// 160 random bits: beyond guessing, and the hash is all that is stored.
    static func newSecret() -> String {
        Base32.encode(RandomToken.bytes(20))
    }

    /// What is stored of a key, and what a presented key is compared by: hex SHA-256 of its text.
    public static func sha256(of keyText: String) -> String {
        Digest.sha256(keyText).hex
    }

    /// Compares a stored hash with the hash of the presented key without leaking where they differ.
    public static func matches(storedSHA256: String, presentedSHA256: String) -> Bool {
        Digest.constantTimeEquals(Array(storedSHA256.utf8), Array(presentedSHA256.utf8))
    }
}
