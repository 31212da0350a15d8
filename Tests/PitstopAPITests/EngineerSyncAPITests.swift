import Foundation
import PitstopCore
import PitstopTesting
import Postgres
import Synchronization
import Testing

/// The engineer's app offline: a resumable sync, and a batch of steps made without a connection.
@Suite struct EngineerSyncAPITests {
    let dispatch = DispatchAPITests()
    let pool = PoolAndTransferAPITests()
    let mobile = MobileAPITests()

    func version(_ api: TestAPI, _ id: String, _ key: String) throws -> Int {
        try api.get("/v1/work-orders/\(id)", key: key).json["version"] as? Int ?? 0
    }

    /// Every page until the sync has caught up; the orders seen (last version wins), the removed
    /// ids, and the cursor to resume from.
    func catchUp(_ api: TestAPI, key: String, since: String?, limit: Int) throws -> (orders: [String: Int], removed: Set<String>, next: String?, pages: Int) {
        var orders: [String: Int] = [:]
        var removed = Set<String>()
        var cursor = since
        var pages = 0
        while true {
            let page = try api.get("/v1/me/sync?limit=\(limit)" + (cursor.map { "&since=\($0)" } ?? ""), key: key)
            #expect(page.status == 200, "\(page.text)")
            pages += 1
            for order in page.json["orders"] as? [[String: Any]] ?? [] {
                let id = order["id"] as? String ?? ""
                orders[id] = max(orders[id] ?? 0, order["version"] as? Int ?? 0)
            }
            removed.formUnion((page.json["removed"] as? [String]) ?? [])
            cursor = page.json["next_since"] as? String ?? cursor
            guard page.json["has_more"] as? Bool == true, pages < 100 else { break }
        }
        return (orders, removed, cursor, pages)
    }

    /// Syncs from `since` until `done` holds for everything seen (or ten seconds pass). Other
    /// transactions of the cluster (the rest of the suite, running alongside) hold the feed back
    /// until they end: a change may arrive a sync or two late, never not at all.
    func catchUp(_ api: TestAPI, key: String, since: String?, limit: Int,
                 until done: (_ orders: [String: Int], _ removed: Set<String>) -> Bool) throws -> (orders: [String: Int], removed: Set<String>, next: String?, pages: Int) {
        var seen: (orders: [String: Int], removed: Set<String>, next: String?, pages: Int) = ([:], [], since, 0)
        for _ in 0..<100 {
            let caught = try catchUp(api, key: key, since: seen.next, limit: limit)
            seen.orders.merge(caught.orders) { max($0, $1) }
            seen.removed.formUnion(caught.removed)
            seen.next = caught.next
            seen.pages += caught.pages
            if done(seen.orders, seen.removed) { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return seen
    }

    /// 1,200 events of other engineers' work between two syncs, read in pages of 100: the sync
    /// brings back exactly the engineer's own changed orders at their latest versions, none of
    /// the others, and names the order transferred away from them.
    @Test func aSyncResumesAcrossThousandsOfOtherEventsWithoutMissingOrLeaking() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let (mine, chen) = try mobile.assignedToChen(api, f)
        let full = try api.get("/v1/me/sync", key: chen)
        #expect(full.status == 200, "\(full.text)")
        #expect((full.json["orders"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [mine])
        #expect((full.json["queue"] as? [String]) == [mine])
        #expect((full.json["customers"] as? [[String: Any]])?.first?["id"] as? String == f.customerID)
        #expect((full.json["vehicles"] as? [[String: Any]])?.first?["id"] as? String == f.vehicleID)
        let since = try #require(full.json["next_since"] as? String)

        // Someone else's order churns: 1,200 edits, each its own transaction and event.
        let theirs = try dispatch.order(api, f)
        let li = try #require(f.engineers["李师傅"])
        #expect(try api.client.send("POST", "/v1/work-orders/\(theirs)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                    json: #"{"to":"assigned","assignee_id":"\#(li)","override":true}"#).status == 200)
        for index in 0..<1200 {
            let edited = try api.client.send("PATCH", "/v1/work-orders/\(theirs)", headers: bearer(f.adminKey, [("If-Match", "\"\(index + 2)\"")]),
                                             json: #"{"description":"发动机抖动 \#(index)"}"#)
            if edited.status != 200 { Issue.record("edit \(index): \(edited.text)"); break }
        }
        // In the middle of it all, one change of the engineer's order; and a second order of theirs.
        #expect(try api.client.send("PATCH", "/v1/work-orders/\(mine)", headers: bearer(f.adminKey, [("If-Match", "\"2\"")]),
                                    json: #"{"description":"发动机抖动，冷车更明显"}"#).status == 200)
        let second = try dispatch.order(api, f)
        #expect(try api.client.send("POST", "/v1/work-orders/\(second)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                    json: #"{"to":"assigned","assignee_id":"\#(f.engineers["陈师傅"]!)"}"#).status == 200)

        let expected = [mine: try version(api, mine, f.adminKey), second: try version(api, second, f.adminKey)]
        let caught = try catchUp(api, key: chen, since: since, limit: 100) { orders, _ in orders == expected }
        #expect(caught.pages >= 12, "1,200 events in pages of 100")
        #expect(caught.orders == expected)
        #expect(caught.removed.isEmpty)

        // The desk moves the second order to 李: the next sync says to drop it, and nothing else.
        #expect(try api.client.send("POST", "/v1/work-orders/\(second)/transfer", headers: bearer(f.adminKey, [("If-Match", "\"2\"")]),
                                    json: #"{"engineer_id":"\#(li)","reason":"陈师傅请假"}"#).status == 200)
        let after = try catchUp(api, key: chen, since: caught.next, limit: 100) { _, removed in !removed.isEmpty }
        #expect(after.orders.isEmpty, "\(after.orders)")
        #expect(after.removed == [second])
        // Caught up: a sync with nothing new returns nothing and keeps its cursor.
        let idle = try api.get("/v1/me/sync?since=\(after.next ?? "")", key: chen)
        #expect((idle.json["orders"] as? [Any])?.isEmpty == true)
        #expect(idle.json["next_since"] as? String == after.next)
        #expect((idle.json["queue"] as? [String]) == [mine])

        let bad = try api.get("/v1/me/sync?since=not-a-cursor", key: chen)
        #expect(bad.status == 400)
        #expect(bad.problemFields == ["since"])
        #expect(try api.get("/v1/me/sync", key: f.adminKey).status == 403)
    }

    /// A transaction held open elsewhere in the cluster holds the event feed back: the orders
    /// changed meanwhile are not in the feed yet. The engineer's first sync still gets a cursor
    /// (once it had none, and the app could only start over), and what changed while the
    /// transaction was open arrives once it ends.
    @Test func aTransactionHeldOpenElsewhereDelaysChangesButNeverLosesThem() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let chen = try pool.engineerKey(api, f, "陈师傅")
        let slow = try Connection(TestDatabase.shared.ownerConfiguration)
        try slow.query("BEGIN")
        try slow.query("SELECT pg_current_xact_id()")
        let id = try dispatch.order(api, f)
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                    json: #"{"to":"assigned","assignee_id":"\#(f.engineers["陈师傅"]!)"}"#).status == 200)
        let first = try api.get("/v1/me/sync", key: chen)
        #expect((first.json["orders"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
        let since = try #require(first.json["next_since"] as? String, "\(first.text)")
        #expect(try api.client.send("PATCH", "/v1/work-orders/\(id)", headers: bearer(f.adminKey, [("If-Match", "\"2\"")]),
                                    json: #"{"description":"发动机抖动，怠速时明显"}"#).status == 200)
        try slow.query("COMMIT")
        // Other transactions of the cluster may hold the feed back a little longer.
        let latest = try version(api, id, f.adminKey)
        let seen = try catchUp(api, key: chen, since: since, limit: 100) { orders, _ in orders[id] == latest }
        #expect(seen.orders == [id: latest])
    }

    /// A phone that was offline sends every step it made, all based on the version it last saw,
    /// with one bad mutation and one for an order that is not theirs in the middle: the good ones
    /// apply in order, the bad ones are answered with a problem naming their field, and sending
    /// the same batch again (twice at once, from a retrying phone) applies nothing twice.
    @Test func anOfflineBatchAppliesEachStepOnceAndAnswersEachOnItsOwn() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let (id, chen) = try mobile.assignedToChen(api, f)
        let theirs = try dispatch.order(api, f)
        let seen = try version(api, id, f.adminKey)
        func item(_ key: String, _ type: String, _ extra: String = "", order: String? = nil, basedOn: Int? = nil) -> String {
            #"{"idempotency_key":"\#(key)","type":"\#(type)","work_order_id":"\#(order ?? id)","based_on_version":\#(basedOn ?? seen)\#(extra)}"#
        }
        let batch = "{\"mutations\":[" + [
            item("m1", "accept"),
            item("m2", "check_in", #","latitude":30.25,"longitude":120.151"#),
            item("m3", "transition", #","to":"fixing""#),
            item("m4", "transition", #","to":"diagnosing""#),
            item("m5", "transition", #","to":"accepted""#, order: theirs, basedOn: 1),
            item("m6", "transition", #","to":"repairing""#),
            item("m7", "report", #","report":{"diagnosis":"点火线圈老化","work_performed":"更换 3 缸点火线圈"}"#),
            item("m8", "transition", #","to":"quality_check""#),
        ].joined(separator: ",") + "]}"
        let sent = try api.client.send("POST", "/v1/me/sync", headers: bearer(chen), json: batch)
        #expect(sent.status == 200, "\(sent.text)")
        let results = try #require(sent.json["results"] as? [[String: Any]])
        #expect(results.compactMap { $0["idempotency_key"] as? String } == ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"])
        #expect(results.compactMap { $0["outcome"] as? String }
            == ["applied", "applied", "rejected", "applied", "rejected", "applied", "applied", "applied"], "\(sent.text)")
        #expect(results[2]["status"] as? Int == 422)
        #expect(((results[2]["problem"] as? [String: Any])?["errors"] as? [[String: Any]])?.first?["field"] as? String == "to")
        #expect(results[4]["status"] as? Int == 404, "another's order is out of reach")
        let order = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
        #expect(order.json["status"] as? String == "quality_check")
        #expect(results[7]["current_version"] as? Int == order.json["version"] as? Int)
        #expect(try api.get("/v1/work-orders/\(theirs)", key: f.adminKey).json["version"] as? Int == 1, "a rejected mutation wrote nothing")

        // The same batch again, twice at once: nothing applies a second time.
        let answers = Mutex([[String]]())
        let client = api.client
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            let again = try? client.send("POST", "/v1/me/sync", headers: bearer(chen), json: batch)
            let outcomes = (again?.json["results"] as? [[String: Any]] ?? []).compactMap { $0["outcome"] as? String }
            answers.withLock { $0.append(outcomes) }
        }
        for again in answers.withLock({ $0 }) {
            #expect(again == ["already_applied", "already_applied", "rejected", "already_applied", "rejected", "already_applied",
                              "already_applied", "already_applied"])
        }
        #expect(try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["version"] as? Int == order.json["version"] as? Int)
        let visits = try api.get("/v1/me/work-orders/\(id)", key: chen).json["visits"] as? [Any]
        #expect(visits?.count == 1, "one check-in, not three")

        // A step based on a version the desk has since moved past is a conflict naming where the order is.
        let stale = try api.client.send("POST", "/v1/me/sync", headers: bearer(chen), json: "{\"mutations\":[" + item("m9", "transition", #","to":"repairing""#) + "]}")
        let conflict = try #require((stale.json["results"] as? [[String: Any]])?.first)
        #expect(conflict["outcome"] as? String == "conflict")
        #expect(conflict["status"] as? Int == 409)
        #expect(conflict["current_version"] as? Int == order.json["version"] as? Int)
        #expect(conflict["current_status"] as? String == "quality_check")
        #expect(((conflict["problem"] as? [String: Any])?["errors"] as? [[String: Any]])?.first?["field"] as? String == "based_on_version")

        // The batch itself: empty, too long, or not a batch.
        let many = "{\"mutations\":[" + (0...100).map { item("x\($0)", "accept") }.joined(separator: ",") + "]}"
        for body in [#"{"mutations":[]}"#, many] {
            let refused = try api.client.send("POST", "/v1/me/sync", headers: bearer(chen), json: body)
            #expect(refused.status == 422)
            #expect(refused.problemFields == ["mutations"])
        }
        #expect(try api.client.send("POST", "/v1/me/sync", headers: bearer(chen), json: #"{"steps":[]}"#).status == 400)
    }

    /// Two chains, each with an engineer called 陈师傅 and an order in the same state, sending
    /// batches with the same idempotency keys: another chain's order is not found (not a
    /// conflict that would confirm it exists), a key reused across chains applies afresh, and
    /// neither sync shows anything of the other chain.
    @Test func anEngineerOfAnotherChainCanNeitherSyncNorMoveThisChainsOrders() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let a = try dispatch.fixture(api)
        let b = try dispatch.fixture(api)
        let (orderA, chenA) = try mobile.assignedToChen(api, a)
        let (orderB, chenB) = try mobile.assignedToChen(api, b)
        let versionA = try version(api, orderA, a.adminKey)
        func batch(_ order: String, basedOn: Int) -> String {
            #"{"mutations":[{"idempotency_key":"accept-1","type":"accept","work_order_id":"\#(order)","based_on_version":\#(basedOn)}]}"#
        }

        let intruding = try api.client.send("POST", "/v1/me/sync", headers: bearer(chenB), json: batch(orderA, basedOn: versionA))
        #expect(intruding.status == 200, "\(intruding.text)")
        let refused = try #require((intruding.json["results"] as? [[String: Any]])?.first)
        #expect(refused["outcome"] as? String == "rejected")
        #expect(refused["status"] as? Int == 404)
        #expect(refused["current_version"] == nil, "nothing of the other chain's order is told")
        #expect(try version(api, orderA, a.adminKey) == versionA)
        #expect(try api.get("/v1/work-orders/\(orderA)", key: a.adminKey).json["status"] as? String == "assigned")

        // The same key in chain A applies there; again in chain B, to its own order, it applies too.
        for (order, key, admin) in [(orderA, chenA, a.adminKey), (orderB, chenB, b.adminKey)] {
            let sent = try api.client.send("POST", "/v1/me/sync", headers: bearer(key), json: batch(order, basedOn: try version(api, order, admin)))
            #expect((sent.json["results"] as? [[String: Any]])?.first?["outcome"] as? String == "applied", "\(sent.text)")
            #expect(try api.get("/v1/work-orders/\(order)", key: admin).json["status"] as? String == "accepted")
        }

        for (key, own, other) in [(chenA, a, b), (chenB, b, a)] {
            let synced = try api.get("/v1/me/sync", key: key)
            #expect(synced.status == 200, "\(synced.text)")
            let ids = { (field: String) in Set((synced.json[field] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }) }
            #expect(ids("customers") == [own.customerID])
            #expect(ids("vehicles") == [own.vehicleID])
            #expect(ids("orders").count == 1)
            #expect(!synced.text.contains(other.customerID) && !synced.text.contains(other.vehicleID))
        }
        let leak = try api.get("/v1/me/work-orders/\(orderA)", key: chenB)
        #expect(leak.status == 404)
    }
}
