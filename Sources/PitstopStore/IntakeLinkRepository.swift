import Foundation
import PitstopCore
import Postgres

/// The scope tenant's intake links (web forms and QR codes).
public struct IntakeLinkRepository {
    let transaction: Transaction
    let tenantID: UUID

    static let columns = "id, name, channel, type_id, shop_id, vehicle_id, created_at, revoked_at"

    /// A new link, with its secret: the only time it is known (only its hash is stored).
    public func create(_ new: NewIntakeLink) throws -> IntakeLink {
        let secret = KeySecret.newSecret()
        var link = try ReferenceErrors.naming(["intake_links_tenant_id_type_id_fkey": "type_id", "intake_links_tenant_id_shop_id_fkey": "shop_id",
                                               "intake_links_tenant_id_vehicle_id_fkey": "vehicle_id"]) {
            try Self.decode(transaction.query("""
                INSERT INTO intake_links (tenant_id, id, secret_sha256, name, channel, type_id, shop_id, vehicle_id)
                VALUES (\(tenantID), \(UUID()), \(KeySecret.sha256(of: secret)), \(new.name.trimmingCharacters(in: .whitespacesAndNewlines)),
                        \(new.channel.rawValue), \(new.typeID), \(new.shopID), \(new.vehicleID))
                RETURNING \(unsafeRaw: Self.columns)
                """)[0])
        }
        link.secret = secret
        return link
    }

    public func get(id: UUID) throws -> IntakeLink {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.columns) FROM intake_links WHERE tenant_id = \(tenantID) AND id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("intake link") }
        return try Self.decode(row)
    }

    /// The link a public token names, unless it was revoked.
    public func active(secret: String) throws -> IntakeLink? {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM intake_links
            WHERE tenant_id = \(tenantID) AND secret_sha256 = \(KeySecret.sha256(of: secret)) AND revoked_at IS NULL
            """).first.map(Self.decode)
    }

    /// Newest first; pass the last link of a page as `after` for the next.
    public func list(limit: Int, after: PageCursor?) throws -> [IntakeLink] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM intake_links
            WHERE tenant_id = \(tenantID)
              AND (\(after?.createdAt)::timestamptz IS NULL OR (created_at, id) < (\(after?.createdAt)::timestamptz, \(after?.id)::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT \(limit)
            """).rows.map(Self.decode)
    }

    /// Stops the link from taking reports; orders it opened are untouched. Revoking twice keeps
    /// the first time.
    public func revoke(id: UUID) throws -> IntakeLink {
        let rows = try transaction.query("""
            UPDATE intake_links SET revoked_at = coalesce(revoked_at, now())
            WHERE tenant_id = \(tenantID) AND id = \(id)
            RETURNING \(unsafeRaw: Self.columns)
            """)
        guard let row = rows.first else { throw StoreError.notFound("intake link") }
        return try Self.decode(row)
    }

    static func decode(_ row: Row) throws -> IntakeLink {
        let channelText: String = try row.decode("channel")
        guard let channel = WorkOrder.Channel(rawValue: channelText) else {
            throw PostgresError(kind: .decoding, message: "intake_links.channel holds unknown channel \(channelText)")
        }
        return IntakeLink(id: try row.decode("id"), name: try row.decode("name"), channel: channel, typeID: try row.decode("type_id"),
                          shopID: try row.decode("shop_id"), vehicleID: try row.decode("vehicle_id"), secret: nil,
                          createdAt: try row.decode("created_at"), revokedAt: try row.decode("revoked_at"))
    }
}
