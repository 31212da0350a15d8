import Crypto
import Foundation
import HTTPServer
import Logging
import Notifications
import PitstopJobs
import PitstopStore
import PitstopTesting
import Postgres
import Synchronization
import Testing

/// Escalations from the SLA sweep delivered to receivers on 127.0.0.1 that check each request
/// the way DingTalk, WeCom, Aliyun and Standard Webhooks receivers do (`ProviderReceivers`).
extension SweepingTests {
    @Suite struct NotificationDeliveryTests {
        static let key = RandomToken.bytes(32)
        let dispatch = DispatchAPITests()
        let sla = SLAAPITests()

        var sweep: SLASweep { SLASweep(database: TestDatabase.shared.database, logger: Logger(component: "test", minimumLevel: .error, sink: { _ in })) }

        func sender(maxAttempts: Int = 8) -> DeliverySender {
            DeliverySender(database: TestDatabase.shared.database, secrets: ChannelSecrets(key: Self.key)!,
                           logger: Logger(component: "test", minimumLevel: .error, sink: { _ in }), outbound: OutboundGuard(allowPrivate: true),
                           maxAttempts: maxAttempts, backoff: { _ in 5 })
        }

        func channel(_ api: TestAPI, _ admin: String, _ json: String) throws -> [String: Any] {
            let created = try api.client.send("POST", "/v1/notification-channels", headers: bearer(admin), json: json)
            #expect(created.status == 201, "\(created.text)")
            return created.json
        }

        /// The tenant's default policy: `target` within one minute of calendar time, a warning at
        /// half of it, and the given escalation levels (JSON array items).
        func policy(_ api: TestAPI, _ f: DispatchAPITests.Fixture, target: String = "resolution", escalation: String) throws {
            let policy = try api.client.send("POST", "/v1/sla-policies", headers: bearer(f.adminKey), json: """
                {"name":"急修","is_default":true,"warn_at":[0.5],"\(target)":{"minutes":1,"business_time":false},"escalation":[\(escalation)]}
                """)
            #expect(policy.status == 201, "\(policy.text)")
        }

        /// An order whose one-minute resolution target has been warned about (at 40 s) to a webhook
        /// on `receivers`; returns when the order was created.
        func warnedToWebhook(_ api: TestAPI, _ f: DispatchAPITests.Fixture, _ receivers: ProviderReceivers) throws -> Date {
            let hook = try channel(api, f.adminKey, #"{"name":"CRM","kind":"webhook","url":"\#(receivers.base)/hooks"}"#)
            receivers.webhookSecret = try #require(hook["secret"] as? String)
            try policy(api, f, escalation: #"{"on":"warning","channels":["\#(hook["id"] as? String ?? "")"]}"#)
            let id = try dispatch.order(api, f)
            let start = try SweepingTests.SLASweepTests().created(api, f, id)
            _ = try sweep.run(now: start.addingTimeInterval(40))
            return start
        }

        @Test func aBreachReachesEveryChannelSignedAsEachServiceExpects() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = Self.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let ding = try channel(api, f.adminKey, #"{"name":"维修群","kind":"dingtalk","url":"\#(receivers.base)/robot/send?access_token=ding-token","secret":"\#(ProviderReceivers.dingTalkSecret)","settings":{"mobiles":["13800138000"]}}"#)
            #expect(ding["secret"] == nil && ding["has_secret"] as? Bool == true)
            let wecom = try channel(api, f.adminKey, #"{"name":"店长群","kind":"wecom","url":"\#(receivers.base)/cgi-bin/webhook/send?key=wecom-key"}"#)
            let sms = try channel(api, f.adminKey, #"{"name":"短信","kind":"aliyun_sms","url":"\#(receivers.base)/sms","secret":"\#(ProviderReceivers.aliyunSecret)","settings":{"access_key_id":"LTAI","sign_name":"派修","template_code":"SMS_1","mobiles":["13900139000"]}}"#)
            let hook = try channel(api, f.adminKey, #"{"name":"CRM","kind":"webhook","url":"\#(receivers.base)/hooks"}"#)
            receivers.webhookSecret = try #require(hook["secret"] as? String)
            #expect(receivers.webhookSecret.hasPrefix("whsec_"))
            let ids = [ding, wecom, sms, hook].compactMap { $0["id"] as? String }.map { "\"\($0)\"" }.joined(separator: ",")
            try policy(api, f, escalation: #"{"on":"breach","channels":[\#(ids)]}"#)
            // Messages link to the order in the chain's own console.
            let tenant = try api.get("/v1/tenant", key: f.adminKey)
            let linked = try api.client.send("PATCH", "/v1/tenant", headers: bearer(f.adminKey, [("If-Match", tenant.header("ETag") ?? "")]),
                                             json: #"{"order_link":"https://console.example.com/orders/{number}?id={id}"}"#)
            #expect(linked.status == 200, "\(linked.text)")
            let id = try dispatch.order(api, f)
            let start = try SweepingTests.SLASweepTests().created(api, f, id)

            // The warning has no level, so it goes nowhere; the breach goes to all four.
            _ = try sweep.run(now: start.addingTimeInterval(40))
            _ = try sweep.run(now: start.addingTimeInterval(70))
            let sent = try sender().run(now: start.addingTimeInterval(70))
            #expect(sent.delivered == 4 && sent.failed == 0)
            let dingBody = try #require(receivers.received("dingtalk").first)
            #expect(dingBody["msgtype"] as? String == "markdown")
            let markdown = (dingBody["markdown"] as? [String: Any])?["text"] as? String ?? ""
            let number = try #require(try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["number"] as? String)
            #expect(markdown.contains("超时"))
            #expect(markdown.contains("https://console.example.com/orders/\(number)?id=\(id)"), "\(markdown)")
            #expect((dingBody["at"] as? [String: Any])?["atMobiles"] as? [String] == ["13800138000"])
            #expect(receivers.received("wecom").count == 1)
            #expect(receivers.received("sms").first?["PhoneNumbers"] as? String == "13900139000")
            let event = try #require(receivers.received("webhook").first)
            #expect(event["type"] as? String == "work_order.sla_breached")
            #expect((event["data"] as? [String: Any])?["work_order_id"] as? String == id)
            // Nothing is sent twice.
            #expect(try sender().run(now: start.addingTimeInterval(200)) == (0, 0))
            let log = try api.get("/v1/notification-deliveries?state=delivered", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
            #expect(log.count == 4)
        }

        @Test func aReceiverThatIsDownGetsTheEventWhenItIsBackAndDeadDeliveriesCanBeRetried() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = Self.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let start = try warnedToWebhook(api, f, receivers)

            receivers.webhookDown = true
            #expect(try sender(maxAttempts: 2).run(now: start.addingTimeInterval(41)) == (0, 1))
            // The back-off (5 s here) holds the next attempt back.
            #expect(try sender(maxAttempts: 2).run(now: start.addingTimeInterval(42)) == (0, 0))
            #expect(try sender(maxAttempts: 2).run(now: start.addingTimeInterval(47)) == (0, 1))
            let dead = try #require((api.get("/v1/notification-deliveries?state=dead", key: f.adminKey).json["items"] as? [[String: Any]])?.first)
            let deliveryID = try #require(dead["id"] as? String)
            let detail = try api.get("/v1/notification-deliveries/\(deliveryID)", key: f.adminKey)
            #expect((detail.json["log"] as? [[String: Any]])?.compactMap { $0["status_code"] as? Int } == [503, 503])
            #expect((detail.json["last_error"] as? String)?.hasPrefix("HTTP 503") == true)

            // Back up: a manual retry delivers it, once, with the event's id as webhook-id.
            receivers.webhookDown = false
            #expect(try api.client.send("POST", "/v1/notification-deliveries/\(deliveryID)/retry", headers: bearer(f.adminKey)).status == 200)
            // (A real worker that another suite runs may be the one that sends it: the receiver
            // is what counts.)
            _ = try sender().run(now: Date())
            for _ in 0..<50 where receivers.received("webhook").isEmpty { Thread.sleep(forTimeInterval: 0.1) }
            #expect(receivers.received("webhook").count == 1)
            #expect(receivers.received("webhook").first?["id"] as? String == dead["event_id"] as? String)
            #expect(try api.client.send("POST", "/v1/notification-deliveries/\(deliveryID)/retry", headers: bearer(f.adminKey)).status == 409)
        }

        @Test func laterBreachLevelsWaitTheirDelayAndStopOnceTheTargetIsMet() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = Self.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let group = try #require(try channel(api, f.adminKey, #"{"name":"维修群","kind":"wecom","url":"\#(receivers.base)/cgi-bin/webhook/send?key=wecom-key"}"#)["id"] as? String)
            let manager = try #require(try channel(api, f.adminKey, #"{"name":"店长","kind":"wecom","url":"\#(receivers.base)/cgi-bin/webhook/send?key=wecom-key"}"#)["id"] as? String)
            // First response within one minute; the group hears at the breach, the manager two minutes later.
            try policy(api, f, target: "first_response", escalation: #"{"on":"breach","after_minutes":2,"channels":["\#(manager)"]},{"on":"breach","channels":["\#(group)"]}"#)
            let waiting = try dispatch.order(api, f)
            let answered = try dispatch.order(api, f)
            let start = try SweepingTests.SLASweepTests().created(api, f, waiting)
            func deliveries() throws -> [String] {
                (try api.get("/v1/notification-deliveries", key: f.adminKey).json["items"] as? [[String: Any]] ?? [])
                    .compactMap { ($0["channel_id"] as? String).map { $0 == group ? "group" : "manager" } }.sorted()
            }
            _ = try sweep.run(now: start.addingTimeInterval(70))
            #expect(try deliveries() == ["group", "group"])
            // One order is answered (late): its escalation stops; the other reaches the manager.
            try sla.move(api, f, answered, "assigned", extra: #","assignee_id":"\#(f.engineers["陈师傅"]!)""#)
            try sla.move(api, f, answered, "accepted")
            #expect(try sweep.run(now: start.addingTimeInterval(150)).total == 0)
            #expect(try sweep.run(now: start.addingTimeInterval(190)).escalations == 1)
            #expect(try deliveries() == ["group", "group", "manager"])
            let timeline = try api.get("/v1/work-orders/\(waiting)/timeline", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
            // The breach overtook the warning (the sweep came after both were due).
            #expect(timeline.compactMap { $0["kind"] as? String }.filter { $0.hasPrefix("sla_") } == ["sla_breached", "sla_escalated"])
            #expect(try sla.clocks(api, f, answered)["first_response"]?["state"] as? String == "breached")
            #expect(try sla.clocks(api, f, answered)["first_response"]?["met_at"] is String)
            #expect(try sweep.run(now: start.addingTimeInterval(600)).total == 0)
            let bad = try api.client.send("POST", "/v1/sla-policies", headers: bearer(f.adminKey), json: """
                {"name":"x","resolution":{"minutes":60},"escalation":[{"on":"warning","after_minutes":5,"channels":["\(group)"]}]}
                """)
            #expect(bad.problemFields == ["escalation[0].after_minutes"])
        }

        @Test func aWorkerWithAnotherSecretKeyGivesDeliveriesBackUntried() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = Self.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let start = try warnedToWebhook(api, f, receivers)

            // One attempt allowed: had the stranger's try counted, the delivery would be dead.
            let stranger = DeliverySender(database: TestDatabase.shared.database, secrets: ChannelSecrets(key: RandomToken.bytes(32))!,
                                          logger: Logger(component: "test", minimumLevel: .error, sink: { _ in }),
                                          outbound: OutboundGuard(allowPrivate: true), maxAttempts: 1)
            #expect(try stranger.run(now: start.addingTimeInterval(41)) == (0, 0))
            let waiting = try #require((api.get("/v1/notification-deliveries?state=pending", key: f.adminKey).json["items"] as? [[String: Any]])?.first)
            #expect(waiting["attempts"] as? Int == 0)
            #expect((waiting["last_error"] as? String)?.contains("PITSTOP_SECRET_KEY") == true)
            #expect(receivers.received("webhook").isEmpty)
            // Given back for half a minute, then sent by a worker holding the API's key.
            #expect(try sender().run(now: start.addingTimeInterval(45)) == (0, 0))
            #expect(receivers.received("webhook").isEmpty)
            _ = try sender().run(now: start.addingTimeInterval(72))
            #expect(receivers.received("webhook").count == 1)
            // The breach, which goes nowhere, is swept so that the next test finds nothing due.
            #expect(try sweep.run(now: start.addingTimeInterval(90)).breaches == 1)
        }

        @Test func aRobotGetsWhatFellDueTogetherAsOneDigestThenWaitsItsPace() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = Self.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let group = try #require(try channel(api, f.adminKey, #"{"name":"维修群","kind":"wecom","url":"\#(receivers.base)/cgi-bin/webhook/send?key=wecom-key"}"#)["id"] as? String)
            try policy(api, f, escalation: #"{"on":"breach","channels":["\#(group)"]}"#)
            let orders = try (0..<3).map { _ in try dispatch.order(api, f) }
            let start = try SweepingTests.SLASweepTests().created(api, f, orders[0])
            #expect(try sweep.run(now: start.addingTimeInterval(70)).breaches == 3)
            #expect(try sender().run(now: start.addingTimeInterval(70)).delivered == 3)
            let digest = try #require(receivers.received("wecom").first)
            #expect(receivers.received("wecom").count == 1)
            let text = (digest["markdown"] as? [String: Any])?["content"] as? String ?? ""
            let numbers = try orders.map { try #require(try api.get("/v1/work-orders/\($0)", key: f.adminKey).json["number"] as? String) }
            #expect(numbers.allSatisfy(text.contains))

            // Another breach soon after waits for the robot's next slot, 3.5 s after the answer.
            let late = try dispatch.order(api, f)
            let lateStart = try SweepingTests.SLASweepTests().created(api, f, late)
            #expect(try sweep.run(now: lateStart.addingTimeInterval(70)).breaches == 1)
            #expect(try sender().run(now: start.addingTimeInterval(72)) == (0, 0))
            #expect(try sender().run(now: start.addingTimeInterval(74)).delivered == 1)
            #expect(receivers.received("wecom").count == 2)
        }

        @Test func channelsCheckTheirSettingsAndNeverShowSecrets() throws {
            let api = try TestAPI { $0.secretKey = Self.key }
            defer { api.stop() }
            let tenant = try api.makeTenant()
            let bad = try api.client.send("POST", "/v1/notification-channels", headers: bearer(tenant.adminKey),
                                          json: #"{"name":"短信","kind":"aliyun_sms","url":"ftp://x","settings":{"mobiles":["13a"]}}"#)
            #expect(bad.status == 422)
            #expect(Set(bad.problemFields) == ["url", "settings.access_key_id", "settings.sign_name", "settings.template_code", "secret",
                                               "settings.mobiles[0]"])
            let created = try channel(api, tenant.adminKey, #"{"name":"群","kind":"dingtalk","url":"https://oapi.dingtalk.com/robot/send?access_token=t","secret":"SECx"}"#)
            let id = try #require(created["id"] as? String)
            let listed = try api.get("/v1/notification-channels", key: tenant.adminKey)
            #expect(!listed.text.contains("SECx"))
            // Stored sealed: the database holds no readable secret.
            let owner = try Connection(TestDatabase.shared.ownerConfiguration)
            let stored: String = try owner.query("SELECT encode(secret_box, 'escape') AS box FROM notification_channels WHERE id = \(UUID(uuidString: id)!)")
                .rows[0].decode("box")
            #expect(!stored.contains("SECx"))
            // A policy may only name the tenant's own channels.
            let other = try api.makeTenant()
            let foreign = try api.client.send("POST", "/v1/sla-policies", headers: bearer(other.adminKey), json: """
                {"name":"x","resolution":{"minutes":60},"escalation":[{"on":"breach","channels":["\(id)"]}]}
                """)
            #expect(foreign.problemFields == ["escalation[0].channels[0]"])
            #expect(try api.get("/v1/notification-channels/\(id)", key: other.adminKey).status == 404)
            // Without PITSTOP_SECRET_KEY secrets cannot be kept.
            let keyless = try TestAPI { $0.secretKey = nil }
            defer { keyless.stop() }
            let refused = try keyless.client.send("POST", "/v1/notification-channels", headers: bearer(tenant.adminKey),
                                                  json: #"{"name":"群","kind":"dingtalk","url":"https://oapi.dingtalk.com/robot/send","secret":"SECx"}"#)
            #expect(refused.status == 503)
        }
    }
}
