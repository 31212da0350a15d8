import Crypto
import Foundation
import HTTPServer
import Logging
import Notifications
import PitstopTesting
import Postgres
import Testing

/// A worker process killed with SIGKILL in the middle of sending loses nothing and duplicates
/// nothing a receiver cannot recognise: another worker finishes the work (after the lease of what
/// was in flight), and after de-duplication on webhook-id the receiver has each event once.
/// Real workers sweep and send for every tenant, so this runs with the other sweeping tests, one
/// at a time, and with their secret key.
extension SweepingTests {
    @Suite struct WorkerCrashTests {
        final class Receiver: @unchecked Sendable {
            private let lock = NSLock()
            private var ids: [String] = []
            var secret = ""
            func add(_ id: String) { lock.withLock { ids.append(id) } }
            var received: [String] { lock.withLock { ids } }
        }

        @Test func aKilledWorkerLosesNothingAndReceiversSeeEachEventOnce() throws {
            let receiver = Receiver()
            let router = Router([Router.route("POST", "/hooks") { request in
                guard let id = request.headers["webhook-id"], let timestamp = request.headers["webhook-timestamp"].flatMap(Int64.init),
                      let key = StandardWebhooks.key(of: receiver.secret),
                      request.headers["webhook-signature"] == StandardWebhooks.signature(key: key, id: id, timestamp: timestamp, body: request.body) else {
                    return HTTPResponse(status: 401)
                }
                receiver.add(id)
                return .noContent()
            }])
            var configuration = HTTPServer.Configuration()
            configuration.port = 0
            let server = HTTPServer(configuration: configuration, router: router, logger: Logger(component: "receiver", minimumLevel: .error, sink: { _ in }))
            try server.start()
            defer { server.shutdown(grace: .seconds(1)) }

            let key = NotificationDeliveryTests.key
            let api = try TestAPI { $0.secretKey = key }
            defer { api.stop() }
            let tenant = try api.makeTenant()
            func post(_ path: String, _ json: String) throws -> [String: Any] {
                let response = try api.client.send("POST", path, headers: bearer(tenant.adminKey), json: json)
                #expect(response.status == 201, "\(path): \(response.text)")
                return response.json
            }
            let type = try #require(try post("/v1/work-order-types", #"{"code":"engine","name":"发动机维修"}"#)["id"] as? String)
            let customer = try #require(try post("/v1/customers", #"{"name":"王先生","phones":["13800138000"]}"#)["id"] as? String)
            let hook = try post("/v1/notification-channels", #"{"name":"CRM","kind":"webhook","url":"http://127.0.0.1:\#(server.port)/hooks"}"#)
            receiver.secret = try #require(hook["secret"] as? String)
            _ = try post("/v1/sla-policies", """
                {"name":"急修","is_default":true,"resolution":{"minutes":60,"business_time":false},
                 "escalation":[{"on":"breach","channels":["\(hook["id"] as? String ?? "")"]}]}
                """)
            let orders = try (0..<150).map { _ in
                try #require(try post("/v1/work-orders", #"{"type_id":"\#(type)","customer_id":"\#(customer)","description":"发动机抖动"}"#)["id"] as? String)
            }
            // Every order's resolution fell due a minute ago.
            let owner = try Connection(TestDatabase.shared.ownerConfiguration)
            try owner.query("""
                UPDATE work_order_sla_clocks SET due_at = now() - interval '1 minute', warnings = '{}', next_check_at = now() - interval '1 minute'
                WHERE work_order_id = ANY (\(orders.compactMap { UUID(uuidString: $0) })::uuid[])
                """)

            let environment = ["PATH": "/usr/bin:/bin", "DATABASE_URL": TestDatabase.shared.url(), "PITSTOP_SECRET_KEY": Data(key).base64EncodedString(),
                               "PITSTOP_DELIVERY_LEASE_SECONDS": "2", "PITSTOP_ALLOW_PRIVATE_URLS": "true",
                               "PITSTOP_LOG_LEVEL": "error"]
            let first = try CommandRunner.start("pitstop-worker", environment: environment)
            // Killed in the middle of sending: some deliveries sent, some sent but not yet recorded,
            // the rest waiting.
            let started = Date()
            while receiver.received.count < 10 && Date().timeIntervalSince(started) < 30 { Thread.sleep(forTimeInterval: 0.005) }
            first.signal(SIGKILL)
            _ = first.wait()
            let second = try CommandRunner.start("pitstop-worker", environment: environment)
            defer {
                second.signal(SIGTERM)
                _ = second.wait()
            }
            let deadline = Date().addingTimeInterval(60)
            while Set(receiver.received).count < orders.count && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }

            let events = try owner.query("""
                SELECT id FROM outbox WHERE topic = 'work_order.sla_breached' AND aggregate_id = ANY (\(orders.compactMap { UUID(uuidString: $0) })::uuid[])
                """).rows.map { try $0.decode("id", as: UUID.self).lowercasedText }
            // One breach per order: the sweep's transaction either committed or left the clock due.
            #expect(events.count == orders.count)
            #expect(Set(events).count == orders.count)
            // Each event reached the receiver; any repeat carried the same id.
            #expect(Set(receiver.received) == Set(events))
            // Every delivery is recorded delivered (the worker records an answer just after the
            // receiver has sent it, and resends of what was in flight at the kill come last).
            func pending() throws -> Int {
                try owner.query("""
                    SELECT count(*)::int AS n FROM notification_deliveries WHERE state <> 'delivered' AND event_id = ANY (\(events.compactMap { UUID(uuidString: $0) })::uuid[])
                    """).rows[0].decode("n", as: Int.self)
            }
            while try pending() > 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            #expect(try pending() == 0)
        }
    }
}
