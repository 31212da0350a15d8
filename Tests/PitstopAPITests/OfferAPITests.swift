import Foundation
import Logging
import PitstopJobs
import PitstopTesting
import Synchronization
import Testing

/// Automatic offers: accept, decline to the next engineer, never the same one twice, and the
/// worker's sweep of offers that ran out of time, driven by a fixed clock. Serialized: a sweep
/// sees every tenant's due offers, so two sweeping tests must not overlap.
@Suite(.serialized) struct OfferAPITests {
    let dispatch = DispatchAPITests()
    let pool = PoolAndTransferAPITests()

    func autoDispatch(_ api: TestAPI, _ f: DispatchAPITests.Fixture, _ id: String, version: Int) throws -> RawHTTPClient.Response {
        try api.client.send("POST", "/v1/work-orders/\(id)/dispatch", headers: bearer(f.adminKey, [("If-Match", "\"\(version)\"")]))
    }

    @Test func declinesPassTheOrderOnAndTheLastRoundPoolsIt() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        _ = try api.client.send("POST", "/v1/dispatch-policies", headers: bearer(f.adminKey),
                                json: #"{"required_skills":{"engine":3},"max_rounds":2,"after_rounds":"pool","offer_timeout_seconds":3600}"#)
        let id = try dispatch.order(api, f)
        let first = try autoDispatch(api, f, id, version: 1)
        #expect(first.status == 200, "\(first.text)")
        let offer = try #require(first.json["offer"] as? [String: Any])
        #expect(offer["round"] as? Int == 1)
        // Two engineers qualify (陈 and 李); whoever ranks first is asked first.
        let firstAsked = try #require(offer["engineer_id"] as? String)
        let firstName = try #require(f.engineers.first { $0.value == firstAsked }?.key)
        let otherName = firstName == "陈师傅" ? "李师傅" : "陈师傅"
        let firstKey = try pool.engineerKey(api, f, firstName)
        let otherKey = try pool.engineerKey(api, f, otherName)
        // Only the assignee answers, and a decline needs a reason.
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/accept", headers: bearer(otherKey)).status == 409)
        let bare = try api.client.send("POST", "/v1/work-orders/\(id)/decline", headers: bearer(firstKey), json: #"{"reason":""}"#)
        #expect(bare.status == 422)
        #expect(bare.problemFields == ["reason"])

        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/decline", headers: bearer(firstKey), json: #"{"reason":"在外地"}"#).status == 204)
        let second = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
        #expect(second.json["status"] as? String == "assigned")
        #expect(second.json["assignee_id"] as? String == f.engineers[otherName])

        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/decline", headers: bearer(otherKey), json: #"{"reason":"没有配件"}"#).status == 204)
        let pooled = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
        #expect(pooled.json["status"] as? String == "new")
        #expect(pooled.json["pooled_at"] is String)
        let record = try api.get("/v1/work-orders/\(id)/dispatch", key: f.adminKey)
        let offers = record.json["offers"] as? [[String: Any]] ?? []
        #expect(offers.compactMap { $0["state"] as? String } == ["declined", "declined"])
        #expect(offers.compactMap { $0["decline_reason"] as? String } == ["在外地", "没有配件"])
        // Dispatch again finds every round used: the order stays in the pool.
        #expect(try autoDispatch(api, f, id, version: try #require(Int((pooled.header("ETag") ?? "").filter(\.isNumber)))).status == 409)
    }

    @Test func theEngineerAcceptsTheOffer() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let id = try dispatch.order(api, f)
        #expect(try autoDispatch(api, f, id, version: 1).status == 200)
        let assignee = try #require(try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["assignee_id"] as? String)
        let name = try #require(f.engineers.first { $0.value == assignee }?.key)
        let accepted = try api.client.send("POST", "/v1/work-orders/\(id)/accept", headers: bearer(try pool.engineerKey(api, f, name)))
        #expect(accepted.status == 200, "\(accepted.text)")
        #expect(accepted.json["status"] as? String == "accepted")
        let offers = try api.get("/v1/work-orders/\(id)/dispatch", key: f.adminKey).json["offers"] as? [[String: Any]]
        #expect(offers?.first?["state"] as? String == "accepted")
    }

    @Test func theSweepPassesOnLapsedOffersOnceWhateverTheNumberOfWorkers() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        _ = try api.client.send("POST", "/v1/dispatch-policies", headers: bearer(f.adminKey),
                                json: #"{"required_skills":{"engine":3},"max_rounds":2,"after_rounds":"dispatcher","offer_timeout_seconds":30}"#)
        let id = try dispatch.order(api, f)
        let firstAsked = try #require((try autoDispatch(api, f, id, version: 1).json["offer"] as? [String: Any])?["engineer_id"] as? String)
        let sweep = OfferSweep(database: TestDatabase.shared.database, logger: Logger(component: "sweep-test", minimumLevel: .error, sink: { _ in }))

        // The sweep sees every tenant: its clock stays short of the 300 s and longer deadlines of
        // offers other tests (running alongside) make.
        // Two workers sweep at once after the 30 s deadline: the offer lapses once.
        let lapsed = Mutex(0)
        let later = Date().addingTimeInterval(40)
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            let count = (try? sweep.run(now: later)) ?? 0
            lapsed.withLock { $0 += count }
        }
        #expect(lapsed.withLock { $0 } == 1)
        let secondRound = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
        let secondAsked = secondRound.json["assignee_id"] as? String
        #expect(secondAsked != nil && secondAsked != firstAsked)

        // The second round lapses too: the policy leaves the order to the dispatchers.
        #expect(try sweep.run(now: Date().addingTimeInterval(80)) == 1)
        let left = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
        #expect(left.json["status"] as? String == "new")
        #expect(left.json["pooled_at"] == nil)
        let timeline = try api.get("/v1/work-orders/\(id)/timeline", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
        // Taken back and handed to the dispatchers in one moment (entries of one instant have no order among them).
        #expect(Set(timeline.suffix(2).compactMap { $0["kind"] as? String }) == ["status_changed", "dispatch_exhausted"])
        let offers = try api.get("/v1/work-orders/\(id)/dispatch", key: f.adminKey).json["offers"] as? [[String: Any]] ?? []
        #expect(offers.compactMap { $0["state"] as? String } == ["expired", "expired"])
        #expect(Set(offers.compactMap { $0["engineer_id"] as? String }).count == 2)
    }

    @Test func anOfferOverriddenByADispatcherIsWithdrawnNotPassedOn() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        _ = try api.client.send("POST", "/v1/dispatch-policies", headers: bearer(f.adminKey),
                                json: #"{"required_skills":{"engine":3},"offer_timeout_seconds":120}"#)
        let id = try dispatch.order(api, f)
        let offered = try autoDispatch(api, f, id, version: 1)
        let firstAsked = try #require((offered.json["offer"] as? [String: Any])?["engineer_id"] as? String)
        let other = try #require(f.engineers.values.first { $0 != firstAsked && $0 != f.engineers["赵师傅"] && $0 != f.engineers["钱师傅"] })
        // The dispatcher hands it to someone else before the engineer answers.
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/transfer", headers: bearer(f.adminKey, [("If-Match", "\"2\"")]),
                                    json: #"{"engineer_id":"\#(other)","reason":"客户指定"}"#).status == 200)
        let sweep = OfferSweep(database: TestDatabase.shared.database, logger: Logger(component: "sweep-test", minimumLevel: .error, sink: { _ in }))
        #expect(try sweep.run(now: Date().addingTimeInterval(150)) == 1)
        let order = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
        #expect(order.json["assignee_id"] as? String == other)
        #expect(order.json["status"] as? String == "assigned")
        let offers = try api.get("/v1/work-orders/\(id)/dispatch", key: f.adminKey).json["offers"] as? [[String: Any]] ?? []
        #expect(offers.compactMap { $0["state"] as? String } == ["withdrawn"])
    }

    /// Pool mode: a new order waits in the grab pool for `pool_minutes`; a claim in time keeps
    /// it, and one nobody claimed is offered by the worker's sweep (here a minute on a fixed
    /// clock), or left to the dispatchers, as the policy says. Two sweeps at once move it once.
    @Test(arguments: ["offer", "dispatcher"])
    func aPoolModeOrderNobodyClaimsGoesOnWhenItsStayRunsOut(afterPool: String) throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        _ = try api.client.send("POST", "/v1/dispatch-policies", headers: bearer(f.adminKey), json: """
            {"mode":"pool","pool_minutes":1,"after_pool":"\(afterPool)","required_skills":{"engine":3},"offer_timeout_seconds":3600}
            """)
        let claimed = try dispatch.order(api, f)
        let waiting = try dispatch.order(api, f)
        #expect(try api.get("/v1/work-orders/\(waiting)", key: f.adminKey).json["pooled_at"] is String)
        #expect(try api.client.send("POST", "/v1/work-orders/\(claimed)/claim", headers: bearer(try pool.engineerKey(api, f, "李师傅"))).status == 200)

        let sweep = OfferSweep(database: TestDatabase.shared.database, logger: Logger(component: "sweep-test", minimumLevel: .error, sink: { _ in }))
        #expect(try sweep.run(now: Date().addingTimeInterval(30)) == 0)
        let moved = Mutex(0)
        let later = Date().addingTimeInterval(65)
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            let count = (try? sweep.run(now: later)) ?? 0
            moved.withLock { $0 += count }
        }
        #expect(moved.withLock { $0 } == 1)
        let order = try api.get("/v1/work-orders/\(waiting)", key: f.adminKey)
        #expect(order.json["pooled_at"] == nil)
        let timeline = try api.get("/v1/work-orders/\(waiting)/timeline", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
        let offers = try api.get("/v1/work-orders/\(waiting)/dispatch", key: f.adminKey).json["offers"] as? [[String: Any]] ?? []
        if afterPool == "offer" {
            #expect(order.json["status"] as? String == "assigned", "\(order.text)")
            #expect(offers.count == 1 && offers.first?["state"] as? String == "pending")
        } else {
            #expect(order.json["status"] as? String == "new")
            #expect(offers.isEmpty)
            #expect(timeline.contains { ($0["note"] as? String)?.contains("nobody claimed it from the grab pool in 1 min") == true }, "\(timeline)")
        }
        // The claimed order stays with its engineer.
        let kept = try api.get("/v1/work-orders/\(claimed)", key: f.adminKey)
        #expect(kept.json["assignee_id"] as? String == f.engineers["李师傅"])
    }
}
