import Foundation
import PitstopCore
import Postgres

/// A platform (operator) key as listed.
public struct PlatformKey: Sendable, Equatable, Codable {
    public var id: UUID
    public var name: String
    public var displayPrefix: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?
}

/// The operator's platform keys. The app role may only read them and stamp their use; creating
/// and revoking them is for the owner role, through pitstop-admin.
public struct PlatformKeyRepository {
    let transaction: Transaction

    static let columns = "id, name, prefix, created_at, last_used_at, revoked_at"

    public func create(name: String) throws -> CreatedKey<PlatformKey> {
        for attempt in 1...2 {
            let prefix = KeySecret.newPrefix()
            let text = APIKeyText.platformKey(prefix: prefix, secret: KeySecret.newSecret())
            do {
                let rows = try transaction.query("""
                    INSERT INTO platform_keys (id, prefix, secret_sha256, name)
                    VALUES (\(UUID()), \(prefix), \(KeySecret.sha256(of: text)), \(name))
                    RETURNING \(unsafeRaw: Self.columns)
                    """)
                return CreatedKey(key: try Self.decode(rows[0]), secret: text)
            } catch let error as PostgresError where error.sqlState == .uniqueViolation && attempt == 1 {
                continue
            }
        }
        throw StoreError.conflict("could not find a free key prefix")
    }

    public func list() throws -> [PlatformKey] {
        try transaction.query("SELECT \(unsafeRaw: Self.columns) FROM platform_keys ORDER BY created_at DESC, id")
            .rows.map(Self.decode)
    }

    public func revoke(id: UUID) throws -> PlatformKey {
        let rows = try transaction.query("""
            UPDATE platform_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = \(id)
            RETURNING \(unsafeRaw: Self.columns)
            """)
        guard let row = rows.first else { throw StoreError.notFound("platform key") }
        return try Self.decode(row)
    }

    public func authenticate(prefix: String, keySHA256: String, now: Date = Date()) throws -> PlatformKey? {
        let rows = try transaction.query("""
            SELECT \(unsafeRaw: Self.columns), secret_sha256 FROM platform_keys WHERE prefix = \(prefix)
            """)
        guard let row = rows.first,
              KeySecret.matches(storedSHA256: try row.decode("secret_sha256"), presentedSHA256: keySHA256)
        else { return nil }
        let key = try Self.decode(row)
        guard key.revokedAt == nil else { return nil }
        if key.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
            try transaction.execute("UPDATE platform_keys SET last_used_at = \(now) WHERE id = \(key.id)")
        }
        return key
    }

    static func decode(_ row: Row) throws -> PlatformKey {
        PlatformKey(id: try row.decode("id"), name: try row.decode("name"),
                    displayPrefix: APIKeyText.displayPrefix(platform: true, prefix: try row.decode("prefix")),
                    createdAt: try row.decode("created_at"), lastUsedAt: try row.decode("last_used_at"),
                    revokedAt: try row.decode("revoked_at"))
    }
}
