import Foundation
import PitstopStore
import PitstopTesting
import Postgres
import Testing

/// Erasure's scan of the outbox goes a batch at a time (a chain's years of events would outrun
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
}
