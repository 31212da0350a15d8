import Foundation
import PitstopTesting
import Postgres
import Testing

/// A real pitstop-worker with one tenant's endpoint taking ten seconds a request: another
/// tenant's breach still goes out at once, the watchdog is pinged throughout, and SIGTERM ends the
/// worker well within systemd's 30 s, giving the sends it abandons back to go again.
extension SweepingTests {
    @Suite struct WorkerStallTests {
        let deliveries = NotificationDeliveryTests()
        let dispatch = DispatchAPITests()

        @Test func aTenantsSlowEndpointDelaysNoOneElseNorTheWatchdogAndSIGTERMGivesItsSendsBack() throws {
            let slow = try ProviderReceivers()
            defer { slow.stop() }
            let fast = try ProviderReceivers()
            defer { fast.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let owner = try Connection(TestDatabase.shared.ownerConfiguration)

            // Tenant B: 1,500 events waiting for a webhook that takes ten seconds to answer.
            let b = try api.makeTenant()
            let subscription = try api.client.send("POST", "/v1/webhooks", headers: bearer(b.adminKey),
                                                   json: #"{"name":"ERP","url":"\#(slow.base)/hooks","event_types":["*"]}"#)
            #expect(subscription.status == 201, "\(subscription.text)")
            slow.webhookSecret = try #require(subscription.json["secret"] as? String)
            slow.webhookDelay = 10
            let bTenant = try #require(UUID(uuidString: b.id))
            let bChannel = try #require((subscription.json["id"] as? String).flatMap(UUID.init(uuidString:)))
            try owner.query("""
                INSERT INTO notification_deliveries (tenant_id, id, event_id, channel_id, topic, message, next_attempt_at, created_at)
                SELECT \(bTenant), gen_random_uuid(), gen_random_uuid(), \(bChannel), 'work_order.updated',
                       '{"title":"t","markdown":"m","plain":"p","mobiles":[],"templateParams":{},"event":{"type":"work_order.updated"}}', now(), now()
                FROM generate_series(1, 1500)
                """)

            // Tenant A: an order whose resolution falls due two seconds from now, to a webhook that answers at once.
            let a = try dispatch.fixture(api)
            let hook = try deliveries.channel(api, a.adminKey, #"{"name":"CRM","kind":"webhook","url":"\#(fast.base)/hooks"}"#)
            fast.webhookSecret = try #require(hook["secret"] as? String)
            try deliveries.policy(api, a, escalation: #"{"on":"breach","channels":["\#(hook["id"] as? String ?? "")"]}"#)
            let order = try #require(UUID(uuidString: try dispatch.order(api, a)))
            try owner.query("""
                UPDATE work_order_sla_clocks SET due_at = now() + interval '2 seconds', warnings = '{}', next_check_at = now() + interval '2 seconds'
                WHERE work_order_id = \(order) AND target = 'resolution'
                """)

            let notify = try NotifySocketListener()
            let worker = try CommandRunner.start("pitstop-worker", environment: [
                "PATH": "/usr/bin:/bin", "DATABASE_URL": TestDatabase.shared.url(), "NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "3000000",
                "PITSTOP_SECRET_KEY": Data(NotificationDeliveryTests.key).base64EncodedString(), "PITSTOP_ALLOW_PRIVATE_URLS": "true",
                "PITSTOP_LOG_LEVEL": "error"])
            #expect(notify.waitFor("READY=1"))
            let ready = Date()
            let datagrams = notify.received(until: ready.addingTimeInterval(6))

            // A's breach arrived while B's first sends were still waiting for their answers.
            let breach = try #require(fast.arrivalsOf("webhook").first)
            #expect((breach.body["type"] as? String) == "work_order.sla_breached")
            #expect(breach.at < ready.addingTimeInterval(10), "A's breach came \(breach.at.timeIntervalSince(ready)) s after the worker started")
            let inFlight: Int = try owner.query("""
                SELECT count(*)::int AS n FROM notification_deliveries WHERE tenant_id = \(bTenant) AND attempts > 0 AND state = 'pending'
                """).rows[0].decode("n")
            #expect(inFlight >= 1 && inFlight <= 8, "B's sends under way: \(inFlight)")
            // The watchdog (3 s) was pinged at least twice in every interval.
            let pings = [ready] + datagrams.filter { $0.message == "WATCHDOG=1" }.map(\.at)
            let gaps = zip(pings, pings.dropFirst()).map { $1.timeIntervalSince($0) }
            #expect(pings.count >= 4 && (gaps.max() ?? 99) < 1.5, "watchdog pings \(gaps)")

            // SIGTERM with B's sends in flight: the worker is gone within ten seconds, cleanly.
            let signalled = Date()
            worker.signal(SIGTERM)
            let exit = worker.wait()
            #expect(exit.status == 0)
            #expect(Date().timeIntervalSince(signalled) < 10, "stopping took \(Date().timeIntervalSince(signalled)) s")

            // What it abandoned went back untried, to go again with the same event id.
            let abandoned: [(id: UUID, event: UUID, attempts: Int, state: String)] = try owner.query("""
                SELECT d.id, d.event_id, d.attempts, d.state FROM notification_deliveries d
                WHERE d.tenant_id = \(bTenant) AND EXISTS (SELECT 1 FROM notification_attempts a
                                                           WHERE a.tenant_id = d.tenant_id AND a.delivery_id = d.id AND a.outcome = 'abandoned')
                """).rows.map { (try $0.decode("id"), try $0.decode("event_id"), try $0.decode("attempts"), try $0.decode("state")) }
            #expect(!abandoned.isEmpty && abandoned.count <= 8)
            #expect(abandoned.allSatisfy { $0.attempts == 0 && $0.state == "pending" })
            slow.webhookDelay = 0
            let resent = abandoned.map(\.event.lowercasedText)
            let deadline = Date().addingTimeInterval(60)
            while !Set(resent).isSubset(of: Set(slow.webhookArrivals)) && Date() < deadline {
                _ = try deliveries.sender().run()
            }
            #expect(Set(resent).isSubset(of: Set(slow.webhookArrivals)))
            let states = try owner.query("""
                SELECT DISTINCT state FROM notification_deliveries WHERE tenant_id = \(bTenant) AND id = ANY (\(abandoned.map(\.id))::uuid[])
                """).rows.map { try $0.decode("state", as: String.self) }
            #expect(states == ["delivered"])
        }
    }
}
