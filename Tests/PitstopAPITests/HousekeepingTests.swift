import Foundation
import Logging
import PitstopJobs
import PitstopTesting
import Postgres
import Synchronization
import Testing

/// Once-only periodic work under a lease. Each test takes a lease name of its own, so the real
/// worker other tests run (whose housekeeping uses the default name) does not interfere.
@Suite struct HousekeepingTests {
    func housekeeping(_ lease: String, holder: String) -> Housekeeping {
        Housekeeping(database: TestDatabase.shared.database, logger: Logger(component: "test", minimumLevel: .error, sink: { _ in }),
                     holder: holder, lease: lease)
    }

    @Test func oneWorkerRunsItOnceAnIntervalAndOldIdempotencyKeysGo() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let owner = try Connection(TestDatabase.shared.ownerConfiguration)
        let old = "old-\(UUID().uuidString)"
        let recent = "recent-\(UUID().uuidString)"
        for (key, age) in [(old, "25 hours"), (recent, "1 hour")] {
            try owner.query("""
                INSERT INTO idempotency_keys (tenant_id, key, request_hash, created_at)
                VALUES (\(UUID(uuidString: tenant.id)!), \(key), \(String(repeating: "a", count: 64)), now() - \(age)::interval)
                """)
        }
        let lease = "housekeeping_test_" + String(UUID().uuidString.lowercased().filter(\.isLetter).prefix(12))
        let now = Date()
        let ran = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 3) { index in
            if (try? housekeeping(lease, holder: "worker-\(index)").run(now: now)) == true { ran.withLock { $0 += 1 } }
        }
        #expect(ran.withLock { $0 } == 1)
        let left = try owner.query("SELECT key FROM idempotency_keys WHERE key IN (\(old), \(recent))").rows.map { try $0.decode("key", as: String.self) }
        #expect(left == [recent])
        // Not again within the hour, by anyone; again after it.
        #expect(try housekeeping(lease, holder: "worker-9").run(now: now.addingTimeInterval(600)) == false)
        #expect(try housekeeping(lease, holder: "worker-9").run(now: now.addingTimeInterval(3700)) == true)
    }

    /// Two chains, one keeping personal data a day (a week for notifications), one the defaults:
    /// 12,000 old GPS points (more than two batches), WeChat rows and settled notifications go
    /// past each chain's own period; what is younger, and a notification still pending, stays.
    @Test func personalDataPastEachTenantsRetentionGoesInBatchesAndTheRestStays() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let owner = try Connection(TestDatabase.shared.ownerConfiguration)
        struct Chain { var id: UUID; var order: UUID; var engineer: UUID; var account: UUID; var channel: UUID }
        func chain(_ retention: String?) throws -> Chain {
            let tenant = try api.makeTenant()
            func made(_ path: String, _ json: String) throws -> String {
                let answer = try api.client.send("POST", path, headers: bearer(tenant.adminKey), json: json)
                #expect(answer.status == 201, "\(path): \(answer.text)")
                return answer.json["id"] as? String ?? ""
            }
            if let retention {
                let patched = try api.client.send("PATCH", "/v1/tenant", headers: bearer(tenant.adminKey, [("If-Match", "\"1\"")]), json: retention)
                #expect(patched.status == 200, "\(patched.text)")
            }
            let type = try made("/v1/work-order-types", #"{"code":"repair","name":"维修"}"#)
            let order = try made("/v1/work-orders", #"{"type_id":"\#(type)","description":"异响","customer":{"name":"李四","phones":["13900000011"]}}"#)
            let engineer = try made("/v1/engineers", #"{"name":"王五"}"#)
            let account = try made("/v1/wechat-accounts", #"{"name":"号","original_id":"gh_retention","token":"Token123","type_id":"\#(type)"}"#)
            let channel = try made("/v1/notification-channels", #"{"name":"网关","kind":"http_sms","url":"https://sms.example.com/send"}"#)
            return Chain(id: UUID(uuidString: tenant.id)!, order: UUID(uuidString: order)!, engineer: UUID(uuidString: engineer)!,
                         account: UUID(uuidString: account)!, channel: UUID(uuidString: channel)!)
        }
        let brief = try chain(#"{"trail_retention_days":1,"wechat_message_retention_days":1,"notification_retention_days":7}"#)
        let standard = try chain(nil)
        for c in [brief, standard] {
            _ = try owner.query("""
                INSERT INTO location_trail (tenant_id, work_order_id, engineer_id, at, latitude, longitude)
                SELECT \(c.id)::uuid, \(c.order)::uuid, \(c.engineer)::uuid, now() - interval '2 days' - n * interval '1 second', 30.25, 120.15
                FROM generate_series(1, 12000) n
                UNION ALL SELECT \(c.id)::uuid, \(c.order)::uuid, \(c.engineer)::uuid, now() - interval '1 hour', 30.25, 120.15
                """)
            _ = try owner.query("""
                INSERT INTO wechat_messages (tenant_id, account_id, msg_id, from_openid, reply, received_at)
                VALUES (\(c.id), \(c.account), '1', 'oOld', '', now() - interval '2 days'), (\(c.id), \(c.account), '2', 'oNew', '', now())
                """)
            for (state, age) in [("delivered", "10 days"), ("dead", "10 days"), ("pending", "10 days"), ("delivered", "1 day")] {
                let delivery = UUID()
                _ = try owner.query("""
                    INSERT INTO notification_deliveries (tenant_id, id, event_id, channel_id, topic, message, state, next_attempt_at, created_at)
                    VALUES (\(c.id), \(delivery), \(UUID()), \(c.channel), 'work_order.status_changed', '{"plain":"x"}', \(state), now(),
                            now() - \(age)::interval)
                    """)
                _ = try owner.query("""
                    INSERT INTO notification_attempts (tenant_id, delivery_id, attempt, started_at, latency_ms)
                    VALUES (\(c.id), \(delivery), 1, now() - \(age)::interval, 5)
                    """)
            }
        }
        let lease = "housekeeping_test_" + String(UUID().uuidString.lowercased().filter(\.isLetter).prefix(12))
        #expect(try housekeeping(lease, holder: "worker-1").run(now: Date()))

        func count(_ table: String, _ c: Chain) throws -> Int {
            try owner.query("SELECT count(*) AS n FROM \(unsafeRaw: table) WHERE tenant_id = \(c.id)")[0].decode("n")
        }
        #expect(try count("location_trail", brief) == 1, "12,000 points two days old go, the fresh one stays")
        #expect(try count("location_trail", standard) == 12_001)
        #expect(try count("wechat_messages", brief) == 1 && count("wechat_messages", standard) == 2)
        let states = try owner.query("SELECT state FROM notification_deliveries WHERE tenant_id = \(brief.id) ORDER BY state").rows
            .map { try $0.decode("state", as: String.self) }
        #expect(states == ["delivered", "pending"], "settled ones past a week go with their attempts; a pending one is never dropped")
        #expect(try count("notification_attempts", brief) == 2 && count("notification_deliveries", standard) == 4)
        let refused = try api.client.send("PATCH", "/v1/tenant", headers: bearer(try api.makeTenant().adminKey, [("If-Match", "\"1\"")]),
                                          json: #"{"notification_retention_days":1}"#)
        #expect(refused.status == 422 && refused.problemFields == ["notification_retention_days"])
    }
}

