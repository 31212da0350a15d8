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
    ///
    /// Orders and compares the numeric `xid8` alone: an output column `xid::text AS xid` would be
    /// what `ORDER BY xid` sorts by, so "999" came after "1000" while the cursor compared numbers,
    /// and pages skipped and repeated events once a tenant's transaction ids gained a digit.
    public func feed(after cursor: FeedCursor?, types: [String], limit: Int) throws -> [Event] {
        let from = cursor ?? FeedCursor(transaction: 0, position: 0)
        return try transaction.query("""
            SELECT o.id, o.topic, o.created_at, o.payload - 'event' AS data, o.xid AS transaction_id, o.seq
            FROM outbox o
            WHERE o.tenant_id = \(tenantID)
              AND (o.tenant_id, o.xid, o.seq) > (\(tenantID), \(String(from.transaction))::xid8, \(from.position))
              AND o.xid < pg_snapshot_xmin(pg_current_snapshot())
              AND (\(types.isEmpty) OR o.topic = ANY (\(types)::text[]))
            ORDER BY o.tenant_id, o.xid, o.seq
            LIMIT \(limit)
            """).rows.map { row in
                Event(id: try row.decode("id"), type: try row.decode("topic"), occurredAt: try row.decode("created_at"),
                      data: try row.decodeJSON("data") { try JSONValue(parsing: $0) },
                      cursor: FeedCursor(transaction: try row.decode("transaction_id"), position: try row.decode("seq")))
            }
    }
}

extension EventRepository {
    /// The work orders that changed after `cursor`, in the feed's order (an order once, where it
    /// first appears), from at most `limit` events; with the cursor of the last event read, nil
    /// when there was none. Read under the same horizon as the feed, so nothing is skipped.
    public func changedOrders(after cursor: FeedCursor, limit: Int) throws -> (ids: [UUID], last: FeedCursor?, events: Int) {
        let rows = try transaction.query("""
            SELECT o.aggregate_id, o.xid AS transaction_id, o.seq
            FROM outbox o
            WHERE o.tenant_id = \(tenantID)
              AND (o.tenant_id, o.xid, o.seq) > (\(tenantID), \(String(cursor.transaction))::xid8, \(cursor.position))
              AND o.xid < pg_snapshot_xmin(pg_current_snapshot())
              AND o.topic LIKE 'work\\_order.%'
            ORDER BY o.tenant_id, o.xid, o.seq
            LIMIT \(limit)
            """).rows
        var seen = Set<UUID>()
        var ids: [UUID] = []
        for row in rows {
            let id: UUID = try row.decode("aggregate_id")
            if seen.insert(id).inserted { ids.append(id) }
        }
        let last = try rows.last.map { FeedCursor(transaction: try $0.decode("transaction_id"), position: try $0.decode("seq")) }
        return (ids, last, rows.count)
    }

    /// Where a reader who has taken in everything committed by now resumes: after every event of
    /// the transactions older than the oldest one still running (all the feed may show). Not the
    /// last event shown: while a long transaction anywhere in the cluster holds the horizon back,
    /// a tenant's own recent events are not shown yet, and a reader resuming after an older one
    /// would only be sent them again. Never nil, so a tenant without events has a cursor too.
    public func horizon() throws -> FeedCursor {
        let xmin: Int64 = try transaction.query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")[0].decode(0)
        return FeedCursor(transaction: UInt64(max(0, xmin - 1)), position: Int64.max)
    }

    /// A delivery's message for outbox event `e` sent to a subscription: the event as the feed
    /// shows it (a webhook's body), its type as the title in the delivery log.
    static let webhookMessage = """
        jsonb_build_object('title', e.topic, 'markdown', e.topic, 'plain', e.topic, 'mobiles', '[]'::jsonb, 'templateParams', '{}'::jsonb,
                           'event', jsonb_build_object('id', e.id, 'type', e.topic,
                                                       'timestamp', to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                                                       'data', e.payload - 'event'))
        """

    /// Hands up to `limit` events not yet relayed to every active webhook subscription of their
    /// type, as deliveries, and marks them relayed — in one statement, so an event is relayed once
    /// even with many workers (`SKIP LOCKED`) and never half. Returns how many events were relayed
    /// and how many deliveries that made.
    public func relay(now: Date, limit: Int) throws -> (events: Int, deliveries: Int) {
        let row = try transaction.query("""
            WITH e AS (
                SELECT tenant_id, id, topic, payload, created_at FROM outbox
                WHERE tenant_id = \(tenantID) AND delivered_at IS NULL AND available_at <= \(now)::timestamptz
                ORDER BY available_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            ), relayed AS (
                UPDATE outbox o SET delivered_at = \(now)::timestamptz FROM e
                WHERE o.tenant_id = e.tenant_id AND o.id = e.id RETURNING o.id
            ), queued AS (
                INSERT INTO notification_deliveries (tenant_id, id, event_id, channel_id, topic, message, next_attempt_at, created_at)
                SELECT e.tenant_id, gen_random_uuid(), e.id, c.id, e.topic,
                       \(unsafeRaw: Self.webhookMessage), \(now)::timestamptz, \(now)::timestamptz
                FROM e JOIN notification_channels c
                  ON c.tenant_id = e.tenant_id AND c.event_types IS NOT NULL AND c.active AND c.event_types && ARRAY[e.topic, '*']
                ON CONFLICT (tenant_id, event_id, channel_id) DO NOTHING
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM relayed)::int AS events, (SELECT count(*) FROM queued)::int AS deliveries
            """)[0]
        return (try row.decode("events"), try row.decode("deliveries"))
    }
}

extension EventRepository {
    /// Most events one replay may send again; a wider range is refused so that one request
    /// cannot queue millions of deliveries.
    public static let replayLimit = 10_000

    public enum ReplayError: Error, Equatable {
        case tooMany(Int)
    }

    /// Queues subscription `channel`'s events again — one event, or those that happened in
    /// [from, to) — whether or not they were delivered before, keeping each event's id. Events of
    /// types the subscription does not take are left out. Returns how many were queued.
    public func replay(to channel: NotificationChannel, eventID: UUID?, from: Date?, to: Date?, now: Date) throws -> Int {
        let types = channel.eventTypes ?? []
        let matching = """
            SELECT tenant_id, id, topic, payload, created_at FROM outbox
            WHERE tenant_id = \(tenantID) AND (\(eventID)::uuid IS NULL OR id = \(eventID)::uuid)
              AND (\(from)::timestamptz IS NULL OR created_at >= \(from)::timestamptz)
              AND (\(to)::timestamptz IS NULL OR created_at < \(to)::timestamptz)
              AND (topic = ANY (\(types)::text[]) OR '*' = ANY (\(types)::text[]))
            """ as SQL
        let count: Int = try transaction.query("SELECT count(*)::int AS n FROM (\(matching) LIMIT \(Self.replayLimit + 1)) AS e")[0].decode("n")
        guard count <= Self.replayLimit else { throw ReplayError.tooMany(Self.replayLimit) }
        return try transaction.execute("""
            INSERT INTO notification_deliveries (tenant_id, id, event_id, channel_id, topic, message, next_attempt_at, created_at)
            SELECT e.tenant_id, gen_random_uuid(), e.id, \(channel.id), e.topic, \(unsafeRaw: Self.webhookMessage), \(now)::timestamptz, \(now)::timestamptz
            FROM (\(matching)) AS e
            ON CONFLICT (tenant_id, event_id, channel_id) DO UPDATE SET state = 'pending', next_attempt_at = excluded.next_attempt_at
            """)
    }
}
