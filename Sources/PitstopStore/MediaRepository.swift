import Foundation
import PitstopCore
import Postgres

/// What the scope tenant knows about its orders' photos and videos. The bytes are files the API
/// keeps; rows are only ever added.
public struct MediaRepository {
    let transaction: Transaction
    let tenantID: UUID

    static let columns = "id, work_order_id, content_type, size_bytes, sha256, engineer_id, uploaded_by, created_at, purged_at"

    public func add(workOrder: UUID, type: MediaType, sizeBytes: Int, sha256: String, engineer: UUID?, actor: UUID?,
                    now: Date = Date()) throws -> Media {
        try Self.decode(transaction.query("""
            INSERT INTO work_order_media (tenant_id, id, work_order_id, content_type, size_bytes, sha256, engineer_id, uploaded_by, created_at)
            VALUES (\(tenantID), \(UUID()), \(workOrder), \(type.rawValue), \(sizeBytes), \(sha256), \(engineer), \(actor), \(now))
            RETURNING \(unsafeRaw: Self.columns)
            """)[0])
    }

    public func get(id: UUID) throws -> Media {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.columns) FROM work_order_media WHERE tenant_id = \(tenantID) AND id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("media") }
        return try Self.decode(row)
    }

    /// The order's photos and videos, oldest first.
    public func list(workOrder: UUID) throws -> [Media] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM work_order_media
            WHERE tenant_id = \(tenantID) AND work_order_id = \(workOrder) ORDER BY created_at, id
            """).rows.map(Self.decode)
    }

    /// Which of `hashes` a live (not purged) record still names: the files to keep.
    public func liveHashes(among hashes: [String]) throws -> Set<String> {
        guard !hashes.isEmpty else { return [] }
        return Set(try transaction.query("""
            SELECT DISTINCT sha256 FROM work_order_media
            WHERE tenant_id = \(tenantID) AND sha256 = ANY (\(hashes)::text[]) AND purged_at IS NULL
            """).rows.map { try $0.decode("sha256", as: String.self) })
    }

    static func decode(_ row: Row) throws -> Media {
        let type: String = try row.decode("content_type")
        guard let mediaType = MediaType(rawValue: type) else {
            throw PostgresError(kind: .decoding, message: "work_order_media.content_type holds unknown type \(type)")
        }
        return Media(id: try row.decode("id"), workOrderID: try row.decode("work_order_id"), type: mediaType,
                     sizeBytes: try row.decode("size_bytes"), sha256: try row.decode("sha256"), engineerID: try row.decode("engineer_id"),
                     uploadedByKeyID: try row.decode("uploaded_by"), createdAt: try row.decode("created_at"), purgedAt: try row.decode("purged_at"))
    }
}
