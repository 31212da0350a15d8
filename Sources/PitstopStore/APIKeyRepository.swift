import Foundation
import PitstopCore
import Postgres

/// The scope tenant's API keys.
public struct APIKeyRepository {
    let transaction: Transaction
    let tenantID: UUID

    static let columns = "id, tenant_id, name, role, engineer_id, prefix, created_at, last_used_at, revoked_at"

    /// Creates a key and returns it with its secret, the only time the secret exists outside the
    /// client: only its SHA-256 is stored.
    public func create(name: String, role: Role, engineerID: UUID? = nil) throws -> CreatedKey<APIKey> {
        // A prefix collision inside one tenant is a 1-in-2^40 event; one retry settles it.
        for attempt in 1...2 {
            let prefix = KeySecret.newPrefix()
            let text = APIKeyText.tenantKey(tenantID: tenantID, prefix: prefix, secret: KeySecret.newSecret())
            do {
                let rows = try transaction.query("""
                    INSERT INTO api_keys (tenant_id, id, prefix, secret_sha256, name, role, engineer_id)
                    VALUES (\(tenantID), \(UUID()), \(prefix), \(KeySecret.sha256(of: text)), \(name), \(role.rawValue), \(engineerID))
                    RETURNING \(unsafeRaw: Self.columns)
                    """)
                return CreatedKey(key: try Self.decode(rows[0]), secret: text)
            } catch let error as PostgresError where error.sqlState == .uniqueViolation && attempt == 1 {
                continue
            } catch let error as PostgresError where error.sqlState == .foreignKeyViolation {
                throw ValidationError(field: "engineer_id", "is not an engineer of this tenant")
            }
        }
        throw StoreError.conflict("could not find a free key prefix")
    }

    /// The tenant's keys, newest first, revoked ones included so an admin sees the history.
    /// Keyset pagination: pass the last key of a page as `after` for the next one.
    public func list(limit: Int = 100, after: PageCursor? = nil) throws -> [APIKey] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM api_keys
            WHERE tenant_id = \(tenantID)
              AND (\(after?.createdAt)::timestamptz IS NULL OR (created_at, id) < (\(after?.createdAt)::timestamptz, \(after?.id)::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT \(limit)
            """).rows.map(Self.decode)
    }

    /// Revokes a key; revoking a revoked key keeps the first revocation time.
    public func get(id: UUID) throws -> APIKey {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.columns) FROM api_keys WHERE tenant_id = \(tenantID) AND id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("API key") }
        return try Self.decode(row)
    }

    /// The tenant's admin keys still in force, locked until the transaction ends, so that two
    /// revocations at once cannot both leave the other as the last.
    public func activeAdminKeys() throws -> [UUID] {
        try transaction.query("""
            SELECT id FROM api_keys WHERE tenant_id = \(tenantID) AND role = 'admin' AND revoked_at IS NULL ORDER BY id FOR UPDATE
            """).rows.map { try $0.decode("id") }
    }

    public func revoke(id: UUID) throws -> APIKey {
        let rows = try transaction.query("""
            UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
            WHERE tenant_id = \(tenantID) AND id = \(id)
            RETURNING \(unsafeRaw: Self.columns)
            """)
        guard let row = rows.first else { throw StoreError.notFound("API key") }
        return try Self.decode(row)
    }

    /// The key and its tenant for a presented key, in one statement; nil when the key is unknown,
    /// revoked, its hash differs, or it is an engineer's whose engineer was deactivated (the key
    /// stops the moment they do, and works again if they are made active again).
    public func authenticate(prefix: String, keySHA256: String) throws -> (key: APIKey, tenant: Tenant)? {
        let rows = try transaction.query("""
            SELECT k.id, k.tenant_id, k.name, k.role, k.engineer_id, k.prefix, k.created_at, k.last_used_at, k.revoked_at, k.secret_sha256,
                   t.name AS tenant_name, t.timezone, t.created_at AS tenant_created_at,
                   t.updated_at AS tenant_updated_at, t.version AS tenant_version, t.duplicate_window_minutes, t.reopen_window_days, t.order_link,
                   e.active AS engineer_active
            FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
            LEFT JOIN engineers e ON e.tenant_id = k.tenant_id AND e.id = k.engineer_id
            WHERE k.tenant_id = \(tenantID) AND k.prefix = \(prefix)
            """)
        guard let row = rows.first,
              KeySecret.matches(storedSHA256: try row.decode("secret_sha256"), presentedSHA256: keySHA256)
        else { return nil }
        let key = try Self.decode(row)
        guard key.revokedAt == nil, try row.decode("engineer_active", as: Bool?.self) != false else { return nil }
        let tenant = Tenant(id: tenantID, name: try row.decode("tenant_name"), timezone: try row.decode("timezone"),
                            createdAt: try row.decode("tenant_created_at"), updatedAt: try row.decode("tenant_updated_at"),
                            version: try row.decode("tenant_version"),
                            duplicateWindowMinutes: try row.decode("duplicate_window_minutes"),
                            reopenWindowDays: try row.decode("reopen_window_days"), orderLink: try row.decode("order_link"))
        return (key, tenant)
    }

    /// Records that a key was used. Stamping every request would turn each read into a write; a
    /// minute's precision is what an admin needs to spot unused keys, so callers stamp only when
    /// `needsStamp` says so.
    public func stampLastUsed(id: UUID, at now: Date) throws {
        try transaction.execute("UPDATE api_keys SET last_used_at = \(now) WHERE tenant_id = \(tenantID) AND id = \(id)")
    }

    public static func needsStamp(_ key: APIKey, now: Date) -> Bool {
        key.lastUsedAt.map { now.timeIntervalSince($0) >= 60 } ?? true
    }

    static func decode(_ row: Row) throws -> APIKey {
        let roleText: String = try row.decode("role")
        guard let role = Role(rawValue: roleText) else {
            throw PostgresError(kind: .decoding, message: "api_keys.role holds unknown role \(roleText)")
        }
        return APIKey(id: try row.decode("id"), tenantID: try row.decode("tenant_id"), name: try row.decode("name"),
                      role: role, engineerID: try row.decode("engineer_id"), displayPrefix: APIKeyText.displayPrefix(platform: false, prefix: try row.decode("prefix")),
                      createdAt: try row.decode("created_at"), lastUsedAt: try row.decode("last_used_at"),
                      revokedAt: try row.decode("revoked_at"))
    }
}
