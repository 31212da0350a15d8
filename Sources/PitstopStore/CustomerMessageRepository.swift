import Foundation
import PitstopCore
import Postgres

/// The scope tenant's rules for messages to customers, and the messages each order sent them.
public struct CustomerMessageRepository {
    let transaction: Transaction
    let tenantID: UUID

    public struct StoredPolicy: Sendable, Equatable {
        public var policy: CustomerMessagePolicy
        public var version: Int
        public var updatedAt: Date
    }

    /// The tenant's policy; nil when it never set one (its customers are told nothing).
    public func policy() throws -> StoredPolicy? {
        try transaction.query("""
            SELECT policy, version, updated_at FROM customer_message_policies WHERE tenant_id = \(tenantID)
            """).first.map(Self.decode)
    }

    /// Sets the policy: the first one when `expectedVersion` is nil, else only over that version.
    public func setPolicy(_ new: CustomerMessagePolicy, expectedVersion: Int?, now: Date) throws -> StoredPolicy {
        let rows: QueryResult
        if let expectedVersion {
            rows = try transaction.query("""
                UPDATE customer_message_policies SET policy = \(JSONB(new))::jsonb, version = version + 1, updated_at = \(now)
                WHERE tenant_id = \(tenantID) AND version = \(expectedVersion)
                RETURNING policy, version, updated_at
                """)
        } else {
            rows = try transaction.query("""
                INSERT INTO customer_message_policies (tenant_id, policy, updated_at) VALUES (\(tenantID), \(JSONB(new))::jsonb, \(now))
                ON CONFLICT (tenant_id) DO NOTHING
                RETURNING policy, version, updated_at
                """)
        }
        if let row = rows.first { return try Self.decode(row) }
        let current = try policy()?.version
        throw StoreError.versionMismatch(current: current ?? 0)
    }

    /// A message to the customer about `moment` of `order`, unless one was queued for it before
    /// (the index allows one per order, moment and `subject`, which tells apart moments that may
    /// come more than once: each extra-work proposal). `holdUntil` defers it past quiet hours; a
    /// message due now wakes the workers in the same statement (one round trip: this runs inside
    /// the step the customer hears of).
    public func enqueue(order: UUID, moment: CustomerMoment, subject: UUID?, channelID: UUID, message: NotificationMessage, eventID: UUID,
                        holdUntil: Date, now: Date) throws {
        _ = try transaction.query("""
            WITH queued AS (
                INSERT INTO notification_deliveries (tenant_id, id, event_id, channel_id, topic, message, next_attempt_at, created_at,
                                                     work_order_id, customer_moment, moment_subject)
                VALUES (\(tenantID), \(UUID()), \(eventID), \(channelID), \(EventType.workOrderStatusChanged.rawValue), \(JSONB(message))::jsonb,
                        \(holdUntil), \(now), \(order), \(moment.rawValue), \(subject))
                ON CONFLICT DO NOTHING
                RETURNING next_attempt_at
            )
            SELECT pg_notify(\(NotificationRepository.wakeupChannel), '') FROM queued WHERE next_attempt_at <= \(now)::timestamptz
            """)
    }

    /// The tenant's policy, as `policy()`, and whether the customer was told of `moment` (about
    /// `subject`) on `order` already or a message for it is on its way, in one round trip.
    public func policy(toldOf moment: CustomerMoment, order: UUID, subject: UUID?) throws -> (stored: StoredPolicy, told: Bool)? {
        try transaction.query("""
            SELECT policy, version, updated_at, EXISTS (
                SELECT 1 FROM notification_deliveries
                WHERE tenant_id = \(tenantID) AND work_order_id = \(order) AND customer_moment = \(moment.rawValue)
                  AND moment_subject IS NOT DISTINCT FROM \(subject)::uuid) AS told
            FROM customer_message_policies WHERE tenant_id = \(tenantID)
            """).first.map { (try Self.decode($0), try $0.decode("told")) }
    }

    /// One message to the customer as the order's timeline shows it.
    public struct Sent: Sendable, Equatable {
        public var deliveryID: UUID
        public var moment: CustomerMoment
        /// The order's status when the message was written (older messages: nil).
        public var orderStatus: WorkOrderStatus?
        public var channelID: UUID
        /// What it says, without its link.
        public var summary: String
        public var state: String
        public var attempts: Int
        public var createdAt: Date
        public var nextAttemptAt: Date
        public var deliveredAt: Date?
        public var lastError: String?
    }

    public func sent(order: UUID) throws -> [Sent] {
        try transaction.query("""
            SELECT id, customer_moment, channel_id, message->'customer' AS notice, state, attempts, created_at, next_attempt_at, delivered_at, last_error
            FROM notification_deliveries
            WHERE tenant_id = \(tenantID) AND work_order_id = \(order) AND customer_moment IS NOT NULL
            ORDER BY created_at, id
            """).rows.map { row in
            let notice: CustomerNotice = try row.decodeJSON("notice")
            return Sent(deliveryID: try row.decode("id"), moment: notice.moment, orderStatus: notice.orderStatus,
                 channelID: try row.decode("channel_id"), summary: notice.summary, state: try row.decode("state"),
                 attempts: try row.decode("attempts"), createdAt: try row.decode("created_at"), nextAttemptAt: try row.decode("next_attempt_at"),
                 deliveredAt: try row.decode("delivered_at"), lastError: try row.decode("last_error"))
        }
    }

    static func decode(_ row: Row) throws -> StoredPolicy {
        StoredPolicy(policy: try row.decodeJSON("policy"), version: try row.decode("version"), updatedAt: try row.decode("updated_at"))
    }
}
