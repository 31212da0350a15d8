import Foundation
import PitstopTesting
import Testing

/// The engineer's app: the queue and one order with what is needed to drive there.
@Suite struct MobileAPITests {
    let dispatch = DispatchAPITests()
    let pool = PoolAndTransferAPITests()

    @Test func theQueueGroupsOrdersAndTheDetailNavigatesToTheShop() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let chen = try #require(f.engineers["陈师傅"])
        let key = try pool.engineerKey(api, f, "陈师傅")
        let offered = try dispatch.order(api, f)
        let working = try dispatch.order(api, f)
        for (id, steps) in [(offered, ["assigned"]), (working, ["assigned", "accepted", "diagnosing"])] {
            for (index, step) in steps.enumerated() {
                let extra = step == "assigned" ? #","assignee_id":"\#(chen)""# : ""
                let moved = try api.client.send("POST", "/v1/work-orders/\(id)/transitions",
                                                headers: bearer(f.adminKey, [("If-Match", "\"\(index + 1)\"")]), json: #"{"to":"\#(step)"\#(extra)}"#)
                #expect(moved.status == 200, "\(moved.text)")
            }
        }
        let queue = try api.get("/v1/me/queue", key: key)
        #expect(queue.status == 200, "\(queue.text)")
        #expect((queue.json["offered"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [offered])
        #expect((queue.json["accepted"] as? [Any])?.isEmpty == true)
        let inProgress = try #require((queue.json["in_progress"] as? [[String: Any]])?.first)
        #expect(inProgress["id"] as? String == working)
        let navigation = try #require(inProgress["navigation"] as? [String: Any])
        #expect(navigation["latitude"] as? Double == 30.25)
        #expect((navigation["amap_url"] as? String)?.hasPrefix("https://uri.amap.com/navigation?to=120.15,30.25,") == true)
        #expect((navigation["baidu_url"] as? String)?.contains("destination=latlng:30.25,120.15|name:") == true)

        let detail = try api.get("/v1/me/work-orders/\(working)", key: key)
        #expect(detail.status == 200, "\(detail.text)")
        #expect((detail.json["customer"] as? [String: Any])?["phones"] as? [String] == ["13800138000"])
        #expect((detail.json["vehicle"] as? [String: Any])?["plate"] as? String == "浙A12345")
        // The vehicle's other order is its history.
        #expect((detail.json["history"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [offered])

        // Another engineer, or a desk key, does not see it this way.
        let li = try pool.engineerKey(api, f, "李师傅")
        #expect(try api.get("/v1/me/work-orders/\(working)", key: li).status == 404)
        #expect(try api.get("/v1/me/queue", key: f.adminKey).status == 403)
    }
}
