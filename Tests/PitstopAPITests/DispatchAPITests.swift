import Foundation
import PitstopTesting
import Postgres
import Testing

/// Dispatch through the API: policies, the ranking a dispatcher sees, automatic and direct
/// assignment, and the record of why.
@Suite struct DispatchAPITests {
    struct Fixture {
        var adminKey: String
        var typeID: String
        var shopID: String
        var customerID: String
        var vehicleID: String
        var engineers: [String: String]
    }

    /// A shop by West Lake and engineers around it (0.01° of longitude is about 0.96 km there).
    func fixture(_ api: TestAPI) throws -> Fixture {
        let tenant = try api.makeTenant(name: "派工连锁")
        func create(_ path: String, _ json: String) throws -> String {
            let response = try api.client.send("POST", path, headers: bearer(tenant.adminKey), json: json)
            guard response.status == 201, let id = response.json["id"] as? String else {
                throw RawHTTPError("\(path) answered \(response.status): \(response.text)")
            }
            return id
        }
        let type = try create("/v1/work-order-types", #"{"code":"engine_repair","name":"发动机维修"}"#)
        let shop = try create("/v1/shops", #"{"name":"西湖店","location":{"latitude":30.25,"longitude":120.15}}"#)
        let customer = try create("/v1/customers", #"{"name":"王先生","phones":["13800138000"]}"#)
        let vehicle = try create("/v1/vehicles", #"{"customer_id":"\#(customer)","plate":"浙A12345"}"#)
        var engineers: [String: String] = [:]
        for (name, shops, skills, status, longitude) in [
            ("陈师傅", [shop], #"{"engine":4}"#, "available", 120.16),
            ("李师傅", [], #"{"engine":5}"#, "available", 120.20),
            ("赵师傅", [shop], #"{"engine":5}"#, "off_duty", 120.15),
            ("钱师傅", [shop], #"{"engine":2}"#, "available", 120.15),
        ] as [(String, [String], String, String, Double)] {
            let shopIDs = shops.map { "\"\($0)\"" }.joined(separator: ",")
            let id = try create("/v1/engineers", #"{"name":"\#(name)","skills":\#(skills),"shop_ids":[\#(shopIDs)],"status":"\#(status)"}"#)
            let located = try api.client.send("POST", "/v1/engineers/\(id)/location", headers: bearer(tenant.adminKey),
                                              json: #"{"latitude":30.25,"longitude":\#(longitude)}"#)
            #expect(located.status == 204, "\(located.text)")
            engineers[name] = id
        }
        return Fixture(adminKey: tenant.adminKey, typeID: type, shopID: shop, customerID: customer, vehicleID: vehicle, engineers: engineers)
    }

    func order(_ api: TestAPI, _ f: Fixture) throws -> String {
        let created = try api.client.send("POST", "/v1/work-orders", headers: bearer(f.adminKey), json: """
            {"type_id":"\(f.typeID)","customer_id":"\(f.customerID)","vehicle_id":"\(f.vehicleID)","shop_id":"\(f.shopID)",
             "description":"发动机抖动","insist":true}
            """)
        return try #require(created.json["id"] as? String, "\(created.text)")
    }

    @Test func thePolicyRanksAndTheBestEngineerGetsTheOrderWithTheReasonsKept() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let policy = try api.client.send("POST", "/v1/dispatch-policies", headers: bearer(f.adminKey),
                                         json: #"{"type_id":"\#(f.typeID)","radius_km":10,"required_skills":{"engine":3},"weights":{"distance":5}}"#)
        #expect(policy.status == 201, "\(policy.text)")
        #expect((policy.json["rules"] as? [String: Any])?["max_open_orders"] as? Int == 5)
        let id = try order(api, f)

        let ranked = try api.get("/v1/work-orders/\(id)/candidates", key: f.adminKey)
        #expect(ranked.status == 200, "\(ranked.text)")
        #expect(ranked.json["policy_id"] as? String == policy.json["id"] as? String)
        let candidates = ranked.json["candidates"] as? [[String: Any]] ?? []
        // Off duty and under-skilled engineers are out; the shop's own engineer is nearest.
        #expect(candidates.compactMap { $0["name"] as? String } == ["陈师傅", "李师傅"])
        let first = try #require(candidates.first)
        #expect(((first["distance_km"] as? Double) ?? 0) > 0.9)
        #expect((first["ratings"] as? [String: Any])?["load"] as? Double == 1)
        #expect(((first["score"] as? Double) ?? 0) > ((candidates.last?["score"] as? Double) ?? 1))

        let dispatched = try api.client.send("POST", "/v1/work-orders/\(id)/dispatch", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]))
        #expect(dispatched.status == 200, "\(dispatched.text)")
        let workOrder = dispatched.json["work_order"] as? [String: Any]
        #expect(workOrder?["status"] as? String == "assigned")
        #expect(workOrder?["assignee_id"] as? String == f.engineers["陈师傅"])
        #expect(dispatched.header("ETag") == "\"2\"")

        // Why this engineer: the assignment kept the ranking and the rules in force.
        let why = try api.get("/v1/work-orders/\(id)/dispatch", key: f.adminKey)
        let assignment = try #require((why.json["items"] as? [[String: Any]])?.first)
        #expect(assignment["mode"] as? String == "auto")
        #expect(assignment["engineer_id"] as? String == f.engineers["陈师傅"])
        #expect((assignment["candidates"] as? [[String: Any]])?.count == 2)
        #expect(((assignment["rules"] as? [String: Any])?["required_skills"] as? [String: Any])?["engine"] as? Int == 3)

        // Fairness and load count the new assignment: the next order's ranking shows it.
        let next = try order(api, f)
        let again = try api.get("/v1/work-orders/\(next)/candidates", key: f.adminKey).json["candidates"] as? [[String: Any]] ?? []
        let chen = again.first { $0["name"] as? String == "陈师傅" }
        #expect(chen?["open_orders"] as? Int == 1)
        #expect(chen?["assigned_today"] as? Int == 1)
    }

    @Test func nobodyEligibleIsAConflictThatSaysWhy() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        _ = try api.client.send("POST", "/v1/dispatch-policies", headers: bearer(f.adminKey), json: #"{"required_skills":{"bodywork":3}}"#)
        let id = try order(api, f)
        let refused = try api.client.send("POST", "/v1/work-orders/\(id)/dispatch", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]))
        #expect(refused.status == 409)
        #expect((refused.json["detail"] as? String)?.contains("no engineer passes") == true)
        #expect(try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["status"] as? String == "new")

        // A dispatcher's pick goes through the same rules: 钱师傅 lacks the skill, so the pick
        // is refused naming the rule, by either way of assigning, until the dispatcher overrides it.
        let qian = try #require(f.engineers["钱师傅"])
        let picked = try api.client.send("POST", "/v1/work-orders/\(id)/dispatch", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                         json: #"{"engineer_id":"\#(qian)","reason":"客户指定"}"#)
        #expect(picked.status == 409, "\(picked.text)")
        #expect(picked.problemFields == ["engineer_id"])
        #expect((picked.json["detail"] as? String)?.contains("missing_skill") == true, "\(picked.text)")
        let transition = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                             json: #"{"to":"assigned","assignee_id":"\#(qian)"}"#)
        #expect(transition.status == 409, "\(transition.text)")
        #expect(transition.problemFields == ["assignee_id"])
        #expect((try api.get("/v1/work-orders/\(id)/dispatch", key: f.adminKey).json["items"] as? [Any])?.isEmpty == true)
        let direct = try api.client.send("POST", "/v1/work-orders/\(id)/dispatch", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                         json: #"{"engineer_id":"\#(qian)","reason":"客户指定","override":true}"#)
        #expect(direct.status == 200, "\(direct.text)")
        // The pick is kept with the ranking it overrode, like the policy's own decisions.
        let recorded = try api.get("/v1/work-orders/\(id)/dispatch", key: f.adminKey).json["items"] as? [[String: Any]]
        #expect(recorded?.first?["mode"] as? String == "direct")
        #expect(recorded?.first?["reason"] as? String == "over the dispatch rules (missing_skill): 客户指定")
        #expect(recorded?.first?["considered"] as? Int == 3, "\(recorded ?? [])")
        #expect((recorded?.first?["excluded"] as? [String: Any])?["missing_skill"] as? Int == 3)
        #expect(((recorded?.first?["rules"] as? [String: Any])?["required_skills"] as? [String: Any])?["bodywork"] as? Int == 3)
        // An order already assigned is not dispatched again here.
        let twice = try api.client.send("POST", "/v1/work-orders/\(id)/dispatch", headers: bearer(f.adminKey, [("If-Match", "\"2\"")]))
        #expect(twice.status == 409)
    }

    @Test func aDeactivatedEngineerIsNeverPickedWhateverTheDispatcherSays() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let chen = try #require(f.engineers["陈师傅"])
        let version = try api.get("/v1/engineers/\(chen)", key: f.adminKey).json["version"] as? Int ?? 0
        let off = try api.client.send("PATCH", "/v1/engineers/\(chen)", headers: bearer(f.adminKey, [("If-Match", "\"\(version)\"")]),
                                      json: #"{"active":false}"#)
        #expect(off.status == 200, "\(off.text)")
        let id = try order(api, f)
        for body in [#"{"to":"assigned","assignee_id":"\#(chen)"}"#, #"{"to":"assigned","assignee_id":"\#(chen)","override":true}"#] {
            let refused = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                              json: body)
            #expect(refused.status == 422, "\(refused.text)")
            #expect(refused.problemFields == ["assignee_id"])
        }
        // An engineer of another tenant, or none at all, is named the same way.
        let nobody = try api.client.send("POST", "/v1/work-orders/\(id)/dispatch", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                         json: #"{"engineer_id":"\#(UUID().uuidString)","override":true}"#)
        #expect(nobody.status == 422, "\(nobody.text)")
        #expect(nobody.problemFields == ["engineer_id"])
        #expect(try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["status"] as? String == "new")
    }

    @Test func policiesAreCheckedScopedAndVersioned() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let bad = try api.client.send("POST", "/v1/dispatch-policies", headers: bearer(f.adminKey),
                                      json: #"{"radius_km":-1,"max_open_orders":0,"required_skills":{"engine":9},"weights":{"load":-2}}"#)
        #expect(bad.status == 422)
        #expect(Set(bad.problemFields) == ["radius_km", "max_open_orders", "required_skills.engine", "weights.load"])
        let tenantWide = try api.client.send("POST", "/v1/dispatch-policies", headers: bearer(f.adminKey), json: #"{"radius_km":20}"#)
        #expect(tenantWide.status == 201)
        let again = try api.client.send("POST", "/v1/dispatch-policies", headers: bearer(f.adminKey), json: #"{"radius_km":25}"#)
        #expect(again.status == 409)
        #expect(again.problemFields == ["scope"])
        let id = try #require(tenantWide.json["id"] as? String)
        let replaced = try api.client.send("PUT", "/v1/dispatch-policies/\(id)", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                           json: #"{"radius_km":15,"average_speed_kmh":30}"#)
        #expect(replaced.status == 200, "\(replaced.text)")
        #expect((replaced.json["rules"] as? [String: Any])?["radius_km"] as? Double == 15)
        #expect(try api.client.send("PUT", "/v1/dispatch-policies/\(id)", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                    json: #"{"radius_km":16}"#).status == 412)
        // With a speed the ranking estimates travel time.
        let orderID = try order(api, f)
        let ranked = try api.get("/v1/work-orders/\(orderID)/candidates", key: f.adminKey).json["candidates"] as? [[String: Any]]
        #expect(ranked?.first?["eta_minutes"] is Double)
        #expect(try api.client.send("DELETE", "/v1/dispatch-policies/\(id)", headers: bearer(f.adminKey)).status == 204)
        #expect(try api.get("/v1/dispatch-policies/\(id)", key: f.adminKey).status == 404)
        // Another tenant's shop cannot scope a policy; another tenant sees none of this.
        let other = try fixture(api)
        let foreign = try api.client.send("POST", "/v1/dispatch-policies", headers: bearer(other.adminKey), json: #"{"shop_id":"\#(f.shopID)"}"#)
        #expect(foreign.status == 422)
        #expect(foreign.problemFields == ["shop_id"])
        #expect(try api.get("/v1/work-orders/\(orderID)/candidates", key: other.adminKey).status == 404)
        #expect(try api.get("/v1/work-orders/\(orderID)/dispatch", key: other.adminKey).status == 404)
    }

    @Test func locationPingsAreBoundedAndAnEngineerReportsOnlyItself() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let chen = try #require(f.engineers["陈师傅"])
        let key = try api.client.send("POST", "/v1/api-keys", headers: bearer(f.adminKey),
                                      json: #"{"name":"陈师傅的手机","role":"engineer","engineer_id":"\#(chen)"}"#)
        let phone = try #require(key.json["secret"] as? String)
        // The fixture just reported a position: the next one inside five seconds is refused.
        let soon = try api.client.send("POST", "/v1/engineers/\(chen)/location", headers: bearer(phone), json: #"{"latitude":30.26,"longitude":120.16}"#)
        #expect(soon.status == 429)
        #expect(soon.header("Retry-After") == "5")
        let someoneElse = try api.client.send("POST", "/v1/engineers/\(f.engineers["李师傅"]!)/location", headers: bearer(phone),
                                              json: #"{"latitude":30.26,"longitude":120.16}"#)
        #expect(someoneElse.status == 403)
        let wrong = try api.client.send("POST", "/v1/engineers/\(chen)/location", headers: bearer(phone), json: #"{"latitude":91,"longitude":120}"#)
        #expect(wrong.status == 422)
        #expect(wrong.problemFields == ["latitude"])
    }

    @Test func aWeekOldPositionNextDoorIsNotNearAndRawGPSIsKeptInGCJ02() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let li = try #require(f.engineers["李师傅"])
        _ = try api.client.send("POST", "/v1/dispatch-policies", headers: bearer(f.adminKey),
                                json: #"{"radius_km":10,"required_skills":{"engine":3},"position_max_age_minutes":30}"#)
        let id = try order(api, f)
        let fresh = try api.get("/v1/work-orders/\(id)/candidates", key: f.adminKey)
        #expect((fresh.json["candidates"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["陈师傅", "李师傅"])

        // 李师傅 does not belong to the shop and was last seen 5 km away a week ago.
        let owner = try Connection(TestDatabase.shared.ownerConfiguration)
        try owner.query("UPDATE engineers SET located_at = now() - interval '7 days' WHERE id = \(UUID(uuidString: li)!)")
        let stale = try api.get("/v1/work-orders/\(id)/candidates", key: f.adminKey)
        #expect((stale.json["candidates"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["陈师傅"])
        #expect((stale.json["excluded"] as? [String: Any])?["stale_position"] as? Int == 1)

        // A phone's raw GPS fix in Shanghai, said to be WGS-84, is kept as the published GCJ-02 point.
        let gps = try api.client.send("POST", "/v1/engineers/\(li)/location", headers: bearer(f.adminKey),
                                      json: #"{"latitude":31.1774276,"longitude":121.5272106,"datum":"wgs84"}"#)
        #expect(gps.status == 204, "\(gps.text)")
        let location = try api.get("/v1/engineers/\(li)", key: f.adminKey).json["location"] as? [String: Any]
        #expect(abs((location?["latitude"] as? Double ?? 0) - 31.17530398364597) < 1e-6)
        #expect(abs((location?["longitude"] as? Double ?? 0) - 121.531541859215) < 1e-6)
        let unknown = try api.client.send("POST", "/v1/engineers/\(li)/location", headers: bearer(f.adminKey),
                                          json: #"{"latitude":31.2,"longitude":121.5,"datum":"bd09"}"#)
        #expect(unknown.status == 400, "\(unknown.text)")
        #expect(unknown.text.contains("gcj02"), "\(unknown.text)")
        #expect(unknown.problemFields == ["datum"])
    }
}
