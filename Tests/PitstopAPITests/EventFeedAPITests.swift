import Foundation
import PitstopCore
import PitstopTesting
import Postgres
import Testing

/// The changes feed as an integration polls it.
@Suite struct EventFeedAPITests {
    let dispatch = DispatchAPITests()

    /// Reads the feed from `after` page by page until it runs dry; returns the events and the
    /// cursor to poll with next.
    func drain(_ api: TestAPI, _ key: String, after: String? = nil, limit: Int = 2,
               query: String = "") throws -> (events: [[String: Any]], cursor: String?) {
        var events: [[String: Any]] = []
        var cursor = after
        while true {
            let page = try api.get("/v1/events?limit=\(limit)\(query)\(cursor.map { "&after=\($0)" } ?? "")", key: key)
            #expect(page.status == 200, "\(page.text)")
            let items = page.json["items"] as? [[String: Any]] ?? []
            let next = page.json["next_cursor"] as? String
            if items.isEmpty {
                #expect(next == cursor)
                return (events, cursor)
            }
            events += items
            cursor = next
        }
    }

    /// Polls until the feed has delivered `count` events past `after` (events appear once the
    /// transactions begun before theirs have ended, and other tests run transactions too).
    func poll(_ api: TestAPI, _ key: String, after: String?, count: Int, limit: Int = 2, query: String = "",
              within seconds: TimeInterval = 30) throws -> (events: [[String: Any]], cursor: String?) {
        var seen: [[String: Any]] = []
        var cursor = after
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            let more = try drain(api, key, after: cursor, limit: limit, query: query)
            seen += more.events
            cursor = more.cursor
            if seen.count >= count { break }
            Thread.sleep(forTimeInterval: 0.05)
        } while Date() < deadline
        return (seen, cursor)
    }

    @Test func anIntegrationReadsEveryEventOnceInOrderAndPicksUpWhereItStopped() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let orders = try (0..<5).map { _ in try dispatch.order(api, f) }
        let first = try poll(api, f.adminKey, after: nil, count: 5)
        #expect(first.events.compactMap { $0["type"] as? String } == Array(repeating: "work_order.created", count: 5))
        #expect(first.events.compactMap { ($0["data"] as? [String: Any])?["work_order_id"] as? String } == orders)
        #expect(Set(first.events.compactMap { $0["id"] as? String }).count == 5)
        #expect(first.events.allSatisfy { $0["timestamp"] is String })

        // Later changes come after the cursor, and only they.
        try SLAAPITests().move(api, f, orders[2], "assigned", extra: #","assignee_id":"\#(f.engineers["陈师傅"]!)""#)
        let later = try poll(api, f.adminKey, after: first.cursor, count: 1)
        #expect(later.events.count == 1)
        let change = try #require(later.events.first)
        #expect(change["type"] as? String == "work_order.status_changed")
        #expect((change["data"] as? [String: Any])?["to"] as? String == "assigned")
        #expect(try drain(api, f.adminKey, after: later.cursor).events.isEmpty)

        // Filtered by type; every type written is in the catalogue.
        let created = try drain(api, f.adminKey, query: "&type=work_order.created,work_order.sla_breached")
        #expect(created.events.count == 5)
        let all = try drain(api, f.adminKey, limit: 1000).events.compactMap { $0["type"] as? String }
        #expect(all.allSatisfy { EventType(rawValue: $0) != nil })

        // Another tenant's feed has none of them.
        let other = try api.makeTenant()
        #expect(try drain(api, other.adminKey).events.isEmpty)
    }

    @Test func anEventOfATransactionStillOpenHoldsBackLaterOnesInsteadOfBeingSkipped() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let start = try poll(api, f.adminKey, after: nil, count: 0).cursor
        let tenant = try #require(try api.get("/v1/tenant", key: f.adminKey).json["id"] as? String).flatMap(UUID.init(uuidString:))
        let first = try dispatch.order(api, f)

        // A slow transaction writes an event and has not committed yet.
        let slow = try Connection(TestDatabase.shared.ownerConfiguration)
        try slow.query("BEGIN")
        let held = UUID()
        try slow.query("""
            INSERT INTO outbox (tenant_id, id, topic, aggregate_id, payload)
            VALUES (\(tenant), \(held), 'work_order.updated', \(UUID(uuidString: first)!), '{"event":"work_order.updated"}')
            """)
        // Meanwhile another order is created and committed: it must wait behind the open one.
        let second = try dispatch.order(api, f)
        Thread.sleep(forTimeInterval: 0.3)
        let meanwhile = try drain(api, f.adminKey, after: start)
        #expect(!meanwhile.events.contains { ($0["data"] as? [String: Any])?["work_order_id"] as? String == second })
        try slow.query("COMMIT")

        let rest = try poll(api, f.adminKey, after: meanwhile.cursor, count: 3 - meanwhile.events.count)
        let ids = (meanwhile.events + rest.events).compactMap { $0["id"] as? String }
        #expect(ids.contains(held.lowercasedText))
        let orderOfEvents = (meanwhile.events + rest.events).map { event -> String in
            (event["id"] as? String) == held.lowercasedText ? "held" : ((event["data"] as? [String: Any])?["work_order_id"] as? String) == second ? "second" : "first"
        }
        let seen = (meanwhile.events + rest.events).map { "\($0["type"] ?? "")/\($0["id"] ?? "")" }.joined(separator: ", ")
        #expect(orderOfEvents == ["first", "held", "second"], "\(meanwhile.events.count) seen before the commit; in all: \(seen)")
    }

    /// The feed's order is the numeric transaction id. 10,000 events written by 100 transactions,
    /// half with ids below a power of ten and half above it (ids burnt in between), come out at
    /// every page size exactly as the outbox holds them: each once, in order. Ordering by the id
    /// as text put "1000000" before "999999" and lost thousands of events.
    @Test func tenThousandEventsAcrossATransactionIDDigitBoundaryComeOutOnceInOrderAtEveryPageSize() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let tenantID = try #require(UUID(uuidString: tenant.id))
        let owner = try Connection(TestDatabase.shared.ownerConfiguration)
        func writeEvents(transactions: Int) throws {
            for _ in 0..<transactions {
                try owner.query("""
                    INSERT INTO outbox (tenant_id, id, topic, aggregate_id, payload)
                    SELECT \(tenantID), gen_random_uuid(), 'work_order.report_saved', gen_random_uuid(), '{"n":1}'
                    FROM generate_series(1, 100)
                    """)
            }
        }
        // The next power of ten with room below it for the first half, while tests running
        // beside this one take ids too.
        func currentID() throws -> UInt64 { try owner.query("SELECT pg_current_xact_id() AS x")[0].decode("x") }
        var boundary: UInt64 = 10
        while boundary < (try currentID()) + 20_000 { boundary *= 10 }
        try writeEvents(transactions: 50)
        let burn = Int64(boundary) - Int64(try currentID())
        if burn > 0 {
            // Each COMMIT in a DO block ends a transaction that took an id of its own (about
            // 300,000 a second; a fresh test cluster is well below a million).
            _ = try owner.simple("SET synchronous_commit = off")
            _ = try owner.simple("DO $$ BEGIN FOR i IN 1..\(burn) LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$")
        }
        try writeEvents(transactions: 50)

        let outbox: [String] = try owner.query("""
            SELECT id::text AS id FROM outbox WHERE tenant_id = \(tenantID) ORDER BY xid, seq
            """).rows.map { try $0.decode("id") }
        let spread = try owner.query("""
            SELECT min(xid::text::numeric) AS low, max(xid::text::numeric) AS high FROM outbox WHERE tenant_id = \(tenantID)
            """)[0]
        let low: Double = try spread.decode("low"), high: Double = try spread.decode("high")
        #expect(outbox.count == 10_000)
        #expect(low < Double(boundary) && high >= Double(boundary), "the events' transaction ids \(low)…\(high) do not straddle \(boundary)")

        var end: String?
        for limit in [1, 7, 100, 1_000] {
            let read = try poll(api, tenant.adminKey, after: nil, count: outbox.count, limit: limit, within: 60)
            let ids = read.events.compactMap { $0["id"] as? String }
            #expect(ids.count == outbox.count, "limit \(limit): \(ids.count) events read, \(Set(ids).count) of them distinct")
            let firstDifference = zip(ids, outbox).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(firstDifference == nil, "limit \(limit): the feed's order leaves the outbox's at event \(firstDifference ?? 0)")
            // Past the last page nothing comes, and the cursor stays.
            let after = try drain(api, tenant.adminKey, after: read.cursor, limit: limit)
            #expect(after.events.isEmpty && after.cursor == read.cursor, "limit \(limit)")
            end = read.cursor
        }
        // Until a new event commits: then that one alone.
        let latest = UUID()
        try owner.query("""
            INSERT INTO outbox (tenant_id, id, topic, aggregate_id, payload)
            VALUES (\(tenantID), \(latest), 'work_order.report_saved', gen_random_uuid(), '{}')
            """)
        let new = try poll(api, tenant.adminKey, after: end, count: 1)
        #expect(new.events.compactMap { $0["id"] as? String } == [latest.lowercasedText])
    }

    @Test func badCursorsLimitsAndTypesAreNamed() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        #expect(try api.get("/v1/events?after=nonsense!", key: tenant.adminKey).problemFields == ["after"])
        #expect(try api.get("/v1/events?limit=0", key: tenant.adminKey).problemFields == ["limit"])
        let unknown = try api.get("/v1/events?type=work_order.created,order.exploded", key: tenant.adminKey)
        #expect(unknown.status == 400 && unknown.problemFields == ["type"] && unknown.text.contains("order.exploded"))
        #expect(try api.get("/v1/events", key: nil).status == 401)
    }
}
