import Foundation
import PitstopCore
import PitstopTesting
import Testing

@Suite struct CustomerVehicleAPITests {
    func makeCustomer(_ api: TestAPI, _ key: String, _ json: String) throws -> String {
        let response = try api.client.send("POST", "/v1/customers", headers: bearer(key), json: json)
        guard response.status == 201, let id = response.json["id"] as? String else {
            throw RawHTTPError("customer creation answered \(response.status): \(response.text)")
        }
        return id
    }

    @Test func customersAreNormalisedAndFoundByPhoneOpenIDAndCRMID() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let desk = try api.makeKey(adminKey: tenant.adminKey, role: .dispatcher)
        let created = try api.client.send("POST", "/v1/customers", headers: bearer(desk.secret), json: """
            {"name":" 王小明 ","phones":["+86 138-0013-8000","13800138000","+44 20 7946 0958"],"wechat_openid":"oAbC_123-x",
             "email":"xm@example.com","tags":["vip"],"external_id":"CRM-42"}
            """)
        #expect(created.status == 201, "\(created.text)")
        #expect(created.json["name"] as? String == "王小明")
        #expect(created.json["phones"] as? [String] == ["13800138000", "+442079460958"])
        let id = try #require(created.json["id"] as? String)

        for query in ["phone=%2B86%20138%200013%208000", "wechat_openid=oAbC_123-x", "external_id=CRM-42"] {
            let found = try api.get("/v1/customers?\(query)", key: desk.secret)
            #expect((found.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id], "\(query)")
        }
        #expect((try api.get("/v1/customers?phone=13900139000", key: desk.secret).json["items"] as? [Any])?.isEmpty == true)
        #expect((try api.get("/v1/customers?phone=12345", key: desk.secret)).problemFields == ["phone"])

        let duplicate = try api.client.send("POST", "/v1/customers", headers: bearer(desk.secret), json: #"{"name":"Copy","external_id":"CRM-42"}"#)
        #expect(duplicate.status == 409)
        #expect(duplicate.problemFields == ["external_id"])

        let cleared = try api.client.send("PATCH", "/v1/customers/\(id)", headers: bearer(desk.secret, [("If-Match", "\"1\"")]),
                                          json: #"{"email":null,"tags":[]}"#)
        #expect(cleared.status == 200)
        #expect(cleared.json["email"] == nil)
        #expect(cleared.json["tags"] as? [String] == [])
        #expect(cleared.json["external_id"] as? String == "CRM-42")
    }

    @Test func customerBadInputNamesTheField() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let cases: [(String, Int, String)] = [
            (#"{"phones":["13800138000"]}"#, 422, "name"),
            (#"{"name":"x","phones":["0571-88880000"]}"#, 422, "phones[0]"),
            (#"{"name":"x","phones":["12800138000"]}"#, 422, "phones[0]"),
            (#"{"name":"x","email":"not-an-email"}"#, 422, "email"),
            (#"{"name":"x","wechat_openid":"bad id!"}"#, 422, "wechat_openid"),
            (#"{"name":"x","tags":[""]}"#, 422, "tags[0]"),
            (#"{"name":"x","phones":"13800138000"}"#, 400, "phones"),
            (#"{"name":"x","nickname":"y"}"#, 400, "nickname"),
        ]
        for (body, status, field) in cases {
            let response = try api.client.send("POST", "/v1/customers", headers: bearer(tenant.adminKey), json: body)
            #expect(response.status == status, "\(body): \(response.text)")
            #expect(response.problemFields.contains(field), "\(body): \(response.text)")
        }
        #expect((try api.get("/v1/customers", key: tenant.adminKey).json["items"] as? [Any])?.isEmpty == true)
    }

    @Test func vehiclesCheckVINAndPlateAndBelongToACustomerOfTheTenant() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let owner = try makeCustomer(api, tenant.adminKey, #"{"name":"李雷"}"#)
        let created = try api.client.send("POST", "/v1/vehicles", headers: bearer(tenant.adminKey), json: """
            {"customer_id":"\(owner)","vin":"lsvam4187c2184847","plate":"粤b·12345d","make":"Volkswagen","model":"Lavida",
             "year":2012,"mileage_km":120000,"mileage_read_on":"2026-11-20"}
            """)
        #expect(created.status == 201, "\(created.text)")
        #expect(created.json["vin"] as? String == "LSVAM4187C2184847")
        #expect(created.json["plate"] as? String == "粤B12345D")
        #expect(created.json["mileage_read_on"] as? String == "2026-11-20")
        let id = try #require(created.json["id"] as? String)

        let byPlate = try api.get("/v1/vehicles?plate=%E7%B2%A4B%2012345D", key: tenant.adminKey)
        #expect((byPlate.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
        let byCustomer = try api.get("/v1/vehicles?customer_id=\(owner)", key: tenant.adminKey)
        #expect((byCustomer.json["items"] as? [Any])?.count == 1)
        #expect((try api.get("/v1/vehicles?vin=LSVAM4187C2184840", key: tenant.adminKey)).problemFields == ["vin"])

        let cases: [(String, Int, String)] = [
            (#"{"customer_id":"\#(owner)","vin":"LSVAM4187C2184840"}"#, 422, "vin"),
            (#"{"customer_id":"\#(owner)","plate":"XX12345"}"#, 422, "plate"),
            (#"{"customer_id":"\#(owner)"}"#, 422, "plate"),
            (#"{"plate":"京A12345"}"#, 422, "customer_id"),
            (#"{"customer_id":"\#(UUID().uuidString)","plate":"京A12345"}"#, 422, "customer_id"),
            (#"{"customer_id":"not-a-uuid","plate":"京A12345"}"#, 400, "customer_id"),
            (#"{"customer_id":"\#(owner)","plate":"京A12345","year":1900}"#, 422, "year"),
            (#"{"customer_id":"\#(owner)","plate":"京A12345","mileage_read_on":"2026-13-01"}"#, 422, "mileage_read_on"),
            (#"{"customer_id":"\#(owner)","plate":"粤B12345D"}"#, 409, "plate"),
            (#"{"customer_id":"\#(owner)","vin":"LSVAM4187C2184847"}"#, 409, "vin"),
        ]
        for (body, status, field) in cases {
            let response = try api.client.send("POST", "/v1/vehicles", headers: bearer(tenant.adminKey), json: body)
            #expect(response.status == status, "\(body): \(response.text)")
            #expect(response.problemFields.contains(field), "\(body): \(response.text)")
        }

        // Clearing both identifiers would leave a vehicle no one can find: refused, nothing changed.
        let anonymous = try api.client.send("PATCH", "/v1/vehicles/\(id)", headers: bearer(tenant.adminKey, [("If-Match", "\"1\"")]),
                                            json: #"{"vin":null,"plate":null}"#)
        #expect(anonymous.status == 422)
        #expect(anonymous.problemFields == ["plate"])
        let moved = try api.client.send("PATCH", "/v1/vehicles/\(id)", headers: bearer(tenant.adminKey, [("If-Match", "\"1\"")]),
                                        json: #"{"mileage_km":125000,"colour":"白色"}"#)
        #expect(moved.status == 200, "\(moved.text)")
        #expect(moved.json["version"] as? Int == 2)
        #expect(moved.json["plate"] as? String == "粤B12345D")
    }

    @Test func anotherTenantCannotReachCustomersOrVehicles() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let a = try api.makeTenant()
        let b = try api.makeTenant()
        let customerA = try makeCustomer(api, a.adminKey, #"{"name":"韩梅梅","phones":["13900139000"],"external_id":"A-1"}"#)
        let vehicleA = try api.client.send("POST", "/v1/vehicles", headers: bearer(a.adminKey),
                                           json: #"{"customer_id":"\#(customerA)","plate":"沪AD12345"}"#)
        let vehicleID = try #require(vehicleA.json["id"] as? String)

        #expect(try api.get("/v1/customers/\(customerA)", key: b.adminKey).status == 404)
        #expect(try api.get("/v1/vehicles/\(vehicleID)", key: b.adminKey).status == 404)
        for query in ["/v1/customers?phone=13900139000", "/v1/customers?external_id=A-1", "/v1/customers",
                      "/v1/vehicles?plate=%E6%B2%AAAD12345", "/v1/vehicles?customer_id=\(customerA)", "/v1/vehicles"] {
            let listed = try api.get(query, key: b.adminKey)
            #expect(listed.status == 200)
            #expect(!listed.text.contains(customerA) && !listed.text.contains(vehicleID) && !listed.text.contains("韩梅梅"), "\(query)")
        }
        // B cannot hang a vehicle on A's customer, nor change A's records.
        let hijack = try api.client.send("POST", "/v1/vehicles", headers: bearer(b.adminKey),
                                         json: #"{"customer_id":"\#(customerA)","plate":"京B54321"}"#)
        #expect(hijack.status == 422)
        #expect(hijack.problemFields == ["customer_id"])
        let patch = try api.client.send("PATCH", "/v1/customers/\(customerA)", headers: bearer(b.adminKey, [("If-Match", "\"1\"")]),
                                        json: #"{"name":"Mine"}"#)
        #expect(patch.status == 404)
        // The same plate and CRM id are free in another tenant.
        let customerB = try makeCustomer(api, b.adminKey, #"{"name":"Other","external_id":"A-1"}"#)
        #expect(try api.client.send("POST", "/v1/vehicles", headers: bearer(b.adminKey),
                                    json: #"{"customer_id":"\#(customerB)","plate":"沪AD12345"}"#).status == 201)
    }
}
