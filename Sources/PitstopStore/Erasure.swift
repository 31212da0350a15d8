import Foundation
import PitstopCore
import Postgres

// What each repository removes of one customer when they ask to be forgotten (PIPL). The use
// case (`CustomerRecords.erase`) collects what the customer's records said, then has each
// repository scrub its own tables:
// - identifiers (phones, openid, names, plates …) are replaced with *** wherever they appear in
//   the tenant's logs and stored events, since a message to an engineer names the customer;
// - free text the customer wrote (descriptions, messages, comments) only in what is about their
//   own orders: a short phrase of theirs ("刹车异响") may well be another customer's too.
// Each passes a secret also as JSON escapes it, for the jsonb columns scrubbed as text.

/// The strings to scrub: `identifiers` tenant-wide, `texts` only in rows about `subjects` (the
/// customer's id and their orders').
public struct ErasureSecrets: Sendable, Equatable {
    public var identifiers: [String]
    public var texts: [String]
    public var subjects: [UUID]

    public init(identifiers: [String], texts: [String], subjects: [UUID]) {
        self.identifiers = Self.withJSONForms(identifiers)
        self.texts = Self.withJSONForms(texts)
        self.subjects = subjects
    }

    /// Each string and, where it differs, its form inside a JSON string; longest first, so a
    /// phone is not half-replaced by a shorter secret inside it.
    static func withJSONForms(_ strings: [String]) -> [String] {
        var all: [String] = []
        for string in strings where !string.isEmpty {
            let escaped = string.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\t", with: "\\t")
            for form in [string, escaped] where !all.contains(form) { all.append(form) }
        }
        return all.sorted { $0.count > $1.count }
    }

    var subjectTexts: [String] { subjects.map(\.lowercasedText) }
}

extension CustomerRepository {
    /// The customer as they were, then emptied: a placeholder name, no phones, WeChat ids,
    /// e-mail, tags or CRM id, no opt-outs left to keep (nothing will reach them), `erased_at` set.
    public func erase(id: UUID) throws -> Customer {
        let before = try get(id: id)
        try transaction.execute("""
            UPDATE customers SET name = '（已删除）', phones = '{}', wechat_openid = NULL, wechat_unionid = NULL, email = NULL, tags = '{}',
                                 external_id = NULL, sms_opted_out_at = NULL, wechat_opted_out_at = NULL,
                                 erased_at = coalesce(erased_at, now()), updated_at = now(), version = version + 1
            WHERE tenant_id = \(tenantID) AND id = \(id)
            """)
        return before
    }
}

extension VehicleRepository {
    /// Forgets what identifies the customer's vehicles (plate, VIN, CRM id); the vehicles stay, as
    /// their orders' records. Returns the plates and VINs they had.
    public func forgetOwner(_ customerID: UUID) throws -> [String] {
        try transaction.query("""
            WITH before AS (
                SELECT id, plate, vin FROM vehicles WHERE tenant_id = \(tenantID) AND customer_id = \(customerID) FOR UPDATE
            ), forgotten AS (
                UPDATE vehicles v SET plate = NULL, vin = NULL, external_id = NULL, erased_at = coalesce(v.erased_at, now()),
                                     updated_at = now(), version = v.version + 1
                FROM before WHERE v.tenant_id = \(tenantID) AND v.id = before.id
            )
            SELECT plate, vin FROM before
            """).rows.flatMap { row in [try row.decode("plate", as: String?.self), try row.decode("vin", as: String?.self)].compactMap { $0 } }
    }
}

extension WorkOrderRepository {
    /// The customer's orders, and the free text they hold that is the customer's: descriptions,
    /// symptoms, addresses, and what the customer wrote on the timeline.
    public func customerTexts(_ customerID: UUID) throws -> (orders: [UUID], texts: [String]) {
        let orders = try transaction.query("""
            SELECT id, description, symptoms, site_address FROM work_orders WHERE tenant_id = \(tenantID) AND customer_id = \(customerID)
            """).rows
        let ids: [UUID] = try orders.map { try $0.decode("id") }
        var texts: [String] = []
        for row in orders {
            texts.append(try row.decode("description"))
            texts += try row.decode("symptoms", as: [String].self)
            if let address = try row.decode("site_address", as: String?.self) { texts.append(address) }
        }
        texts += try transaction.query("""
            SELECT note FROM work_order_events
            WHERE tenant_id = \(tenantID) AND work_order_id = ANY (\(ids)::uuid[]) AND kind IN ('customer_message', 'linked_report') AND note IS NOT NULL
            """).rows.map { try $0.decode("note") }
        return (ids, texts)
    }

    /// Empties the customer's words from their orders and scrubs every note on their timelines;
    /// statuses, times and counts stay.
    public func forgetCustomer(_ customerID: UUID, _ secrets: ErasureSecrets) throws {
        try transaction.execute("""
            UPDATE work_orders SET description = '（已删除）', symptoms = '{}', site_address = NULL, custom_fields = '{}',
                                   cancel_reason = scrubbed(cancel_reason, \(secrets.identifiers + secrets.texts)::text[])
            WHERE tenant_id = \(tenantID) AND customer_id = \(customerID)
            """)
        try transaction.execute("""
            UPDATE work_order_events
            SET note = CASE WHEN kind IN ('customer_message', 'linked_report') THEN NULL
                            ELSE scrubbed(note, \(secrets.identifiers + secrets.texts)::text[]) END
            WHERE tenant_id = \(tenantID) AND work_order_id = ANY (\(secrets.subjects)::uuid[]) AND note IS NOT NULL
            """)
    }
}

extension AcceptanceRepository {
    /// Signers' names and rating comments on `orders`, which erasure then removes.
    public func customerTexts(orders: [UUID]) throws -> [String] {
        try transaction.query("""
            SELECT signer_name AS text FROM work_order_acceptances WHERE tenant_id = \(tenantID) AND work_order_id = ANY (\(orders)::uuid[])
            UNION ALL
            SELECT comment FROM work_order_ratings WHERE tenant_id = \(tenantID) AND work_order_id = ANY (\(orders)::uuid[]) AND comment IS NOT NULL
            """).rows.map { try $0.decode("text") }
    }

    /// The acceptance keeps its report hash and signature image (the proof of the work's
    /// acceptance) but not the signer's name; a rating keeps its score, not its comment; extra
    /// work keeps its lines, prices and hash (what the customer approved), not the note written
    /// to them, which may name them.
    public func forget(orders: [UUID]) throws {
        try transaction.execute("""
            UPDATE work_order_extra_work SET note = '（已删除）'
            WHERE tenant_id = \(tenantID) AND work_order_id = ANY (\(orders)::uuid[]) AND note <> ''
            """)
        try transaction.execute("""
            UPDATE work_order_acceptances SET signer_name = '（已删除）' WHERE tenant_id = \(tenantID) AND work_order_id = ANY (\(orders)::uuid[])
            """)
        try transaction.execute("""
            UPDATE work_order_ratings SET comment = NULL WHERE tenant_id = \(tenantID) AND work_order_id = ANY (\(orders)::uuid[])
            """)
    }
}

extension WeChatRepository {
    /// Drops every message row of the follower `openID`.
    public func forget(openID: String) throws {
        try transaction.execute("DELETE FROM wechat_messages WHERE tenant_id = \(tenantID) AND from_openid = \(openID)")
    }
}

extension EventRepository {
    /// Scrubs stored events: identifiers in any, the customer's texts in those about them.
    ///
    /// The outbox is the feed and is kept: a chain's years of events are millions of rows, each
    /// read as text (about 6.5 s a million here), and one statement over them all would outrun
    /// the statement timeout. So the scan goes `batch` events at a time in the feed's order
    /// (its index), each a statement of its own, all in the erasure's one transaction.
    public func scrub(_ secrets: ErasureSecrets, batch: Int = 100_000) throws {
        var after = FeedCursor(transaction: 0, position: 0)
        while true {
            let last = try transaction.query("""
                WITH batch AS (
                    SELECT id, xid, seq FROM outbox
                    WHERE tenant_id = \(tenantID) AND (tenant_id, xid, seq) > (\(tenantID), \(String(after.transaction))::xid8, \(after.position))
                    ORDER BY tenant_id, xid, seq
                    LIMIT \(batch)
                ), scrubbed AS (
                    UPDATE outbox o
                    SET payload = scrubbed(scrubbed(o.payload::text, \(secrets.identifiers)::text[]),
                                           CASE WHEN o.aggregate_id = ANY (\(secrets.subjects)::uuid[]) THEN \(secrets.texts)::text[]
                                                ELSE '{}'::text[] END)::jsonb
                    FROM batch
                    WHERE o.tenant_id = \(tenantID) AND o.id = batch.id
                      AND (mentions(o.payload::text, \(secrets.identifiers)::text[])
                           OR (o.aggregate_id = ANY (\(secrets.subjects)::uuid[]) AND mentions(o.payload::text, \(secrets.texts)::text[])))
                )
                SELECT batch.xid AS last_transaction, batch.seq AS last_position FROM batch ORDER BY batch.xid DESC, batch.seq DESC LIMIT 1
                """).rows.first
            guard let last else { return }
            after = FeedCursor(transaction: try last.decode("last_transaction"), position: try last.decode("last_position"))
        }
    }
}

extension NotificationRepository {
    /// Scrubs queued and sent messages and their attempts' errors: identifiers in any, the
    /// customer's texts in those about their orders. A tenant may keep settled messages for up to
    /// ten years (`notification_retention_days`), so, as with the outbox, `batch` deliveries at a
    /// time, newest first by their index, each batch's attempts with it.
    public func scrub(_ secrets: ErasureSecrets, batch: Int = 100_000) throws {
        // The cursor's time as PostgreSQL writes it, so it comes back to the microsecond.
        var after: (createdAt: String, id: UUID)?
        while true {
            let last = try transaction.query("""
                WITH batch AS (
                    SELECT id, created_at FROM notification_deliveries
                    WHERE tenant_id = \(tenantID)
                      AND (\(after?.createdAt)::timestamptz IS NULL OR (created_at, id) < (\(after?.createdAt)::timestamptz, \(after?.id)::uuid))
                    ORDER BY created_at DESC, id DESC
                    LIMIT \(batch)
                ), messages AS (
                    UPDATE notification_deliveries d
                    SET message = scrubbed(scrubbed(d.message::text, \(secrets.identifiers)::text[]),
                                           CASE WHEN (d.work_order_id = ANY (\(secrets.subjects)::uuid[])
                                                      OR d.message->'event'->>'work_order_id' = ANY (\(secrets.subjectTexts)::text[]))
                                                THEN \(secrets.texts)::text[] ELSE '{}'::text[] END)::jsonb,
                        last_error = scrubbed(d.last_error, \(secrets.identifiers)::text[])
                    FROM batch
                    WHERE d.tenant_id = \(tenantID) AND d.id = batch.id
                      AND (mentions(d.message::text, \(secrets.identifiers)::text[]) OR mentions(d.last_error, \(secrets.identifiers)::text[])
                           OR ((d.work_order_id = ANY (\(secrets.subjects)::uuid[])
                                OR d.message->'event'->>'work_order_id' = ANY (\(secrets.subjectTexts)::text[]))
                               AND mentions(d.message::text, \(secrets.texts)::text[])))
                ), attempts AS (
                    UPDATE notification_attempts a SET error = scrubbed(a.error, \(secrets.identifiers)::text[])
                    FROM batch
                    WHERE a.tenant_id = \(tenantID) AND a.delivery_id = batch.id AND mentions(a.error, \(secrets.identifiers)::text[])
                )
                SELECT batch.created_at::text AS last_created_at, batch.id AS last_id FROM batch
                ORDER BY batch.created_at, batch.id LIMIT 1
                """).rows.first
            guard let last else { return }
            after = (try last.decode("last_created_at"), try last.decode("last_id"))
        }
    }
}

extension IdempotencyRepository {
    /// Forgets stored answers that carry the customer: a replay of their request after the
    /// erasure must not hand their data back.
    public func forget(_ secrets: ErasureSecrets) throws {
        try transaction.execute("""
            DELETE FROM idempotency_keys
            WHERE tenant_id = \(tenantID) AND (mentions(response_body, \(secrets.identifiers)::text[])
                                               OR mentions(response_body, \(secrets.subjectTexts)::text[]))
            """)
    }
}
