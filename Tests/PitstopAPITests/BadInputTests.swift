import Foundation
import PitstopTesting
import Testing

@Suite struct BadInputTests {
    @Test func creatingKeysRejectsBadBodiesNamingTheField() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let auth = [("Authorization", "Bearer \(tenant.adminKey)")]
        let cases: [(body: String, status: Int, field: String?)] = [
            (#"{"name":"x","role":"wizard"}"#, 422, "role"),
            (#"{"name":"","role":"admin"}"#, 422, "name"),
            (#"{"name":"   ","role":"admin"}"#, 422, "name"),
            (#"{"name":7,"role":"admin"}"#, 400, "name"),
            (#"{"name":"x"}"#, 422, "role"),
            (#"{"name":"x","role":"admin","scopes":["all"]}"#, 400, "scopes"),
            (#"{"name":"x","role":null}"#, 400, "role"),
            (#"["name","role"]"#, 400, nil),
            (#"{"name":"x","#, 400, nil),
            ("", 400, nil),
        ]
        for item in cases {
            let response = try api.client.send("POST", "/v1/api-keys", headers: auth, json: item.body)
            #expect(response.status == item.status, "body \(item.body): \(response.text)")
            #expect(response.header("Content-Type") == "application/problem+json")
            if let field = item.field { #expect(response.problemFields.contains(field), "body \(item.body): \(response.text)") }
        }
        // None of that created anything.
        let listed = try api.get("/v1/api-keys", key: tenant.adminKey)
        #expect((listed.json["items"] as? [Any])?.count == 1)
    }

    @Test func nulCharactersAreRefusedNamingTheField() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        // PostgreSQL text cannot hold U+0000; it must be a 400 before it gets that far.
        let key = try api.client.send("POST", "/v1/api-keys", headers: bearer(tenant.adminKey), json: #"{"name":"a\u0000b","role":"admin"}"#)
        #expect(key.status == 400, "\(key.text)")
        #expect(key.problemFields == ["name"])
        let nested = try api.client.send("POST", "/v1/customers", headers: bearer(tenant.adminKey),
                                         json: #"{"name":"x","tags":["ok","b\u0000d"]}"#)
        #expect(nested.status == 400, "\(nested.text)")
        #expect(nested.problemFields == ["tags[1]"])
        #expect((try api.get("/v1/customers", key: tenant.adminKey).json["items"] as? [Any])?.isEmpty == true)
    }

    @Test func creatingTenantsRejectsBadTimezones() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let response = try api.client.send("POST", "/v1/platform/tenants", headers: [("Authorization", "Bearer \(api.platformKey)")],
                                           json: #"{"name":"Zone Motors","timezone":"Mars/Olympus"}"#)
        #expect(response.status == 422)
        #expect(response.problemFields == ["timezone"])
    }

    @Test func oversizedBodiesAre413() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let huge = #"{"name":""# + String(repeating: "x", count: 2 << 20) + #"","role":"admin"}"#
        let response = try api.client.send("POST", "/v1/api-keys", headers: [("Authorization", "Bearer \(tenant.adminKey)")], json: huge)
        #expect(response.status == 413)
    }

    @Test func badPaginationIsA400NamingTheParameter() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        for query in ["limit=0", "limit=101", "limit=abc", "cursor=%%%", "cursor=bm9wZQ"] {
            let response = try api.get("/v1/api-keys?\(query)", key: tenant.adminKey)
            #expect(response.status == 400, "\(query)")
            #expect(response.problemFields == [String(query.prefix { $0 != "=" })], "\(query)")
        }
    }

    @Test func paginationWalksEveryKeyOnce() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        var made: Set<String> = []
        for _ in 0..<5 { made.insert(try api.makeKey(adminKey: tenant.adminKey, role: .readonly).id) }
        var seen: [String] = []
        var cursor: String?
        repeat {
            let path = "/v1/api-keys?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
            let page = try api.get(path, key: tenant.adminKey)
            #expect(page.status == 200)
            seen += (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            cursor = page.json["next_cursor"] as? String
        } while cursor != nil
        #expect(seen.count == 6)
        #expect(Set(seen).count == 6)
        #expect(made.isSubset(of: Set(seen)))
    }

    @Test func unknownRoutesAndMethods() throws {
        let api = try TestAPI()
        defer { api.stop() }
        #expect(try api.client.send("GET", "/v1/nothing-here").status == 404)
        let wrong = try api.client.send("PATCH", "/v1/api-keys")
        #expect(wrong.status == 405)
        #expect(wrong.header("Allow") == "POST, GET")
    }
}
