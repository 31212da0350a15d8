import Foundation
import PitstopCore
import Postgres

/// The scope tenant's shops.
public struct ShopRepository {
    let transaction: Transaction
    let tenantID: UUID

    static let columns = "id, name, address, latitude, longitude, timezone, phone, opening_hours, created_at, updated_at, version"

    /// Creates a shop from validated input; `timezone` defaults to the tenant's.
    public func create(_ input: ShopInput, defaultTimezone: String) throws -> Shop {
        let location = input.location.newValue
        let rows = try transaction.query("""
            INSERT INTO shops (tenant_id, id, name, address, latitude, longitude, timezone, phone, opening_hours)
            VALUES (\(tenantID), \(UUID()), \(input.name?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""),
                    \(input.address ?? ""), \(location?.latitude), \(location?.longitude), \(input.timezone ?? defaultTimezone),
                    \(input.phone.newValue), \(JSONB(input.openingHours ?? OpeningHours()))::jsonb)
            RETURNING \(unsafeRaw: Self.columns)
            """)
        return try Self.decode(rows[0])
    }

    public func get(id: UUID) throws -> Shop {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.columns) FROM shops WHERE tenant_id = \(tenantID) AND id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("shop") }
        return try Self.decode(row)
    }

    /// Newest first; pass the last shop of a page as `after` for the next.
    public func list(limit: Int, after: PageCursor?) throws -> [Shop] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM shops
            WHERE tenant_id = \(tenantID)
              AND (\(after?.createdAt)::timestamptz IS NULL OR (created_at, id) < (\(after?.createdAt)::timestamptz, \(after?.id)::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT \(limit)
            """).rows.map(Self.decode)
    }

    /// Applies the fields `input` sets, if the shop is still at `expectedVersion`.
    public func update(id: UUID, expectedVersion: Int, _ input: ShopInput) throws -> Shop {
        let location = input.location.newValue
        let rows = try transaction.query("""
            UPDATE shops SET
                name = coalesce(\(input.name?.trimmingCharacters(in: .whitespacesAndNewlines)), name),
                address = coalesce(\(input.address), address),
                latitude = CASE WHEN \(input.location.isKeep)::boolean THEN latitude ELSE \(location?.latitude)::float8 END,
                longitude = CASE WHEN \(input.location.isKeep)::boolean THEN longitude ELSE \(location?.longitude)::float8 END,
                timezone = coalesce(\(input.timezone), timezone),
                phone = CASE WHEN \(input.phone.isKeep)::boolean THEN phone ELSE \(input.phone.newValue)::text END,
                opening_hours = coalesce(\(input.openingHours.map { JSONB($0) })::jsonb, opening_hours),
                updated_at = now(),
                version = version + 1
            WHERE tenant_id = \(tenantID) AND id = \(id) AND version = \(expectedVersion)
            RETURNING \(unsafeRaw: Self.columns)
            """)
        if let row = rows.first { return try Self.decode(row) }
        throw try RecordVersion.failure(transaction, table: "shops", tenantID: tenantID, id: id, what: "shop")
    }

    static func decode(_ row: Row) throws -> Shop {
        let latitude: Double? = try row.decode("latitude")
        let longitude: Double? = try row.decode("longitude")
        return Shop(id: try row.decode("id"), name: try row.decode("name"), address: try row.decode("address"),
                    location: latitude.flatMap { lat in longitude.map { GeoPoint(latitude: lat, longitude: $0) } },
                    timezone: try row.decode("timezone"), phone: try row.decode("phone"),
                    openingHours: try row.decodeJSON("opening_hours"), createdAt: try row.decode("created_at"),
                    updatedAt: try row.decode("updated_at"), version: try row.decode("version"))
    }
}
