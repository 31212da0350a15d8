import Foundation

/// A token that reaches Pitstop without an API key: an intake link printed as a QR code, an
/// order's tracking link, a WeChat account's server URL, an SMS channel's reply URL. It reads `<kind>_<tenant>_<secret>` in
/// base32. The tenant part scopes the lookup to one tenant (row-level security) before anything
/// else is known; the secret, 160 random bits, finds the row and cannot be guessed.
public struct PublicToken: Equatable, Sendable {
    public enum Kind: String, Sendable {
        case intake = "pin"
        case tracking = "ptr"
        case wechat = "pwx"
        case acceptance = "pac"
        /// The URL an SMS channel's provider pushes the customers' replies to.
        case smsReplies = "psr"
    }

    public var kind: Kind
    public var tenantID: UUID
    public var secret: String

    public static let secretLength = 32

    public init(kind: Kind, tenantID: UUID, secret: String) {
        self.kind = kind
        self.tenantID = tenantID
        self.secret = secret
    }

    /// The token of `kind` in `text`, or nil for anything else (another kind included).
    public init?(_ text: some StringProtocol, kind: Kind) {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == kind.rawValue, let tenantID = Base32.decodeUUID(parts[1]),
              parts[2].count == Self.secretLength, Base32.decode(parts[2]) != nil else { return nil }
        self.init(kind: kind, tenantID: tenantID, secret: String(parts[2]))
    }

    public var text: String {
        "\(kind.rawValue)_\(Base32.encode(tenantID))_\(secret)"
    }
}
