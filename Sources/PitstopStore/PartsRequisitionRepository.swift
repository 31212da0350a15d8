import Foundation
import PitstopCore
import Postgres

/// The scope tenant's parts requisitions. (`PartsRequisitions` in the use-case layer puts each
/// request and decision on its order's timeline.)
public struct PartsRequisitionRepository {
    let transaction: Transaction
    let tenantID: UUID

    static let columns = "id, work_order_id, engineer_id, state, lines, note, requested_at, decided_at, decided_by, decision_note"

    public func request(workOrder: UUID, engineer: UUID, lines: [PartsRequisition.Line], note: String?,
                        now: Date = Date()) throws -> PartsRequisition {
        let requisition = try Self.decode(transaction.query("""
            INSERT INTO parts_requisitions (tenant_id, id, work_order_id, engineer_id, lines, note, requested_at)
            VALUES (\(tenantID), \(UUID()), \(workOrder), \(engineer), \(JSONB(lines))::jsonb, \(note), \(now))
            RETURNING \(unsafeRaw: Self.columns)
            """)[0])
        return requisition
    }

    public func get(id: UUID) throws -> PartsRequisition {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.columns) FROM parts_requisitions WHERE tenant_id = \(tenantID) AND id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("parts requisition") }
        return try Self.decode(row)
    }

    /// The order's requisitions, oldest first.
    public func list(workOrder: UUID) throws -> [PartsRequisition] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM parts_requisitions
            WHERE tenant_id = \(tenantID) AND work_order_id = \(workOrder) ORDER BY requested_at, id
            """).rows.map(Self.decode)
    }

    /// Requisitions waiting for a decision, oldest first: the store keeper's inbox.
    public func waiting(limit: Int) throws -> [PartsRequisition] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM parts_requisitions
            WHERE tenant_id = \(tenantID) AND state = 'requested' ORDER BY requested_at, id LIMIT \(limit)
            """).rows.map(Self.decode)
    }

    /// Approves or rejects a waiting requisition; a decided one is a conflict.
    public func decide(id: UUID, approve: Bool, note: String?, actor: UUID?, now: Date = Date()) throws -> PartsRequisition {
        let rows = try transaction.query("""
            UPDATE parts_requisitions SET state = \(approve ? "approved" : "rejected"), decided_at = \(now), decided_by = \(actor),
                                          decision_note = \(note)
            WHERE tenant_id = \(tenantID) AND id = \(id) AND state = 'requested'
            RETURNING \(unsafeRaw: Self.columns)
            """)
        guard let row = rows.first else {
            let current = try get(id: id)
            throw StoreError.conflict("the requisition was already \(current.state.rawValue)")
        }
        return try Self.decode(row)
    }

    public static func summary(_ lines: [PartsRequisition.Line]) -> String {
        String(lines.map { "\($0.partNumber) × \($0.quantity.formatted(.number))" }.joined(separator: ", ").prefix(1500))
    }

    static func decode(_ row: Row) throws -> PartsRequisition {
        let stateText: String = try row.decode("state")
        guard let state = PartsRequisition.State(rawValue: stateText) else {
            throw PostgresError(kind: .decoding, message: "parts_requisitions.state holds unknown state \(stateText)")
        }
        return PartsRequisition(id: try row.decode("id"), workOrderID: try row.decode("work_order_id"), engineerID: try row.decode("engineer_id"),
                                state: state, lines: try row.decodeJSON("lines"), note: try row.decode("note"),
                                requestedAt: try row.decode("requested_at"), decidedAt: try row.decode("decided_at"),
                                decidedBy: try row.decode("decided_by"), decisionNote: try row.decode("decision_note"))
    }
}
