import Foundation
import PitstopCore
import PitstopTesting
import Testing

/// An engineer's key reads only what the engineer's work needs. The adversary is the key itself,
/// lost or curious: it probes the chain's customer list, other engineers' orders and records by id.
@Suite struct EngineerReachAPITests {
    let dispatch = DispatchAPITests()
    let pool = PoolAndTransferAPITests()
    let mobile = MobileAPITests()

    @Test func anEngineerKeyReadsItsOwnOrdersAndTheirCustomersOnly() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let (mine, chen) = try mobile.assignedToChen(api, f)
        func create(_ path: String, _ json: String) throws -> String {
            let response = try api.client.send("POST", path, headers: bearer(f.adminKey), json: json)
            return try #require(response.json["id"] as? String, "\(response.text)")
        }
        // Another customer's order, given to another engineer.
        let stranger = try create("/v1/customers", #"{"name":"李女士","phones":["13900139000"],"wechat_openid":"oLiNvShi0001"}"#)
        let strangersCar = try create("/v1/vehicles", #"{"customer_id":"\#(stranger)","plate":"浙B54321"}"#)
        let theirs = try create("/v1/work-orders", """
            {"type_id":"\(f.typeID)","customer_id":"\(stranger)","vehicle_id":"\(strangersCar)","shop_id":"\(f.shopID)","description":"刹车异响"}
            """)
        let li = try #require(f.engineers["李师傅"])
        #expect(try api.client.send("POST", "/v1/work-orders/\(theirs)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                    json: #"{"to":"assigned","assignee_id":"\#(li)","override":true}"#).status == 200)
        // A pooled order 陈 qualifies for: his to see, and to claim.
        let pooled = try dispatch.order(api, f)
        #expect(try api.client.send("POST", "/v1/work-orders/\(pooled)/pool", headers: bearer(f.adminKey, [("If-Match", "\"1\"")])).status == 200)

        // Lists of the chain's people are not the engineer's.
        for path in ["/v1/customers", "/v1/customers?phone=13900139000", "/v1/vehicles", "/v1/engineers",
                     "/v1/vehicles/\(strangersCar)/history"] {
            #expect(try api.get(path, key: chen).status == 403, "\(path)")
        }
        // Records by id: his order's customer and vehicle, and himself; everyone else's is missing.
        #expect(try api.get("/v1/customers/\(f.customerID)", key: chen).status == 200)
        #expect(try api.get("/v1/vehicles/\(f.vehicleID)", key: chen).status == 200)
        #expect(try api.get("/v1/engineers/\(f.engineers["陈师傅"]!)", key: chen).status == 200)
        for path in ["/v1/customers/\(stranger)", "/v1/vehicles/\(strangersCar)", "/v1/engineers/\(li)",
                     "/v1/work-orders/\(theirs)", "/v1/work-orders/\(theirs)/timeline", "/v1/work-orders/\(theirs)/report",
                     "/v1/work-orders/\(theirs)/media", "/v1/work-orders/\(theirs)/sla", "/v1/work-orders/\(theirs)/requisitions"] {
            let probed = try api.get(path, key: chen)
            #expect(probed.status == 404, "\(path): \(probed.text)")
            #expect(!probed.text.contains("13900139000") && !probed.text.contains("oLiNvShi0001"))
        }
        let moving = try api.client.send("POST", "/v1/work-orders/\(theirs)/transitions", headers: bearer(chen, [("If-Match", "\"2\"")]),
                                         json: #"{"to":"accepted"}"#)
        #expect(moving.status == 404, "\(moving.text)")

        // His order list is his, whatever the query asks for.
        for query in ["", "?assignee_id=\(li)"] {
            let listed = try api.get("/v1/work-orders\(query)", key: chen)
            #expect(listed.status == 200, "\(listed.text)")
            #expect((listed.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [mine], "\(query)")
        }
        #expect(try api.get("/v1/work-orders/\(mine)", key: chen).status == 200)
        #expect(try api.get("/v1/work-orders/\(pooled)", key: chen).status == 200)

        // Once the order is closed, its customer is out of reach again.
        let version = try api.get("/v1/work-orders/\(mine)", key: f.adminKey).json["version"] as? Int ?? 0
        #expect(try api.client.send("POST", "/v1/work-orders/\(mine)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"\(version)\"")]),
                                    json: #"{"to":"cancelled","reason":"客户改约"}"#).status == 200)
        #expect(try api.get("/v1/customers/\(f.customerID)", key: chen).status == 404)
        #expect(try api.get("/v1/work-orders/\(mine)", key: chen).status == 200, "his own work stays his to read")

        // Deactivating the engineer stops the key at once.
        let engineer = try api.get("/v1/engineers/\(f.engineers["陈师傅"]!)", key: f.adminKey)
        #expect(try api.client.send("PATCH", "/v1/engineers/\(f.engineers["陈师傅"]!)",
                                    headers: bearer(f.adminKey, [("If-Match", "\"\(engineer.json["version"] as? Int ?? 0)\"")]),
                                    json: #"{"active":false}"#).status == 200)
        #expect(try api.get("/v1/me/queue", key: chen).status == 401)
    }
}
