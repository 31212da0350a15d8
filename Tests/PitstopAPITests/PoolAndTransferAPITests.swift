import Foundation
import PitstopTesting
import Synchronization
import Testing

/// The grab pool and transfers, on the dispatch fixture (a shop by West Lake and engineers).
@Suite struct PoolAndTransferAPITests {
    let dispatch = DispatchAPITests()

    func engineerKey(_ api: TestAPI, _ f: DispatchAPITests.Fixture, _ name: String) throws -> String {
        let response = try api.client.send("POST", "/v1/api-keys", headers: bearer(f.adminKey),
                                           json: #"{"name":"\#(name)","role":"engineer","engineer_id":"\#(f.engineers[name]!)"}"#)
        return try #require(response.json["secret"] as? String, "\(response.text)")
    }

    @Test func fiftyConcurrentClaimsGiveTheOrderToExactlyOneEngineer() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let id = try dispatch.order(api, f)
        let pooled = try api.client.send("POST", "/v1/work-orders/\(id)/pool", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                         json: #"{"note":"周末加班单"}"#)
        #expect(pooled.status == 200, "\(pooled.text)")
        #expect(pooled.json["pooled_at"] is String)

        // Two eligible engineers race with 25 claims each.
        let keys = [try engineerKey(api, f, "陈师傅"), try engineerKey(api, f, "钱师傅")]
        let statuses = Mutex([Int]())
        let client = api.client
        DispatchQueue.concurrentPerform(iterations: 50) { index in
            let status = (try? client.send("POST", "/v1/work-orders/\(id)/claim", headers: bearer(keys[index % 2])).status) ?? 0
            statuses.withLock { $0.append(status) }
        }
        let all = statuses.withLock { $0 }
        #expect(all.filter { $0 == 200 }.count == 1, "\(all)")
        #expect(all.filter { $0 == 409 }.count == 49, "\(all)")
        let order = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
        #expect(order.json["status"] as? String == "assigned")
        #expect(order.json["pooled_at"] == nil)
        let assignments = try api.get("/v1/work-orders/\(id)/dispatch", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
        #expect(assignments.count == 1)
        #expect(assignments.first?["mode"] as? String == "claim")
        #expect(assignments.first?["engineer_id"] as? String == order.json["assignee_id"] as? String)
    }

    @Test func engineersSeeOnlyWhatTheyMayTake() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        _ = try api.client.send("POST", "/v1/dispatch-policies", headers: bearer(f.adminKey), json: #"{"required_skills":{"engine":3}}"#)
        let id = try dispatch.order(api, f)
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/pool", headers: bearer(f.adminKey, [("If-Match", "\"1\"")])).status == 200)
        let skilled = try engineerKey(api, f, "陈师傅")
        let novice = try engineerKey(api, f, "钱师傅")
        let seen = try api.get("/v1/pool", key: skilled).json["items"] as? [[String: Any]]
        #expect(seen?.compactMap { $0["id"] as? String } == [id])
        #expect(((seen?.first?["distance_km"] as? Double) ?? 0) > 0.9)
        #expect((try api.get("/v1/pool", key: novice).json["items"] as? [Any])?.isEmpty == true)
        #expect((try api.get("/v1/pool", key: f.adminKey).json["items"] as? [Any])?.count == 1)
        let refused = try api.client.send("POST", "/v1/work-orders/\(id)/claim", headers: bearer(novice))
        #expect(refused.status == 403)
        #expect((refused.json["detail"] as? String)?.contains("missing_skill") == true)
        // A dispatcher's key cannot claim; withdrawing empties the pool.
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/claim", headers: bearer(f.adminKey)).status == 403)
        #expect(try api.client.send("DELETE", "/v1/work-orders/\(id)/pool", headers: bearer(f.adminKey, [("If-Match", "\"2\"")])).status == 200)
        #expect((try api.get("/v1/pool", key: skilled).json["items"] as? [Any])?.isEmpty == true)
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/claim", headers: bearer(skilled)).status == 409)
    }

    @Test func transfersNeedAReasonAndSendAnAcceptedOrderBackToAssigned() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let id = try dispatch.order(api, f)
        let chen = try #require(f.engineers["陈师傅"])
        let li = try #require(f.engineers["李师傅"])
        func move(_ version: Int, _ json: String) throws -> RawHTTPClient.Response {
            try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"\(version)\"")]), json: json)
        }
        #expect(try move(1, #"{"to":"assigned","assignee_id":"\#(chen)"}"#).status == 200)
        #expect(try move(2, #"{"to":"accepted"}"#).status == 200)
        let noReason = try api.client.send("POST", "/v1/work-orders/\(id)/transfer", headers: bearer(f.adminKey, [("If-Match", "\"3\"")]),
                                           json: #"{"engineer_id":"\#(li)","reason":"  "}"#)
        #expect(noReason.status == 422)
        #expect(noReason.problemFields == ["reason"])
        let moved = try api.client.send("POST", "/v1/work-orders/\(id)/transfer", headers: bearer(f.adminKey, [("If-Match", "\"3\"")]),
                                        json: #"{"engineer_id":"\#(li)","reason":"陈师傅临时请假"}"#)
        #expect(moved.status == 200, "\(moved.text)")
        #expect(moved.json["assignee_id"] as? String == li)
        #expect(moved.json["status"] as? String == "assigned")
        let timeline = try api.get("/v1/work-orders/\(id)/timeline", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
        #expect(timeline.last?["kind"] as? String == "transferred")
        #expect((timeline.last?["note"] as? String)?.contains("陈师傅临时请假") == true)
        let modes = (try api.get("/v1/work-orders/\(id)/dispatch", key: f.adminKey).json["items"] as? [[String: Any]] ?? []).compactMap { $0["mode"] as? String }
        #expect(modes == ["transfer", "direct"])
        // An unassigned order cannot be transferred; a stale version is refused.
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/transfer", headers: bearer(f.adminKey, [("If-Match", "\"3\"")]),
                                    json: #"{"engineer_id":"\#(chen)","reason":"x"}"#).status == 412)
        let fresh = try dispatch.order(api, f)
        #expect(try api.client.send("POST", "/v1/work-orders/\(fresh)/transfer", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                    json: #"{"engineer_id":"\#(chen)","reason":"x"}"#).status == 409)
    }

    @Test func anEngineerAsksToHandAnOrderOnAndATransferSettlesIt() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let id = try dispatch.order(api, f)
        let chen = try #require(f.engineers["陈师傅"])
        let key = try engineerKey(api, f, "陈师傅")
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                    json: #"{"to":"assigned","assignee_id":"\#(chen)"}"#).status == 200)
        let path = "/v1/me/work-orders/\(id)/transfer-request"
        #expect(try api.client.send("POST", path, headers: bearer(key), json: #"{"reason":""}"#).problemFields == ["reason"])
        let asked = try api.client.send("POST", path, headers: bearer(key), json: #"{"reason":"车在城西，离我太远"}"#)
        #expect(asked.status == 201, "\(asked.text)")
        #expect(try api.client.send("POST", path, headers: bearer(key), json: #"{"reason":"再问一次"}"#).status == 409)
        #expect(try api.client.send("POST", path, headers: bearer(try engineerKey(api, f, "李师傅")), json: #"{"reason":"x"}"#).status == 404)
        let inbox = try api.get("/v1/transfer-requests", key: f.adminKey).json["items"] as? [[String: Any]]
        #expect(inbox?.first?["reason"] as? String == "车在城西，离我太远")

        let version = try #require(Int((try api.get("/v1/work-orders/\(id)", key: f.adminKey).header("ETag") ?? "").filter(\.isNumber)))
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/transfer", headers: bearer(f.adminKey, [("If-Match", "\"\(version)\"")]),
                                    json: #"{"engineer_id":"\#(f.engineers["李师傅"]!)","reason":"按师傅申请"}"#).status == 200)
        #expect((try api.get("/v1/transfer-requests", key: f.adminKey).json["items"] as? [Any])?.isEmpty == true)
    }
}
