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
}
