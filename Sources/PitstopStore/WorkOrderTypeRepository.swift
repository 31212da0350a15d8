import Foundation
import PitstopCore
import Postgres

/// The scope tenant's work-order types.
public struct WorkOrderTypeRepository {
    let transaction: Transaction
    let tenantID: UUID

    static let columns = "id, code, name, template, checklist, active, created_at, updated_at, version"

    public func create(_ input: WorkOrderTypeInput) throws -> WorkOrderType {
        try Self.mappingDuplicateCode {
            let rows = try transaction.query("""
                INSERT INTO work_order_types (tenant_id, id, code, name, template, checklist, active)
                VALUES (\(tenantID), \(UUID()), \(input.code ?? ""), \(input.name?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""),
                        \(JSONB(input.template ?? WorkOrderTemplate(fields: [])))::jsonb, \(input.checklist ?? [])::text[], \(input.active ?? true))
                RETURNING \(unsafeRaw: Self.columns)
                """)
            return try Self.decode(rows[0])
        }
    }

    public func get(id: UUID) throws -> WorkOrderType {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.columns) FROM work_order_types WHERE tenant_id = \(tenantID) AND id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("work-order type") }
        return try Self.decode(row)
    }

    public func list(limit: Int, after: PageCursor?) throws -> [WorkOrderType] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM work_order_types
            WHERE tenant_id = \(tenantID)
              AND (\(after?.createdAt)::timestamptz IS NULL OR (created_at, id) < (\(after?.createdAt)::timestamptz, \(after?.id)::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT \(limit)
            """).rows.map(Self.decode)
    }

    public func update(id: UUID, expectedVersion: Int, _ input: WorkOrderTypeInput) throws -> WorkOrderType {
        let rows = try Self.mappingDuplicateCode {
            try transaction.query("""
                UPDATE work_order_types SET
                    code = coalesce(\(input.code), code),
                    name = coalesce(\(input.name?.trimmingCharacters(in: .whitespacesAndNewlines)), name),
                    template = coalesce(\(input.template.map { JSONB($0) })::jsonb, template),
                    checklist = coalesce(\(input.checklist)::text[], checklist),
                    active = coalesce(\(input.active)::boolean, active),
                    updated_at = now(),
                    version = version + 1
                WHERE tenant_id = \(tenantID) AND id = \(id) AND version = \(expectedVersion)
                RETURNING \(unsafeRaw: Self.columns)
                """)
        }
        if let row = rows.first { return try Self.decode(row) }
        throw try RecordVersion.failure(transaction, table: "work_order_types", tenantID: tenantID, id: id, what: "work-order type")
    }

    static func mappingDuplicateCode<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError where error.sqlState == .uniqueViolation && error.constraint == "work_order_types_code" {
            throw StoreError.duplicate(field: "code", message: "is used by another work-order type already")
        }
    }

    static func decode(_ row: Row) throws -> WorkOrderType {
        WorkOrderType(id: try row.decode("id"), code: try row.decode("code"), name: try row.decode("name"),
                      template: try row.decodeJSON("template"), checklist: try row.decode("checklist"), active: try row.decode("active"),
                      createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"), version: try row.decode("version"))
    }
}
