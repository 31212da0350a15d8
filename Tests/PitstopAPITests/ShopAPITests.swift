import Foundation
import PitstopCore
import PitstopTesting
import Testing

@Suite struct ShopAPITests {
    static let westLake = #"""
        {"name":"西湖店","address":"杭州市西湖区文三路 1 号","location":{"latitude":30.27,"longitude":120.13},
         "phone":"+86 571 8888 0000","opening_hours":{"mon":[["08:30","12:00"],["13:00","18:00"]],"sat":[["09:00","16:00"]]}}
        """#

    @Test func createReadListAndUpdateWithOptimisticConcurrency() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let created = try api.client.send("POST", "/v1/shops", headers: bearer(tenant.adminKey), json: Self.westLake)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.json["id"] as? String)
        #expect(created.header("Location") == "/v1/shops/\(id)")
        #expect(created.header("ETag") == "\"1\"")
        #expect(created.json["timezone"] as? String == "Asia/Shanghai")
        #expect((created.json["opening_hours"] as? [String: Any])?["sat"] != nil)

        let fetched = try api.get("/v1/shops/\(id)", key: tenant.adminKey)
        #expect(fetched.json["name"] as? String == "西湖店")
        #expect((fetched.json["location"] as? [String: Any])?["latitude"] as? Double == 30.27)

        let renamed = try api.client.send("PATCH", "/v1/shops/\(id)", headers: bearer(tenant.adminKey, [("If-Match", "\"1\"")]),
                                          json: #"{"name":"西湖旗舰店","phone":null,"location":null}"#)
        #expect(renamed.status == 200, "\(renamed.text)")
        #expect(renamed.header("ETag") == "\"2\"")
        #expect(renamed.json["name"] as? String == "西湖旗舰店")
        #expect(renamed.json["phone"] == nil && renamed.json["location"] == nil)
        #expect(renamed.json["address"] as? String == "杭州市西湖区文三路 1 号")

        let stale = try api.client.send("PATCH", "/v1/shops/\(id)", headers: bearer(tenant.adminKey, [("If-Match", "\"1\"")]),
                                        json: #"{"name":"Lost update"}"#)
        #expect(stale.status == 412)
        #expect(stale.header("ETag") == "\"2\"")
        let unconditional = try api.client.send("PATCH", "/v1/shops/\(id)", headers: bearer(tenant.adminKey), json: #"{"name":"x"}"#)
        #expect(unconditional.status == 428)
        #expect(unconditional.problemFields == ["If-Match"])
        #expect(try api.get("/v1/shops/\(id)", key: tenant.adminKey).json["name"] as? String == "西湖旗舰店")

        let listed = try api.get("/v1/shops", key: tenant.adminKey)
        #expect((listed.json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
    }

    @Test func rolesDecideWhoMayWrite() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let readonly = try api.makeKey(adminKey: tenant.adminKey, role: .readonly)
        #expect(try api.client.send("POST", "/v1/shops", headers: bearer(readonly.secret), json: #"{"name":"x"}"#).status == 403)
        #expect(try api.get("/v1/shops", key: readonly.secret).status == 200)
    }

    @Test func badInputNamesTheField() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let cases: [(String, Int, String)] = [
            (#"{"address":"no name"}"#, 422, "name"),
            (#"{"name":null}"#, 400, "name"),
            (#"{"name":"x","location":{"latitude":91,"longitude":0}}"#, 422, "location.latitude"),
            (#"{"name":"x","location":{"latitude":30}}"#, 422, "location.longitude"),
            (#"{"name":"x","opening_hours":{"mon":[["18:00","08:00"]]}}"#, 422, "opening_hours.mon[0]"),
            (#"{"name":"x","opening_hours":{"funday":[]}}"#, 422, "opening_hours.funday"),
            (#"{"name":"x","opening_hours":{"mon":[["8am","6pm"]]}}"#, 422, "opening_hours.mon[0]"),
            (#"{"name":"x","timezone":"Mars/Base"}"#, 422, "timezone"),
            (#"{"name":"x","phone":"call me"}"#, 422, "phone"),
            (#"{"name":"x","colour":"red"}"#, 400, "colour"),
        ]
        for (body, status, field) in cases {
            let response = try api.client.send("POST", "/v1/shops", headers: bearer(tenant.adminKey), json: body)
            #expect(response.status == status, "\(body): \(response.text)")
            #expect(response.problemFields.contains(field), "\(body): \(response.text)")
        }
        #expect((try api.get("/v1/shops", key: tenant.adminKey).json["items"] as? [Any])?.isEmpty == true)
        let badTag = try api.client.send("PATCH", "/v1/shops/\(UUID().uuidString)", headers: bearer(tenant.adminKey, [("If-Match", "v1")]),
                                         json: #"{"name":"x"}"#)
        #expect(badTag.status == 400)
    }

    @Test func anotherTenantCannotSeeOrChangeAShop() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let a = try api.makeTenant()
        let b = try api.makeTenant()
        let created = try api.client.send("POST", "/v1/shops", headers: bearer(a.adminKey), json: Self.westLake)
        let id = try #require(created.json["id"] as? String)
        let missing = UUID().uuidString.lowercased()

        let getA = try api.get("/v1/shops/\(id)", key: b.adminKey)
        let getMissing = try api.get("/v1/shops/\(missing)", key: b.adminKey)
        #expect(getA.status == 404)
        #expect(getA.json["detail"] as? String == getMissing.json["detail"] as? String)

        let patchA = try api.client.send("PATCH", "/v1/shops/\(id)", headers: bearer(b.adminKey, [("If-Match", "\"1\"")]), json: #"{"name":"Mine"}"#)
        let patchMissing = try api.client.send("PATCH", "/v1/shops/\(missing)", headers: bearer(b.adminKey, [("If-Match", "\"1\"")]), json: #"{"name":"Mine"}"#)
        #expect(patchA.status == 404)
        #expect(patchA.json["detail"] as? String == patchMissing.json["detail"] as? String)

        let listB = try api.get("/v1/shops", key: b.adminKey)
        #expect(!listB.text.contains(id) && !listB.text.contains("西湖"))
        #expect(try api.get("/v1/shops/\(id)", key: a.adminKey).json["name"] as? String == "西湖店")
    }

    @Test func idempotencyKeyReplaysAndRefusesADifferentBody() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let headers = bearer(tenant.adminKey, [("Idempotency-Key", "shop-create-001")])
        let first = try api.client.send("POST", "/v1/shops", headers: headers, json: Self.westLake)
        let again = try api.client.send("POST", "/v1/shops", headers: headers, json: Self.westLake)
        #expect(first.status == 201)
        #expect(again.status == 201)
        #expect(again.text == first.text)
        #expect(again.header("Location") == first.header("Location"))
        #expect(again.header("Idempotent-Replayed") == "true")
        let different = try api.client.send("POST", "/v1/shops", headers: headers, json: #"{"name":"Another"}"#)
        #expect(different.status == 422)
        #expect(different.problemFields == ["Idempotency-Key"])
        #expect((try api.get("/v1/shops", key: tenant.adminKey).json["items"] as? [Any])?.count == 1)

        // The same key in another tenant is another key.
        let other = try api.makeTenant()
        #expect(try api.client.send("POST", "/v1/shops", headers: bearer(other.adminKey, [("Idempotency-Key", "shop-create-001")]),
                                    json: #"{"name":"Other"}"#).status == 201)
    }

    @Test func twentyConcurrentRetriesCreateOneShop() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let headers = bearer(tenant.adminKey, [("Idempotency-Key", "burst-\(UUID().uuidString)")])
        let results = Responses()
        let group = DispatchGroup()
        let client = api.client
        for _ in 0..<20 {
            group.enter()
            Thread.detachNewThread {
                results.add(try? client.send("POST", "/v1/shops", headers: headers, json: Self.westLake))
                group.leave()
            }
        }
        group.wait()
        let all = results.values
        #expect(all.count == 20)
        #expect(all.allSatisfy { $0?.status == 201 }, "\(all.map { $0?.status ?? 0 })")
        #expect(Set(all.compactMap { $0?.json["id"] as? String }).count == 1)
        #expect((try api.get("/v1/shops", key: tenant.adminKey).json["items"] as? [Any])?.count == 1)
    }
}

final class Responses: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [RawHTTPClient.Response?] = []
    func add(_ response: RawHTTPClient.Response?) { lock.withLock { stored.append(response) } }
    var values: [RawHTTPClient.Response?] { lock.withLock { stored } }
}
