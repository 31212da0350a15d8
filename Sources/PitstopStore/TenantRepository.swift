import Foundation
import PitstopCore
import Postgres

/// The tenant row of the scope's own tenant.
public struct TenantRepository {
    let transaction: Transaction
    let tenantID: UUID

    static let columns = "id, name, timezone, created_at, updated_at, version, duplicate_window_minutes, reopen_window_days, order_link, trail_retention_days, wechat_message_retention_days, notification_retention_days, media_retention_days"

    /// Inserts the scope's tenant. Called in a scope opened for the new id, which is what lets
    /// row-level security accept the row.
    public func create(name: String, timezone: String) throws -> Tenant {
        let rows = try transaction.query("""
            INSERT INTO tenants (id, name, timezone) VALUES (\(tenantID), \(name), \(timezone))
            RETURNING \(unsafeRaw: Self.columns)
            """)
        return try Self.decode(rows[0])
    }

    public func get() throws -> Tenant {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.columns) FROM tenants WHERE id = \(tenantID)")
        guard let row = rows.first else { throw StoreError.notFound("tenant") }
        return try Self.decode(row)
    }

    /// Applies `changes` if the tenant is still at `expectedVersion`.
    public func update(expectedVersion: Int, _ changes: TenantChanges) throws -> Tenant {
        let rows = try transaction.query("""
            UPDATE tenants SET
                name = coalesce(\(changes.name?.trimmingCharacters(in: .whitespacesAndNewlines)), name),
                timezone = coalesce(\(changes.timezone), timezone),
                duplicate_window_minutes = coalesce(\(changes.duplicateWindowMinutes)::integer, duplicate_window_minutes),
                reopen_window_days = coalesce(\(changes.reopenWindowDays)::integer, reopen_window_days),
                order_link = CASE WHEN \(changes.orderLink.isKeep)::boolean THEN order_link ELSE \(changes.orderLink.newValue)::text END,
                trail_retention_days = coalesce(\(changes.trailRetentionDays)::integer, trail_retention_days),
                wechat_message_retention_days = coalesce(\(changes.weChatMessageRetentionDays)::integer, wechat_message_retention_days),
                notification_retention_days = coalesce(\(changes.notificationRetentionDays)::integer, notification_retention_days),
                media_retention_days = coalesce(\(changes.mediaRetentionDays)::integer, media_retention_days),
                updated_at = now(),
                version = version + 1
            WHERE id = \(tenantID) AND version = \(expectedVersion)
            RETURNING \(unsafeRaw: Self.columns)
            """)
        if let row = rows.first { return try Self.decode(row) }
        throw StoreError.versionMismatch(current: try get().version)
    }

    static func decode(_ row: Row) throws -> Tenant {
        Tenant(id: try row.decode("id"), name: try row.decode("name"), timezone: try row.decode("timezone"),
               createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"),
               version: try row.decode("version"), duplicateWindowMinutes: try row.decode("duplicate_window_minutes"),
               reopenWindowDays: try row.decode("reopen_window_days"), orderLink: try row.decode("order_link"),
               retention: .init(trailDays: try row.decode("trail_retention_days"), weChatMessageDays: try row.decode("wechat_message_retention_days"),
                                notificationDays: try row.decode("notification_retention_days"), mediaDays: try row.decode("media_retention_days")))
    }
}
