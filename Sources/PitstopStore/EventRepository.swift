import Foundation
import PitstopCore
import Postgres

/// The tenant's events as integrations read them: every event the outbox holds, in one order
/// that never changes and never gains an event behind a reader's cursor.
///
/// Positions are handed out when events are written, but transactions commit in another order,
/// so reading by position alone could pass an event whose transaction commits a moment later.
/// The feed therefore orders by (writing transaction id, position) and shows only events of
/// transactions older than every transaction still running (`pg_snapshot_xmin`): those are all
/// final, and anything written later has a higher transaction id. A long-running transaction
/// anywhere in the cluster holds the feed back for as long as it runs; it never makes it skip.
public struct EventRepository {
    let transaction: Transaction
    let tenantID: UUID

    public struct Event: Sendable {
        public var id: UUID
        public var type: String
        public var occurredAt: Date
        public var data: JSONValue
        public var cursor: FeedCursor
    }

    /// Up to `limit` events after `cursor` (from the first without one), of `types` only when
    /// that is not empty.
    public func feed(after cursor: FeedCursor?, types: [String], limit: Int) throws -> [Event] {
        let from = cursor ?? FeedCursor(transaction: 0, position: 0)
        return try transaction.query("""
            SELECT id, topic, created_at, payload - 'event' AS data, xid::text AS xid, seq
            FROM outbox
            WHERE tenant_id = \(tenantID)
              AND (tenant_id, xid, seq) > (\(tenantID), \(String(from.transaction))::xid8, \(from.position))
              AND xid < pg_snapshot_xmin(pg_current_snapshot())
              AND (\(types.isEmpty) OR topic = ANY (\(types)::text[]))
            ORDER BY tenant_id, xid, seq
            LIMIT \(limit)
            """).rows.map { row in
                let xid: String = try row.decode("xid")
                return Event(id: try row.decode("id"), type: try row.decode("topic"), occurredAt: try row.decode("created_at"),
                             data: try row.decodeJSON("data") { try JSONValue(parsing: $0) },
                             cursor: FeedCursor(transaction: UInt64(xid) ?? 0, position: try row.decode("seq")))
            }
    }
}
