import Foundation

/// A tenant API key as stored and listed: never the secret, only what identifies it.
public struct APIKey: Sendable, Equatable, Codable {
    public var id: UUID
    public var tenantID: UUID
    public var name: String
    public var role: Role
    /// The engineer an `engineer` key acts as; nil for every other role.
    public var engineerID: UUID?
    /// Shown in listings so an admin can tell keys apart: `psk_…_abcdefgh`.
    public var displayPrefix: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(id: UUID, tenantID: UUID, name: String, role: Role, engineerID: UUID? = nil, displayPrefix: String,
                createdAt: Date, lastUsedAt: Date?, revokedAt: Date?) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.role = role
        self.engineerID = engineerID
        self.displayPrefix = displayPrefix
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    public static func validate(name: String?) -> [FieldError] {
        TextRules.lengthErrors(name, field: "name", limit: 100)
    }

    /// An `engineer` key must name its engineer; no other key may.
    public static func validate(role: Role, engineerID: UUID?) -> [FieldError] {
        switch (role, engineerID) {
        case (.engineer, nil): [FieldError(field: "engineer_id", message: "is required for an engineer key: the app acts as that engineer")]
        case (.engineer, _?), (_, nil): []
        case (_, _?): [FieldError(field: "engineer_id", message: "is only for keys with the engineer role")]
        }
    }
}

/// A key together with its secret, exactly once: at creation.
public struct CreatedKey<Key: Sendable>: Sendable {
    public var key: Key
    public var secret: String

    public init(key: Key, secret: String) {
        self.key = key
        self.secret = secret
    }
}
