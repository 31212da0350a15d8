import Crypto
import Foundation
import PitstopCore
import Postgres

/// The scope tenant's extra-work proposals (增项). (`OrderLifecycle` puts each proposal and
/// answer on the order's timeline, holds the SLA clocks, and tells the customer.)
public struct ExtraWorkRepository {
    let transaction: Transaction
    let tenantID: UUID

    static let columns = "id, work_order_id, lines, note, state, sha256, proposed_by, proposed_at, answered_at"

    /// What the customer is shown, as the hash their answer names covers it: the proposal's id,
    /// its lines with their prices, the note and the total, as sorted-key JSON.
    static func sha256(id: UUID, lines: [ExtraWork.Line], note: String) -> String {
        struct Shown: Encodable {
            var id: String
            var lines: [ExtraWork.Line]
            var note: String
            var totalFen: Int
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let shown = Shown(id: id.lowercasedText, lines: lines, note: note, totalFen: lines.map(\.fen).reduce(0, +))
        // Encoding fails only for non-finite numbers, which the rules refused before.
        return Digest.sha256((try? encoder.encode(shown)) ?? Data()).hex
    }

    /// A new pending proposal; one already waiting on the order is a conflict.
    public func propose(workOrder: UUID, lines: [ExtraWork.Line], note: String, actor: UUID?, now: Date) throws -> ExtraWork {
        let id = UUID()
        let total = lines.map(\.fen).reduce(0, +)
        do {
            return try Self.decode(transaction.query("""
                INSERT INTO work_order_extra_work (tenant_id, id, work_order_id, lines, note, total_fen, sha256, proposed_by, proposed_at)
                VALUES (\(tenantID), \(id), \(workOrder), \(JSONB(lines))::jsonb, \(note), \(total),
                        \(Self.sha256(id: id, lines: lines, note: note)), \(actor), \(now))
                RETURNING \(unsafeRaw: Self.columns)
                """)[0])
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            throw StoreError.conflict("extra work already waits for the customer's answer on this order; withdraw it first")
        }
    }

    public func get(id: UUID) throws -> ExtraWork {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.columns) FROM work_order_extra_work WHERE tenant_id = \(tenantID) AND id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("extra work") }
        return try Self.decode(row)
    }

    /// The order's proposals, oldest first.
    public func list(workOrder: UUID) throws -> [ExtraWork] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM work_order_extra_work
            WHERE tenant_id = \(tenantID) AND work_order_id = \(workOrder) ORDER BY proposed_at, id
            """).rows.map(Self.decode)
    }

    public func pending(workOrder: UUID) throws -> ExtraWork? {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM work_order_extra_work
            WHERE tenant_id = \(tenantID) AND work_order_id = \(workOrder) AND state = 'pending'
            """).rows.first.map(Self.decode)
    }

    /// Settles a pending proposal as `state`; an answered one is a conflict.
    public func settle(id: UUID, as state: ExtraWork.State, now: Date) throws -> ExtraWork {
        let rows = try transaction.query("""
            UPDATE work_order_extra_work SET state = \(state.rawValue), answered_at = \(now)
            WHERE tenant_id = \(tenantID) AND id = \(id) AND state = 'pending'
            RETURNING \(unsafeRaw: Self.columns)
            """)
        guard let row = rows.first else { throw StoreError.conflict("the extra work was already \(try get(id: id).state.rawValue)") }
        return try Self.decode(row)
    }

    static func decode(_ row: Row) throws -> ExtraWork {
        ExtraWork(id: try row.decode("id"), workOrderID: try row.decode("work_order_id"), lines: try row.decodeJSON("lines"),
                  note: try row.decode("note"), state: ExtraWork.State(rawValue: try row.decode("state")) ?? .pending,
                  sha256: try row.decode("sha256"), proposedBy: try row.decode("proposed_by"), proposedAt: try row.decode("proposed_at"),
                  answeredAt: try row.decode("answered_at"))
    }
}
