import Foundation

/// The text of a secret key as a client presents it.
///
/// Tenant keys read `psk_<tenant>_<prefix>_<secret>` and platform keys `ppk_<prefix>_<secret>`,
/// each part base32. The tenant part lets the server scope the lookup to one tenant before it
/// knows anything else, so key lookup runs under that tenant's row-level security; the prefix
/// finds the row and is safe to display; only the SHA-256 of the whole text is stored.
public enum APIKeyText: Equatable, Sendable {
    case tenant(tenantID: UUID, prefix: String)
    case platform(prefix: String)

    public static let prefixLength = 8
    public static let secretLength = 32

    public static func parse(_ text: String) -> APIKeyText? {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        switch parts.first {
        case "psk":
            guard parts.count == 4, isPrefix(parts[2]), isSecret(parts[3]), let id = Base32.decodeUUID(parts[1]) else { return nil }
            return .tenant(tenantID: id, prefix: String(parts[2]))
        case "ppk":
            guard parts.count == 3, isPrefix(parts[1]), isSecret(parts[2]) else { return nil }
            return .platform(prefix: String(parts[1]))
        default:
            return nil
        }
    }

    public static func tenantKey(tenantID: UUID, prefix: String, secret: String) -> String {
        "psk_\(Base32.encode(tenantID))_\(prefix)_\(secret)"
    }

    public static func platformKey(prefix: String, secret: String) -> String {
        "ppk_\(prefix)_\(secret)"
    }

    /// What may be shown of a key after creation: enough to recognise it, nothing to use.
    public static func displayPrefix(platform: Bool, prefix: String) -> String {
        platform ? "ppk_\(prefix)" : "psk_…_\(prefix)"
    }

    private static func isPrefix(_ part: Substring) -> Bool {
        part.count == prefixLength && Base32.decode(part) != nil
    }

    private static func isSecret(_ part: Substring) -> Bool {
        part.count == secretLength && Base32.decode(part) != nil
    }
}
