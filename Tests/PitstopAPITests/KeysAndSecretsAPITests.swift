import Foundation
import PitstopTesting
import Postgres
import Synchronization
import Testing

/// Secrets shown once stay shown once, keys stop with what they belong to, a tenant cannot lock
/// itself out, and an order never waits for a signature that cannot be given.
@Suite struct KeysAndSecretsAPITests {
    let mobile = MobileAPITests()
    let dispatch = DispatchAPITests()

    func idempotencyRows(containing text: String) throws -> Int {
        let owner = try Connection(TestDatabase.shared.ownerConfiguration)
        return try owner.query("SELECT count(*)::int AS n FROM idempotency_keys WHERE strpos(response_body, \(text)) > 0").rows[0].decode("n")
    }

    @Test func aRetriedCreationWithTheSameIdempotencyKeyMakesOneRecordAndNeverShowsOrStoresTheSecretAgain() throws {
        let api = try TestAPI { $0.secretKey = SweepingTests.NotificationDeliveryTests.key }
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let retries: [(path: String, json: String, list: String)] = [
            ("/v1/webhooks", #"{"name":"ERP","url":"https://erp.example.com/hooks","event_types":["*"]}"#, "/v1/webhooks"),
            ("/v1/notification-channels", #"{"name":"CRM","kind":"webhook","url":"https://crm.example.com/hooks"}"#, "/v1/notification-channels"),
            ("/v1/api-keys", #"{"name":"dispatch desk","role":"dispatcher"}"#, "/v1/api-keys"),
        ]
        for (path, json, list) in retries {
            let before = (try api.get(list, key: tenant.adminKey).json["items"] as? [Any])?.count ?? 0
            let headers = bearer(tenant.adminKey, [("Idempotency-Key", "retry-\(UUID().uuidString)")])
            let first = try api.client.send("POST", path, headers: headers, json: json)
            #expect(first.status == 201, "\(path): \(first.text)")
            let secret = try #require(first.json["secret"] as? String, "\(path) shows its secret once")
            let replay = try api.client.send("POST", path, headers: headers, json: json)
            #expect(replay.status == 201 && replay.header("Idempotent-Replayed") == "true", "\(path): \(replay.status)")
            #expect(replay.json["id"] as? String == first.json["id"] as? String)
            #expect(replay.json["secret"] == nil && !replay.text.contains(secret), "\(path) replayed its secret")
            #expect(try idempotencyRows(containing: secret) == 0, "\(path) stored its secret for replays")
            #expect((try api.get(list, key: tenant.adminKey).json["items"] as? [Any])?.count == before + 1, "\(path) made two")
            // The Location names a record the API serves, without its secret.
            let location = try #require(first.header("Location"))
            let read = try api.get(location, key: tenant.adminKey)
            #expect(read.status == 200 && read.json["id"] as? String == first.json["id"] as? String && !read.text.contains(secret), "\(location)")
        }
    }

    @Test func publicLinksAreKeptAsHashesAndShownOnlyWhenMade() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let headers = bearer(f.adminKey, [("Idempotency-Key", "link-\(UUID().uuidString)")])
        let json = #"{"name":"前台二维码","channel":"qr","type_id":"\#(f.typeID)"}"#
        let made = try api.client.send("POST", "/v1/intake-links", headers: headers, json: json)
        #expect(made.status == 201, "\(made.text)")
        let token = try #require(made.json["token"] as? String)
        let secret = String(token.split(separator: "_").last ?? "")
        // No table holds the secret: the link, and the answer kept for an idempotent retry.
        let owner = try Connection(TestDatabase.shared.ownerConfiguration)
        let stored: Int = try owner.query("""
            SELECT (SELECT count(*) FROM intake_links l WHERE strpos(l::text, \(secret)) > 0)
                 + (SELECT count(*) FROM idempotency_keys k WHERE strpos(k::text, \(secret)) > 0) AS n
            """).rows[0].decode("n")
        #expect(stored == 0)
        let id = try #require(made.json["id"] as? String)
        #expect(try api.get("/v1/intake-links/\(id)", key: f.adminKey).json["url"] == nil)
        let replay = try api.client.send("POST", "/v1/intake-links", headers: headers, json: json)
        #expect(replay.json["id"] as? String == id && replay.json["token"] == nil && !replay.text.contains(secret))
        // The printed link still takes reports.
        #expect(try api.client.send("GET", "/v1/public/intake/\(token)").status == 200)
    }

    @Test func deactivatingAnEngineerStopsTheirKeysAtOnceAndReactivatingRestoresThem() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let key = try mobile.pool.engineerKey(api, f, "陈师傅")
        let engineer = try #require(f.engineers["陈师傅"])
        #expect(try api.get("/v1/me/queue", key: key).status == 200)
        func setActive(_ active: Bool) throws {
            let current = try api.get("/v1/engineers/\(engineer)", key: f.adminKey)
            let changed = try api.client.send("PATCH", "/v1/engineers/\(engineer)", headers: bearer(f.adminKey, [("If-Match", current.header("ETag") ?? "")]),
                                              json: #"{"active":\#(active)}"#)
            #expect(changed.status == 200, "\(changed.text)")
        }
        try setActive(false)
        // The key could read customers' phones and WeChat ids; now it reads nothing.
        for path in ["/v1/me/queue", "/v1/customers", "/v1/work-orders"] {
            #expect(try api.get(path, key: key).status == 401, "\(path)")
        }
        try setActive(true)
        #expect(try api.get("/v1/me/queue", key: key).status == 200)
    }

    @Test func theLastAdminKeyCannotBeRevokedEvenByTwoRevocationsAtOnce() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let keys = try #require(try api.get("/v1/api-keys", key: tenant.adminKey).json["items"] as? [[String: Any]])
        let first = try #require(keys.first?["id"] as? String)
        let alone = try api.client.send("DELETE", "/v1/api-keys/\(first)", headers: bearer(tenant.adminKey))
        #expect(alone.status == 409 && alone.text.contains("create another"), "\(alone.text)")
        // Two admins revoke each other's key at the same moment: one wins, one is refused.
        let second = try api.makeKey(adminKey: tenant.adminKey, role: .admin)
        let statuses = Mutex<[Int]>([])
        let both = DispatchGroup()
        let port = api.server.port
        for (actor, target) in [(tenant.adminKey, second.id), (second.secret, first)] {
            both.enter()
            Thread.detachNewThread {
                let status = (try? RawHTTPClient(port: port).send("DELETE", "/v1/api-keys/\(target)", headers: bearer(actor)).status) ?? 0
                statuses.withLock { $0.append(status) }
                both.leave()
            }
        }
        both.wait()
        #expect(statuses.withLock { $0.sorted() } == [204, 409] || statuses.withLock { $0.sorted() } == [204, 401], "\(statuses.withLock { $0 })")
        let left = try Connection(TestDatabase.shared.ownerConfiguration).query("""
            SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = \(UUID(uuidString: tenant.id)!) AND role = 'admin' AND revoked_at IS NULL
            """).rows[0].decode("n", as: Int.self)
        #expect(left == 1)
    }

    @Test func anOrderWithoutARepairReportCannotPassItsQualityCheck() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let (id, key) = try mobile.assignedToChen(api, f)
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/accept", headers: bearer(key)).status == 200)
        func move(_ step: String) throws -> RawHTTPClient.Response {
            let current = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
            return try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", current.header("ETag") ?? "")]),
                                       json: #"{"to":"\#(step)"}"#)
        }
        for step in ["diagnosing", "repairing", "quality_check"] { #expect(try move(step).status == 200) }
        func passCheck() throws -> RawHTTPClient.Response {
            let current = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
            return try api.client.send("POST", "/v1/work-orders/\(id)/quality-check", headers: bearer(f.adminKey, [("If-Match", current.header("ETag") ?? "")]),
                                       json: #"{"inspector":"质检员","results":[{"item":"试车无异响","passed":true}]}"#)
        }
        let refused = try passCheck()
        #expect(refused.status == 409 && refused.text.contains("repair report"), "\(refused.text)")
        #expect(try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["status"] as? String == "quality_check")
        // With the report saved, it passes.
        #expect(try api.client.send("PUT", "/v1/me/work-orders/\(id)/report", headers: bearer(key),
                                    json: #"{"diagnosis":"刹车片磨损","work_performed":"更换前刹车片"}"#).status == 201)
        let passed = try passCheck()
        #expect(passed.status == 200, "\(passed.text)")
        #expect(try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["status"] as? String == "awaiting_acceptance")
    }
}
