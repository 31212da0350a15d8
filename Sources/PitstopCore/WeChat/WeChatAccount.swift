import Foundation

/// A tenant's WeChat official account: followers' messages open work orders of `typeID` (at
/// `shopID`, when set). With an EncodingAESKey it also takes safe and compatible mode.
public struct WeChatAccount: Sendable, Equatable {
    public var id: UUID
    public var name: String
    /// The account's original id (原始ID, `gh_…`): the addressee of every message it receives.
    public var originalID: String
    /// The Token typed into the WeChat console, which signs every call WeChat makes, as stored.
    public var token: StoredToken
    public var typeID: UUID
    public var shopID: UUID?
    /// The account's AppID (开发者ID), which WeChat seals every encrypted message for.
    public var appID: String?
    /// The EncodingAESKey, sealed with PITSTOP_SECRET_KEY; nil for plain-text mode only.
    public var aesKeyBox: [UInt8]?
    /// With the tenant, the end of the server URL configured in the WeChat console.
    public var secret: String
    public var createdAt: Date
    public var revokedAt: Date?
    public var version: Int

    /// Sealed with PITSTOP_SECRET_KEY; or, for an account connected before Tokens were sealed, in
    /// the clear until its next message seals it.
    public enum StoredToken: Sendable, Equatable {
        case sealed([UInt8])
        case plain(String)
    }

    public init(id: UUID, name: String, originalID: String, token: StoredToken, typeID: UUID, shopID: UUID?, appID: String?,
                aesKeyBox: [UInt8]?, secret: String, createdAt: Date, revokedAt: Date?, version: Int = 1) {
        self.version = version
        self.id = id
        self.name = name
        self.originalID = originalID
        self.token = token
        self.typeID = typeID
        self.shopID = shopID
        self.appID = appID
        self.aesKeyBox = aesKeyBox
        self.secret = secret
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// An AppID is "wx" and 16 hexadecimal digits, as the console shows it (开发者ID).
    public static func isAppID(_ text: String) -> Bool {
        text.utf8.count == 18 && text.hasPrefix("wx") && text.unicodeScalars.dropFirst(2).allSatisfy { $0.properties.isASCIIHexDigit }
    }

    public func urlToken(tenantID: UUID) -> PublicToken {
        PublicToken(kind: .wechat, tenantID: tenantID, secret: secret)
    }
}

/// A new connection as an admin describes it.
public struct NewWeChatAccount: Sendable, Equatable {
    public var name: String
    public var originalID: String
    public var token: String
    public var typeID: UUID
    public var shopID: UUID?
    public var appID: String?
    /// The console's EncodingAESKey (消息加解密密钥), for safe and compatible mode.
    public var encodingAESKey: String?

    public init(name: String, originalID: String, token: String, typeID: UUID, shopID: UUID?, appID: String? = nil,
                encodingAESKey: String? = nil) {
        self.name = name
        self.originalID = originalID
        self.token = token
        self.typeID = typeID
        self.shopID = shopID
        self.appID = appID
        self.encodingAESKey = encodingAESKey
    }

    public var errors: [FieldError] {
        var errors = TextRules.lengthErrors(name, field: "name", limit: 200)
        let originalScalars = originalID.unicodeScalars
        if !(originalID.hasPrefix("gh_") && (4...63).contains(originalScalars.count)
             && originalScalars.dropFirst(3).allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") })) {
            errors.append(FieldError(field: "original_id", message: "must be the account's original id as WeChat shows it, such as gh_3f2a1b4c5d6e"))
        }
        errors += Self.tokenErrors(token)
        if let appID { errors += Self.appIDErrors(appID) }
        if let key = encodingAESKey {
            errors += Self.keyErrors(key)
            if appID == nil { errors.append(Self.appIDNeeded) }
        }
        return errors
    }

    static func tokenErrors(_ token: String) -> [FieldError] {
        let scalars = token.unicodeScalars
        guard (3...32).contains(scalars.count) && scalars.allSatisfy({ $0.isASCII && CharacterSet.alphanumerics.contains($0) }) else {
            return [FieldError(field: "token", message: "must be the Token from the WeChat console: 3 to 32 letters or digits")]
        }
        return []
    }

    static func appIDErrors(_ appID: String) -> [FieldError] {
        WeChatAccount.isAppID(appID) ? []
            : [FieldError(field: "app_id", message: "must be the account's AppID as the WeChat console shows it: wx and 16 hexadecimal digits")]
    }

    static func keyErrors(_ key: String) -> [FieldError] {
        // 43 characters of Base64's alphabet without "+" and "/", which the console generates.
        key.utf8.count == 43 && key.unicodeScalars.allSatisfy({ $0.isASCII && CharacterSet.alphanumerics.contains($0) }) ? []
            : [FieldError(field: "encoding_aes_key", message: "must be the EncodingAESKey from the WeChat console: 43 letters or digits")]
    }

    static let appIDNeeded = FieldError(field: "app_id", message: "is required with encoding_aes_key: WeChat seals every encrypted message for the AppID")
}

/// Changes to a connected account, as an admin sends them. The original id is its identity
/// (connect another account instead); the rest may change, the Token and key arriving in the
/// clear and kept sealed.
public struct WeChatAccountChanges: Sendable, Equatable {
    public var name: String?
    public var token: String?
    public var typeID: UUID?
    public var shopID: FieldUpdate<UUID>
    public var appID: FieldUpdate<String>
    /// Cleared: the account goes back to plain-text mode only.
    public var encodingAESKey: FieldUpdate<String>

    public init(name: String? = nil, token: String? = nil, typeID: UUID? = nil, shopID: FieldUpdate<UUID> = .keep,
                appID: FieldUpdate<String> = .keep, encodingAESKey: FieldUpdate<String> = .keep) {
        self.name = name
        self.token = token
        self.typeID = typeID
        self.shopID = shopID
        self.appID = appID
        self.encodingAESKey = encodingAESKey
    }

    /// Every problem with these changes over `current`: safe mode keeps needing an AppID.
    public func errors(over current: WeChatAccount) -> [FieldError] {
        var errors: [FieldError] = []
        if name == nil && token == nil && typeID == nil && shopID.isKeep && appID.isKeep && encodingAESKey.isKeep {
            errors.append(FieldError(field: "body", message: "changes nothing; send at least one field"))
        }
        errors += TextRules.lengthErrors(name, field: "name", limit: 200)
        if let token { errors += NewWeChatAccount.tokenErrors(token) }
        if let app = appID.newValue { errors += NewWeChatAccount.appIDErrors(app) }
        if let key = encodingAESKey.newValue { errors += NewWeChatAccount.keyErrors(key) }
        let keyAfter = encodingAESKey.isKeep ? current.aesKeyBox != nil : encodingAESKey.newValue != nil
        if keyAfter && appID.applied(to: current.appID) == nil { errors.append(NewWeChatAccount.appIDNeeded) }
        return errors
    }
}
