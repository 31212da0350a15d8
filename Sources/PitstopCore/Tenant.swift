import Foundation

/// A repair chain: the unit of isolation. Everything else belongs to exactly one tenant.
public struct Tenant: Sendable, Equatable, Codable {
    public var id: UUID
    public var name: String
    /// IANA zone for the tenant's business calendar and reports (`Asia/Shanghai`).
    public var timezone: String
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int

    public init(id: UUID, name: String, timezone: String, createdAt: Date, updatedAt: Date, version: Int) {
        self.id = id
        self.name = name
        self.timezone = timezone
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    public static let defaultTimezone = "Asia/Shanghai"

    /// The tenant's zone; a zone the system no longer knows falls back to the default rather than
    /// failing every request (zones are checked when set).
    public var zone: TimeZone {
        TimeZone(identifier: timezone) ?? TimeZone(identifier: Self.defaultTimezone)!
    }

    /// Checks a tenant name and zone as a client would send them.
    public static func validate(name: String?, timezone: String?) -> [FieldError] {
        var errors: [FieldError] = []
        if let name {
            errors += TextRules.lengthErrors(name, field: "name", limit: 200)
        } else {
            errors.append(FieldError(field: "name", message: "is required"))
        }
        if let timezone, TimeZone(identifier: timezone) == nil {
            errors.append(FieldError(field: "timezone", message: "must be an IANA time zone such as Asia/Shanghai"))
        }
        return errors
    }
}
