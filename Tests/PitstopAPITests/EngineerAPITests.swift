import Foundation
import PitstopTesting
import Testing

@Suite struct EngineerAPITests {
    func makeShop(_ api: TestAPI, _ key: String, _ name: String) throws -> String {
        let response = try api.client.send("POST", "/v1/shops", headers: bearer(key), json: #"{"name":"\#(name)"}"#)
        guard let id = response.json["id"] as? String else { throw RawHTTPError("shop: \(response.text)") }
        return id
    }

    @Test func engineersWithSkillsAndShops() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let north = try makeShop(api, tenant.adminKey, "North")
        let south = try makeShop(api, tenant.adminKey, "South")
        let desk = try api.makeKey(adminKey: tenant.adminKey, role: .dispatcher)
        let created = try api.client.send("POST", "/v1/engineers", headers: bearer(desk.secret), json: """
            {"name":"张师傅","phone":"13700137000","skills":{"engine_repair":4,"ev_battery":2},"shop_ids":["\(north)"],
             "certifications":["高级汽车维修工"],"status":"available"}
            """)
        #expect(created.status == 201, "\(created.text)")
        #expect(created.json["skills"] as? [String: Int] == ["engine_repair": 4, "ev_battery": 2])
        #expect(created.json["shop_ids"] as? [String] == [north])
        #expect(created.json["status"] as? String == "available")
        let id = try #require(created.json["id"] as? String)

        let moved = try api.client.send("PATCH", "/v1/engineers/\(id)", headers: bearer(desk.secret, [("If-Match", "\"1\"")]),
                                        json: #"{"skills":{"bodywork":3},"shop_ids":["\#(north)","\#(south)"],"status":"off_duty"}"#)
        #expect(moved.status == 200, "\(moved.text)")
        #expect(moved.json["skills"] as? [String: Int] == ["bodywork": 3])
        #expect(Set(moved.json["shop_ids"] as? [String] ?? []) == [north, south])
        #expect(moved.json["name"] as? String == "张师傅")
        #expect(moved.json["version"] as? Int == 2)
    }

    @Test func badInputNamesTheFieldAndWritesNothing() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let cases: [(String, Int, String)] = [
            (#"{"skills":{"engine":3}}"#, 422, "name"),
            (#"{"name":"x","skills":{"engine":6}}"#, 422, "skills.engine"),
            (#"{"name":"x","skills":{"Engine Repair":3}}"#, 422, "skills.Engine Repair"),
            (#"{"name":"x","status":"asleep"}"#, 400, "status"),
            (#"{"name":"x","phone":"12345"}"#, 422, "phone"),
            (#"{"name":"x","shop_ids":["\#(UUID().uuidString)"]}"#, 422, "shop_ids"),
            (#"{"name":"x","shop_ids":["nope"]}"#, 400, "shop_ids[0]"),
        ]
        for (body, status, field) in cases {
            let response = try api.client.send("POST", "/v1/engineers", headers: bearer(tenant.adminKey), json: body)
            #expect(response.status == status, "\(body): \(response.text)")
            #expect(response.problemFields.contains(field), "\(body): \(response.text)")
        }
        #expect((try api.get("/v1/engineers", key: tenant.adminKey).json["items"] as? [Any])?.isEmpty == true)
    }

    @Test func engineersAndTheirShopsStayInsideTheTenant() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let a = try api.makeTenant()
        let b = try api.makeTenant()
        let shopA = try makeShop(api, a.adminKey, "A's shop")
        let engineerA = try api.client.send("POST", "/v1/engineers", headers: bearer(a.adminKey), json: #"{"name":"A's engineer"}"#)
        let id = try #require(engineerA.json["id"] as? String)
        #expect(try api.get("/v1/engineers/\(id)", key: b.adminKey).status == 404)
        #expect(!(try api.get("/v1/engineers", key: b.adminKey).text.contains(id)))
        // B cannot put its engineer in A's shop.
        let sneaky = try api.client.send("POST", "/v1/engineers", headers: bearer(b.adminKey), json: #"{"name":"x","shop_ids":["\#(shopA)"]}"#)
        #expect(sneaky.status == 422)
        #expect(sneaky.problemFields == ["shop_ids"])
        #expect(try api.client.send("PATCH", "/v1/engineers/\(id)", headers: bearer(b.adminKey, [("If-Match", "\"1\"")]),
                                    json: #"{"active":false}"#).status == 404)
    }
}

@Suite struct EngineerKeyTests {
    @Test func engineerKeysAreBoundToTheirEngineer() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let a = try api.makeTenant()
        let b = try api.makeTenant()
        let engineer = try api.client.send("POST", "/v1/engineers", headers: bearer(a.adminKey), json: #"{"name":"李师傅"}"#)
        let engineerID = try #require(engineer.json["id"] as? String)

        let bound = try api.client.send("POST", "/v1/api-keys", headers: bearer(a.adminKey),
                                        json: #"{"name":"李师傅's phone","role":"engineer","engineer_id":"\#(engineerID)"}"#)
        #expect(bound.status == 201, "\(bound.text)")
        #expect(bound.json["engineer_id"] as? String == engineerID)
        let secret = try #require(bound.json["secret"] as? String)
        #expect(try api.get("/v1/tenant", key: secret).status == 200)

        let cases: [(String, String)] = [
            (#"{"name":"x","role":"engineer"}"#, "engineer_id"),
            (#"{"name":"x","role":"dispatcher","engineer_id":"\#(engineerID)"}"#, "engineer_id"),
        ]
        for (body, field) in cases {
            let response = try api.client.send("POST", "/v1/api-keys", headers: bearer(a.adminKey), json: body)
            #expect(response.status == 422, "\(body): \(response.text)")
            #expect(response.problemFields == [field])
        }
        // Tenant B cannot bind a key to A's engineer.
        let crossed = try api.client.send("POST", "/v1/api-keys", headers: bearer(b.adminKey),
                                          json: #"{"name":"x","role":"engineer","engineer_id":"\#(engineerID)"}"#)
        #expect(crossed.status == 422)
        #expect(crossed.problemFields == ["engineer_id"])
    }
}
