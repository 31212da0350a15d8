import Foundation
import PitstopCore
import PitstopTesting
import Testing

@Suite struct AuthenticationTests {
    @Test func missingOrMalformedKeysAre401WithWWWAuthenticate() throws {
        let api = try TestAPI()
        defer { api.stop() }
        for key: String? in [nil, "", "not-a-key", "psk_abc", "ppk_aaaaaaaa_" + String(repeating: "b", count: 32)] {
            let response = try api.client.send("GET", "/v1/tenant", headers: key.map { [("Authorization", "Bearer \($0)")] } ?? [])
            #expect(response.status == (key?.hasPrefix("ppk_") == true ? 403 : 401), "key \(key ?? "nil")")
            #expect(response.header("Content-Type") == "application/problem+json")
            if response.status == 401 { #expect(response.header("WWW-Authenticate")?.hasPrefix("Bearer") == true) }
        }
        let basic = try api.client.send("GET", "/v1/tenant", headers: [("Authorization", "Basic dXNlcjpwYXNz")])
        #expect(basic.status == 401)
    }

    @Test func keyLifecycleOverHTTP() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant(name: "Lifecycle Motors")
        let desk = try api.makeKey(adminKey: tenant.adminKey, role: .dispatcher)

        let me = try api.get("/v1/tenant", key: desk.secret)
        #expect(me.status == 200)
        #expect(me.json["name"] as? String == "Lifecycle Motors")
        #expect(me.json["id"] as? String == tenant.id)

        // A dispatcher may not manage keys.
        #expect(try api.get("/v1/api-keys", key: desk.secret).status == 403)

        let listed = try api.get("/v1/api-keys", key: tenant.adminKey)
        let items = listed.json["items"] as? [[String: Any]] ?? []
        #expect(items.count == 2)
        #expect(items.allSatisfy { $0["secret"] == nil })
        #expect(!listed.text.contains(desk.secret))
        // The GET above stamped the dispatcher key's last use, although reads run read-only.
        let deskItem = items.first { $0["id"] as? String == desk.id }
        #expect(deskItem?["last_used_at"] is String)

        let revoked = try api.client.send("DELETE", "/v1/api-keys/\(desk.id)", headers: [("Authorization", "Bearer \(tenant.adminKey)")])
        #expect(revoked.status == 204)
        let after = try api.get("/v1/tenant", key: desk.secret)
        #expect(after.status == 401)
        #expect(after.json["detail"] as? String == "the API key is not valid or was revoked")
    }

    @Test func platformKeysCreateTenantsAndNothingElse() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        #expect(try api.get("/v1/tenant", key: api.platformKey).status == 403)
        let byTenantKey = try api.client.send("POST", "/v1/platform/tenants", headers: [("Authorization", "Bearer \(tenant.adminKey)")],
                                              json: #"{"name":"Sneaky"}"#)
        #expect(byTenantKey.status == 403)
        let wrongPlatform = "ppk_testtest_" + String(repeating: "q", count: 32)
        let refused = try api.client.send("POST", "/v1/platform/tenants", headers: [("Authorization", "Bearer \(wrongPlatform)")],
                                          json: #"{"name":"Nope"}"#)
        #expect(refused.status == 401)
    }

    @Test func repeatedFailuresFromOneAddressAreSlowedButValidKeysPass() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        #expect(try api.get("/v1/tenant", key: tenant.adminKey).status == 200)
        let wrong = String(tenant.adminKey.dropLast(4)) + "aaaa"
        var statuses: [Int] = []
        for _ in 0..<15 { statuses.append(try api.get("/v1/tenant", key: wrong).status) }
        #expect(statuses.prefix(10).allSatisfy { $0 == 401 })
        #expect(statuses.last == 429)
        let throttled = try api.get("/v1/tenant", key: wrong)
        #expect(throttled.header("Retry-After").flatMap(Int.init).map { $0 >= 1 } == true)
        // The owner, who authenticated before, is not locked out by the guessing.
        #expect(try api.get("/v1/tenant", key: tenant.adminKey).status == 200)
    }
}
