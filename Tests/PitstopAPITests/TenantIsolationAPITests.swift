import Foundation
import PitstopCore
import PitstopTesting
import Testing

/// Tenant B's keys on tenant A's ids must answer exactly as for ids that do not exist, and never
/// show A's data.
@Suite struct TenantIsolationAPITests {
    @Test func tenantBCannotSeeOrTouchTenantA() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let a = try api.makeTenant(name: "Alpha Auto")
        let b = try api.makeTenant(name: "Beta Body Shop")
        let keyA = try api.makeKey(adminKey: a.adminKey, role: .readonly)

        let tenantB = try api.get("/v1/tenant", key: b.adminKey)
        #expect(tenantB.json["id"] as? String == b.id)
        #expect(!tenantB.text.contains(a.id) && !tenantB.text.contains("Alpha"))

        let keysB = try api.get("/v1/api-keys", key: b.adminKey)
        #expect(!keysB.text.contains(keyA.id) && !keysB.text.contains(a.id))

        #expect(try api.get("/v1/api-keys/\(keyA.id)", key: b.adminKey).status == 404)
        let revokeA = try api.client.send("DELETE", "/v1/api-keys/\(keyA.id)", headers: [("Authorization", "Bearer \(b.adminKey)")])
        let revokeMissing = try api.client.send("DELETE", "/v1/api-keys/\(UUID().uuidString.lowercased())",
                                                headers: [("Authorization", "Bearer \(b.adminKey)")])
        #expect(revokeA.status == 404)
        #expect(revokeA.status == revokeMissing.status)
        #expect(revokeA.json["detail"] as? String == revokeMissing.json["detail"] as? String)
        #expect(revokeA.json["title"] as? String == revokeMissing.json["title"] as? String)

        // A's key still works: B's attempt changed nothing.
        #expect(try api.get("/v1/tenant", key: keyA.secret).status == 200)
    }

    @Test func aKeyTextPointedAtAnotherTenantIsRefused() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let a = try api.makeTenant()
        let b = try api.makeTenant()
        // Splice B's tenant part into A's key: the lookup runs in B, finds no such prefix there.
        let aParts = a.adminKey.split(separator: "_")
        let bParts = b.adminKey.split(separator: "_")
        let spliced = [aParts[0], bParts[1], aParts[2], aParts[3]].joined(separator: "_")
        #expect(try api.get("/v1/tenant", key: spliced).status == 401)
    }

    /// Every order sub-resource added for dispatch and the engineer's work answers tenant B's key
    /// on tenant A's order exactly like a missing order, and changes nothing.
    @Test func tenantBReachesNoneOfTenantAsOrderWork() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let dispatch = DispatchAPITests()
        let a = try dispatch.fixture(api)
        let b = try dispatch.fixture(api)
        let order = try dispatch.order(api, a)
        let missing = UUID().uuidString.lowercased()
        let ifMatch = [("If-Match", "\"1\"")]
        let calls: [(String, String, String?)] = [
            ("GET", "candidates", nil), ("POST", "dispatch", nil), ("GET", "dispatch", nil), ("POST", "pool", nil),
            ("POST", "transfer", #"{"engineer_id":"\#(b.engineers["陈师傅"]!)","reason":"x"}"#),
            ("POST", "quality-check", #"{"inspector":"x","results":[{"item":"x","passed":true}]}"#),
            ("GET", "quality-checks", nil), ("GET", "trail", nil), ("GET", "report", nil), ("GET", "acceptance", nil),
            ("GET", "requisitions", nil), ("GET", "timeline", nil), ("GET", "media", nil), ("GET", "sla", nil),
            ("POST", "tracking-link", nil),
        ]
        for (method, leaf, json) in calls {
            for id in [order, missing] {
                let response = try api.client.send(method, "/v1/work-orders/\(id)/\(leaf)",
                                                   headers: bearer(b.adminKey, ifMatch + (json == nil ? [] : [("Content-Type", "application/json")])),
                                                   body: json.map { Array($0.utf8) })
                #expect(response.status == 404, "\(method) \(leaf) on \(id == order ? "A's order" : "a missing one"): \(response.status)")
            }
        }
        let untouched = try api.get("/v1/work-orders/\(order)", key: a.adminKey)
        #expect(untouched.json["version"] as? Int == 1)
        #expect(untouched.json["pooled_at"] == nil)
    }
}
