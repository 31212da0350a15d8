import Foundation
import PitstopStore
import PitstopTesting
import Postgres
import Testing

/// Erasure's scans of the outbox and the messages go a batch at a time (a chain's years of events would outrun
/// the statement timeout in one statement). Here 3,000 events written by 60 transactions, so
/// every batch boundary falls between and inside transactions, are scrubbed 97 at a time: every
/// mention goes, wherever it falls, and nothing else changes.
@Suite struct ErasureScrubTests {
    let test = TestDatabase.shared

    @Test func threeThousandEventsAcrossSixtyTransactionsAreScrubbedInSmallBatchesWithNoneMissed() throws {
        let tenant = try test.makeTenant(name: "Scrub chain")
        let other = try test.makeTenant(name: "Other chain")
        let owner = try Connection(test.ownerConfiguration)
        let phone = "13955501234"
        for (round, id) in (0..<60).map({ ($0, $0 % 10 == 9 ? other : tenant) }) {
            // Every seventh event names the customer's phone; the other chain's name it too and must keep it.
            _ = try owner.query("""
                INSERT INTO outbox (tenant_id, id, topic, aggregate_id, payload)
                SELECT \(id)::uuid, gen_random_uuid(), 'work_order.status_changed', gen_random_uuid(),
                       jsonb_build_object('event', 'work_order.status_changed', 'round', \(round)::int, 'n', g,
                                          'note', CASE WHEN g % 7 = 0 THEN '请回电 ' || \(phone)::text ELSE '已派工' END)
                FROM generate_series(1, 50) AS g
                """)
        }
        func count(_ tenant: UUID, mentioning text: String) throws -> Int {
            try owner.query("SELECT count(*)::int AS n FROM outbox WHERE tenant_id = \(tenant) AND strpos(payload::text, \(text)) > 0")
                .rows[0].decode("n", as: Int.self)
        }
        #expect(try count(tenant, mentioning: phone) == 54 * 7)
        try test.database.withTenant(tenant) { scope in
            try scope.events.scrub(ErasureSecrets(identifiers: [phone], texts: [], subjects: []), batch: 97)
        }
        #expect(try count(tenant, mentioning: phone) == 0, "no mention left behind a batch boundary")
        #expect(try count(tenant, mentioning: "请回电 ***") == 54 * 7)
        #expect(try count(tenant, mentioning: "已派工") == 54 * 43, "the rest untouched")
        #expect(try count(other, mentioning: phone) == 6 * 7, "another chain's events are not its to scrub")
    }

    /// The same for messages: 1,500 deliveries, three to each instant (so batches end between
    /// rows of one timestamp), each with an attempt, scrubbed 97 at a time, newest first.
    @Test func fifteenHundredMessagesSharingTimestampsAreScrubbedInSmallBatchesWithTheirAttempts() throws {
        let tenant = try test.makeTenant(name: "Scrub messages")
        let owner = try Connection(test.ownerConfiguration)
        let phone = "13955504321"
        let channel = UUID()
        _ = try owner.query("""
            INSERT INTO notification_channels (tenant_id, id, name, kind, url) VALUES (\(tenant), \(channel), '短信', 'http_sms', 'https://sms.example.com/send')
            """)
        _ = try owner.query("""
            WITH d AS (
                INSERT INTO notification_deliveries (tenant_id, id, event_id, channel_id, topic, message, state, next_attempt_at, created_at, last_error)
                SELECT \(tenant)::uuid, gen_random_uuid(), gen_random_uuid(), \(channel)::uuid, 'customer.message',
                       jsonb_build_object('title', '进度', 'plain', CASE WHEN g % 5 = 0 THEN '已通知 ' || \(phone)::text ELSE '已派工' END),
                       'delivered', now(), timestamptz '2026-12-01 08:00:00+08' + (g / 3) * interval '1 second',
                       CASE WHEN g % 11 = 0 THEN 'HTTP 400 for ' || \(phone)::text END
                FROM generate_series(1, 1500) AS g
                RETURNING tenant_id, id, last_error
            )
            INSERT INTO notification_attempts (tenant_id, delivery_id, attempt, started_at, latency_ms, error)
            SELECT tenant_id, id, 1, now(), 12, last_error FROM d
            """)
        func mentions() throws -> [Int] {
            let row = try owner.query("""
                SELECT (SELECT count(*)::int FROM notification_deliveries WHERE tenant_id = \(tenant) AND strpos(message::text, \(phone)) > 0) AS messages,
                       (SELECT count(*)::int FROM notification_deliveries WHERE tenant_id = \(tenant) AND strpos(last_error, \(phone)) > 0) AS errors,
                       (SELECT count(*)::int FROM notification_attempts WHERE tenant_id = \(tenant) AND strpos(error, \(phone)) > 0) AS attempts
                """).rows[0]
            return [try row.decode("messages"), try row.decode("errors"), try row.decode("attempts")]
        }
        #expect(try mentions() == [300, 136, 136])
        try test.database.withTenant(tenant) { scope in
            try scope.notifications.scrub(ErasureSecrets(identifiers: [phone], texts: [], subjects: []), batch: 97)
        }
        #expect(try mentions() == [0, 0, 0], "no message, error or attempt left behind a batch boundary")
        let kept = try owner.query("SELECT count(*)::int AS n FROM notification_deliveries WHERE tenant_id = \(tenant) AND message->>'plain' = '已派工'")
        #expect(try kept.rows[0].decode("n", as: Int.self) == 1200)
    }
}
