import Crypto
import Foundation
import Logging
import Notifications
import PitstopJobs
import PitstopStore
import PitstopTesting
import Testing

/// Webhook subscriptions fed from the outbox by the worker's relay and sender (which see every
/// tenant, hence the serialized sweeping suite).
extension SweepingTests {
    @Suite struct WebhookDeliveryTests {
        let dispatch = DispatchAPITests()
        let deliveries = NotificationDeliveryTests()
        var relay: EventRelay { EventRelay(database: TestDatabase.shared.database, logger: Logger(component: "test", minimumLevel: .error, sink: { _ in })) }

        func subscribe(_ api: TestAPI, _ key: String, _ receivers: ProviderReceivers, types: String) throws -> [String: Any] {
            let created = try api.client.send("POST", "/v1/webhooks", headers: bearer(key),
                                              json: #"{"name":"CRM","url":"\#(receivers.base)/hooks","event_types":\#(types)}"#)
            #expect(created.status == 201, "\(created.text)")
            receivers.webhookSecret = try #require(created.json["secret"] as? String)
            return created.json
        }

        @Test func aSubscriptionGetsEveryEventOfItsTypesSignedWithTheFeedsIds() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let subscription = try subscribe(api, f.adminKey, receivers, types: #"["work_order.created","work_order.status_changed"]"#)
            #expect(subscription["event_types"] as? [String] == ["work_order.created", "work_order.status_changed"])
            let orders = try (0..<2).map { _ in try dispatch.order(api, f) }
            try SLAAPITests().move(api, f, orders[0], "assigned", extra: #","assignee_id":"\#(f.engineers["陈师傅"]!)""#)
            // An event of a type it did not choose.
            let updated = try api.client.send("PATCH", "/v1/work-orders/\(orders[1])",
                                              headers: bearer(f.adminKey, [("If-Match", "\"1\"")]), json: #"{"priority":"P1"}"#)
            #expect(updated.status == 200, "\(updated.text)")

            _ = try relay.run()
            _ = try deliveries.sender().run()
            let received = receivers.received("webhook")
            #expect(received.compactMap { $0["type"] as? String }.sorted()
                        == ["work_order.created", "work_order.created", "work_order.status_changed"])
            // The same events, ids and data as the changes feed.
            let feed = try EventFeedAPITests().drain(api, f.adminKey, limit: 100).events
                .filter { ["work_order.created", "work_order.status_changed"].contains($0["type"] as? String) }
            #expect(Set(received.compactMap { $0["id"] as? String }) == Set(feed.compactMap { $0["id"] as? String }))
            #expect(Set(receivers.webhookArrivals) == Set(feed.compactMap { $0["id"] as? String }))
            let created = try #require(received.first { $0["type"] as? String == "work_order.created" })
            #expect((created["data"] as? [String: Any])?["number"] is String)
            // Relaying again sends nothing more.
            _ = try relay.run()
            #expect(try deliveries.sender().run() == (0, 0))
            #expect(receivers.webhookArrivals.count == 3)
            let log = try api.get("/v1/notification-deliveries?channel_id=\(subscription["id"] as? String ?? "")", key: f.adminKey)
            #expect((log.json["items"] as? [[String: Any]])?.count == 3)
        }

        @Test func aReplaySendsEventsAgainWithTheirIds() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let before = Date().addingTimeInterval(-1)
            let subscription = try subscribe(api, f.adminKey, receivers, types: #"["*"]"#)
            let id = try #require(subscription["id"] as? String)
            let orders = try (0..<3).map { _ in try dispatch.order(api, f) }
            _ = try relay.run()
            _ = try deliveries.sender().run()
            #expect(receivers.webhookArrivals.count == 3)
            let first = try #require(receivers.webhookArrivals.first)

            // One event again, with the id it had.
            let one = try api.client.send("POST", "/v1/webhooks/\(id)/replay", headers: bearer(f.adminKey), json: #"{"event_id":"\#(first)"}"#)
            #expect(one.status == 202 && one.json["queued"] as? Int == 1, "\(one.text)")
            _ = try deliveries.sender().run()
            #expect(receivers.webhookArrivals.filter { $0 == first }.count == 2)
            // A time range: all three again.
            let range = try api.client.send("POST", "/v1/webhooks/\(id)/replay", headers: bearer(f.adminKey), json: """
                {"from":"\(Timestamp.iso8601(before))","to":"\(Timestamp.iso8601(Date().addingTimeInterval(1)))"}
                """)
            #expect(range.json["queued"] as? Int == 3, "\(range.text)")
            _ = try deliveries.sender().run()
            #expect(receivers.webhookArrivals.count == 7)
            #expect(receivers.received("webhook").count == 3, "after de-duplication each event once")
            #expect(orders.count == 3)

            let both = try api.client.send("POST", "/v1/webhooks/\(id)/replay", headers: bearer(f.adminKey),
                                           json: #"{"event_id":"\#(first)","from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z"}"#)
            #expect(both.problemFields == ["event_id"])
            let unknown = try api.client.send("POST", "/v1/webhooks/\(id)/replay", headers: bearer(f.adminKey),
                                              json: #"{"event_id":"\#(UUID().uuidString)"}"#)
            #expect(unknown.status == 404 && unknown.problemFields == ["event_id"])
            let backwards = try api.client.send("POST", "/v1/webhooks/\(id)/replay", headers: bearer(f.adminKey),
                                                json: #"{"from":"2026-01-02T00:00:00Z","to":"2026-01-01T00:00:00Z"}"#)
            #expect(backwards.problemFields == ["to"])
        }

        @Test func aSubscriptionFailingForADayIsSwitchedOffAndTheAdminsHear() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let alerts = try deliveries.channel(api, f.adminKey, #"{"name":"运维群","kind":"wecom","url":"\#(receivers.base)/cgi-bin/webhook/send?key=wecom-key","alerts":true}"#)
            #expect(alerts["alerts"] as? Bool == true)
            let subscription = try subscribe(api, f.adminKey, receivers, types: #"["work_order.created"]"#)
            let id = try #require(subscription["id"] as? String)
            receivers.webhookDown = true
            _ = try dispatch.order(api, f)
            let now = Date()
            _ = try relay.run(now: now)
            _ = try deliveries.sender().run(now: now)
            let failing = try api.get("/v1/webhooks/\(id)", key: f.adminKey).json
            #expect(failing["failing_since"] is String && failing["active"] as? Bool == true)

            // Still failing a day later (the back-off brought the attempt round again): switched off.
            _ = try deliveries.sender().run(now: now.addingTimeInterval(25 * 3600))
            let off = try api.get("/v1/webhooks/\(id)", key: f.adminKey).json
            #expect(off["active"] as? Bool == false)
            #expect((off["disabled_reason"] as? String)?.contains("24 hours") == true)
            _ = try deliveries.sender().run(now: now.addingTimeInterval(25 * 3600 + 1))
            let alert = try #require(receivers.received("wecom").first)
            #expect(((alert["markdown"] as? [String: Any])?["content"] as? String)?.contains("Webhook 已停用") == true)
            let feed = try EventFeedAPITests().poll(api, f.adminKey, after: nil, count: 1, query: "&type=webhook.disabled").events
            #expect((feed.first?["data"] as? [String: Any])?["subscription_id"] as? String == id)
            #expect(try api.client.send("POST", "/v1/webhooks/\(id)/replay", headers: bearer(f.adminKey),
                                        json: #"{"event_id":"\#(UUID().uuidString)"}"#).status == 409)

            // Switched on again, its failure clock starts afresh.
            let on = try api.client.send("PUT", "/v1/webhooks/\(id)", headers: bearer(f.adminKey, [("If-Match", "\"\(off["version"] as? Int ?? 0)\"")]),
                                         json: #"{"name":"CRM","url":"\#(receivers.base)/hooks","event_types":["work_order.created"],"active":true}"#)
            #expect(on.status == 200, "\(on.text)")
            #expect(on.json["failing_since"] == nil && on.json["disabled_reason"] == nil && on.json["active"] as? Bool == true)
        }

        @Test func theWorkerRefusesPrivateAddressesUnlessTheOperatorAllowsThem() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            _ = try subscribe(api, f.adminKey, receivers, types: #"["work_order.created"]"#)
            _ = try dispatch.order(api, f)
            _ = try relay.run()
            // A worker without PITSTOP_ALLOW_PRIVATE_URLS: the receiver on 127.0.0.1 is off limits.
            let strict = DeliverySender(database: TestDatabase.shared.database, secrets: ChannelSecrets(key: NotificationDeliveryTests.key)!,
                                        logger: Logger(component: "test", minimumLevel: .error, sink: { _ in }),
                                        outbound: OutboundGuard(allowPrivate: false), backoff: { _ in 5 })
            _ = try strict.run()
            #expect(receivers.webhookArrivals.isEmpty)
            let pending = try #require((api.get("/v1/notification-deliveries?state=pending", key: f.adminKey).json["items"] as? [[String: Any]])?.first)
            #expect((pending["last_error"] as? String)?.contains("loopback") == true)
            _ = try deliveries.sender().run(now: Date().addingTimeInterval(6))
            #expect(receivers.webhookArrivals.count == 1)
        }
    }
}

/// Subscriptions through the API: checks, SSRF refusals, tenants kept apart.
@Suite struct WebhookAPITests {
    typealias NotificationDeliveryTests = SweepingTests.NotificationDeliveryTests

    @Test func urlsThatReachPrivateAddressesAreRefusedAndNamed() throws {
        let api = try TestAPI {
            $0.secretKey = NotificationDeliveryTests.key
            $0.allowPrivateURLs = false
        }
        defer { api.stop() }
        let tenant = try api.makeTenant()
        for (url, reason) in [("http://127.0.0.1:9/hooks", "loopback"), ("http://localhost/hooks", "loopback"), ("http://[::1]/x", "loopback"),
                              ("http://10.1.2.3/x", "private network"), ("https://192.168.0.7/x", "private network"),
                              ("http://169.254.169.254/latest/meta-data", "link-local"), ("http://[fe80::1]/x", "link-local"),
                              ("http://0.0.0.0/x", "unspecified"), ("http://2130706433/x", "loopback")] {
            let refused = try api.client.send("POST", "/v1/webhooks", headers: bearer(tenant.adminKey),
                                              json: #"{"url":"\#(url)","event_types":["*"]}"#)
            #expect(refused.status == 422 && refused.problemFields == ["url"], "\(url): \(refused.text)")
            #expect(refused.text.contains(reason), "\(url): \(refused.text)")
        }
        // Channels are held to the same rule.
        let channel = try api.client.send("POST", "/v1/notification-channels", headers: bearer(tenant.adminKey),
                                          json: #"{"name":"群","kind":"wecom","url":"http://10.0.0.8/cgi-bin/webhook/send?key=k"}"#)
        #expect(channel.problemFields == ["url"])
        // A public address is fine.
        let fine = try api.client.send("POST", "/v1/webhooks", headers: bearer(tenant.adminKey),
                                       json: #"{"url":"https://1.2.3.4/hooks","event_types":["work_order.created"]}"#)
        #expect(fine.status == 201, "\(fine.text)")
        #expect((fine.json["secret"] as? String)?.hasPrefix("whsec_") == true)
    }

    @Test func subscriptionsCheckTheirFieldsAndStayWithinTheirTenant() throws {
        let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
        defer { api.stop() }
        let a = try api.makeTenant()
        let b = try api.makeTenant()
        let bad = try api.client.send("POST", "/v1/webhooks", headers: bearer(a.adminKey),
                                      json: #"{"url":"ftp://x","event_types":["work_order.created","order.exploded"],"secret":"plain"}"#)
        #expect(Set(bad.problemFields) == ["url", "event_types[1]", "secret"])
        #expect(try api.client.send("POST", "/v1/webhooks", headers: bearer(a.adminKey), json: #"{"url":"https://1.2.3.4","event_types":[]}"#)
                    .problemFields == ["event_types"])
        let created = try api.client.send("POST", "/v1/webhooks", headers: bearer(a.adminKey),
                                          json: #"{"url":"https://1.2.3.4/hooks","event_types":["*"],"secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}"#)
        #expect(created.status == 201 && created.json["secret"] == nil, "\(created.text)")
        let id = try #require(created.json["id"] as? String)
        // Subscriptions are not among the channels, and the other way round.
        #expect(try api.get("/v1/notification-channels/\(id)", key: a.adminKey).status == 404)
        #expect(try api.get("/v1/webhooks", key: a.adminKey).json["items"].map { ($0 as? [Any])?.count } == 1)
        // Tenant B sees nothing of A's.
        #expect(try api.get("/v1/webhooks/\(id)", key: b.adminKey).status == 404)
        #expect(try api.get("/v1/webhooks", key: b.adminKey).json["items"].map { ($0 as? [Any])?.count } == 0)
        #expect(try api.client.send("POST", "/v1/webhooks/\(id)/replay", headers: bearer(b.adminKey),
                                    json: #"{"from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z"}"#).status == 404)
        #expect(try api.client.send("DELETE", "/v1/webhooks/\(id)", headers: bearer(b.adminKey)).status == 404)
        // Dispatchers do not manage subscriptions; integrations do.
        let dispatcher = try api.makeKey(adminKey: a.adminKey, role: .dispatcher)
        #expect(try api.get("/v1/webhooks", key: dispatcher.secret).status == 403)
        let integration = try api.makeKey(adminKey: a.adminKey, role: .integration)
        #expect(try api.get("/v1/webhooks", key: integration.secret).status == 200)
        #expect(try api.client.send("DELETE", "/v1/webhooks/\(id)", headers: bearer(a.adminKey)).status == 204)
    }
}
