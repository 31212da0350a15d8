import Foundation
import PitstopCore
import PitstopStore
import PitstopTesting
import Postgres
import Testing

@Suite struct TenantIsolationTests {
    let test = TestDatabase.shared

    @Test func appRoleWithoutATenantSeesNoRows() throws {
        _ = try test.makeTenant()
        let counts = try test.database.pool.transaction { tx in
            try ["tenants", "api_keys"].map { table in
                try tx.query("SELECT count(*)::int AS n FROM \(unsafeRaw: table)")[0].decode("n", as: Int.self)
            }
        }
        #expect(counts == [0, 0])
    }

    @Test func aTenantSeesOnlyItsOwnKeys() throws {
        let a = try test.makeTenant(name: "Chain A")
        let b = try test.makeTenant(name: "Chain B")
        let keyA = try test.database.withTenant(a) { try $0.apiKeys.create(name: "desk", role: .dispatcher) }
        _ = try test.database.withTenant(b) { try $0.apiKeys.create(name: "desk", role: .admin) }

        let listedByB = try test.database.withTenant(b) { try $0.apiKeys.list() }
        #expect(listedByB.count == 1)
        #expect(!listedByB.contains { $0.id == keyA.key.id })

        // B revoking A's key id is a miss, and A's key still works.
        #expect(throws: StoreError.notFound("API key")) { try test.database.withTenant(b) { try $0.apiKeys.revoke(id: keyA.key.id) } }
        let stillValid = try test.database.withTenant(a) {
            try $0.apiKeys.authenticate(prefix: prefix(of: keyA.secret), keySHA256: KeySecret.sha256(of: keyA.secret))
        }
        #expect(stillValid?.key.id == keyA.key.id)

        // Presenting A's key text while scoped to B finds nothing: the scope decides.
        let crossed = try test.database.withTenant(b) {
            try $0.apiKeys.authenticate(prefix: prefix(of: keyA.secret), keySHA256: KeySecret.sha256(of: keyA.secret))
        }
        #expect(crossed == nil)
    }

    @Test func rowLevelSecurityRefusesWritesIntoAnotherTenant() throws {
        let a = try test.makeTenant()
        let b = try test.makeTenant()
        let error = #expect(throws: PostgresError.self) {
            try test.database.pool.transaction(settings: [(name: "app.tenant_id", value: b.uuidString)]) { tx in
                try tx.execute("""
                    INSERT INTO api_keys (tenant_id, id, prefix, secret_sha256, name, role)
                    VALUES (\(a), \(UUID()), 'abcdefgh', \(String(repeating: "0", count: 64)), 'x', 'admin')
                    """)
            }
        }
        #expect(error?.sqlState == .insufficientPrivilege)
    }

    @Test func keyLifecycle() throws {
        let tenant = try test.makeTenant()
        let created = try test.database.withTenant(tenant) { try $0.apiKeys.create(name: "integration", role: .integration) }
        #expect(created.secret.hasPrefix("psk_"))
        guard case .tenant(let parsedTenant, let parsedPrefix)? = APIKeyText.parse(created.secret) else {
            Issue.record("the key text does not parse")
            return
        }
        #expect(parsedTenant == tenant)
        #expect(created.key.displayPrefix.hasSuffix(parsedPrefix))

        let used = try test.database.withTenant(tenant) { try $0.apiKeys.authenticate(prefix: parsedPrefix, keySHA256: KeySecret.sha256(of: created.secret)) }
        #expect(used?.tenant.id == tenant)
        #expect(used?.key.role == .integration)
        #expect(used.map { APIKeyRepository.needsStamp($0.key, now: Date()) } == true)
        try test.database.withTenant(tenant) { try $0.apiKeys.stampLastUsed(id: created.key.id, at: Date()) }
        let stamped = try test.database.withTenant(tenant) { try $0.apiKeys.list() }.first
        #expect(stamped?.lastUsedAt != nil)

        let wrongSecret = String(created.secret.dropLast()) + (created.secret.last == "a" ? "b" : "a")
        #expect(try test.database.withTenant(tenant) { try $0.apiKeys.authenticate(prefix: parsedPrefix, keySHA256: KeySecret.sha256(of: wrongSecret)) } == nil)

        _ = try test.database.withTenant(tenant) { try $0.apiKeys.revoke(id: created.key.id) }
        #expect(try test.database.withTenant(tenant) { try $0.apiKeys.authenticate(prefix: parsedPrefix, keySHA256: KeySecret.sha256(of: created.secret)) } == nil)
    }

    func prefix(of key: String) -> String {
        String(key.split(separator: "_")[2])
    }
}
