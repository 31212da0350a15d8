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
}
