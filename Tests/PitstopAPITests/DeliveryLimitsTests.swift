import Foundation
import Logging
import Notifications
import PitstopJobs
import PitstopTesting
import Postgres
import Synchronization
import Testing

/// Notifications against receivers that enforce the providers' byte limits, rate limits and
/// error codes (`ProviderReceivers`): a storm reaches each robot whole and within its limits, a
/// throttle is waited out, a refusal dies at once and the alert channels hear, a stale warning
/// is never sent.
extension SweepingTests {
    @Suite struct DeliveryLimitsTests {
        let deliveries = NotificationDeliveryTests()
        let dispatch = DispatchAPITests()

        /// `count` orders whose resolution fell due a second ago, breached by one sweep now.
        func breached(_ api: TestAPI, _ f: DispatchAPITests.Fixture, count: Int, owner: Connection) throws -> [String] {
            let ids = try (0..<count).map { _ in try UUID(uuidString: dispatch.order(api, f))! }
            try owner.query("""
                UPDATE work_order_sla_clocks SET due_at = now() - interval '1 second', warnings = '{}', next_check_at = now() - interval '1 second'
                WHERE work_order_id = ANY (\(ids)::uuid[]) AND target = 'resolution'
                """)
            #expect(try deliveries.sweep.run().breaches == count)
            return try owner.query("SELECT number FROM work_orders WHERE id = ANY (\(ids)::uuid[]) ORDER BY number").rows.map { try $0.decode("number") }
        }

        /// The digest's text as the robot shows it, and its messages (split where digests join them).
        func content(_ body: [String: Any]) -> String {
            let type = body["msgtype"] as? String ?? ""
            let part = body[type] as? [String: Any]
            return part?["text"] as? String ?? part?["content"] as? String ?? ""
        }

        @Test func twoHundredBreachesAtOnceReachEachRobotWithinItsLimitsOnceEachEvenFromTwoWorkers() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let owner = try Connection(TestDatabase.shared.ownerConfiguration)
            let ding = try #require(try deliveries.channel(api, f.adminKey, """
                {"name":"维修群","kind":"dingtalk","url":"\(receivers.base)/robot/send?access_token=ding-storm","secret":"\(ProviderReceivers.dingTalkSecret)",
                 "settings":{"mobiles":["13800138000"]}}
                """)["id"] as? String)
            let wecom = try #require(try deliveries.channel(api, f.adminKey, """
                {"name":"店长群","kind":"wecom","url":"\(receivers.base)/cgi-bin/webhook/send?key=wecom-storm"}
                """)["id"] as? String)
            try deliveries.policy(api, f, escalation: #"{"on":"breach","channels":["\#(ding)","\#(wecom)"]}"#)
            let numbers = try breached(api, f, count: 200, owner: owner)
            let tenantText = try #require(try api.get("/v1/tenant", key: f.adminKey).json["id"] as? String)
            let tenant = try #require(UUID(uuidString: tenantText))

            // Two workers' senders at once: the robots' pace is kept in the database.
            let stop = Atomic<Bool>(false)
            let done = DispatchGroup()
            let started = Date()
            for _ in 0..<2 {
                let sender = deliveries.sender()
                done.enter()
                Thread.detachNewThread {
                    sender.serve(stopping: { stop.load(ordering: .relaxed) })
                    done.leave()
                }
            }
            func undelivered() throws -> Int {
                try owner.query("SELECT count(*)::int AS n FROM notification_deliveries WHERE tenant_id = \(tenant) AND state <> 'delivered'")
                    .rows[0].decode("n")
            }
            while try undelivered() > 0 && Date().timeIntervalSince(started) < 150 { Thread.sleep(forTimeInterval: 0.25) }
            let elapsed = Date().timeIntervalSince(started)
            stop.store(true, ordering: .relaxed)
            done.wait()

            #expect(try undelivered() == 0, "after \(Int(elapsed)) s")
            #expect(receivers.refused.isEmpty, "the receivers refused: \(receivers.refused)")
            // Each delivery went in one accepted request: no attempt was spent twice.
            #expect(try owner.query("SELECT max(attempts)::int AS n FROM notification_deliveries WHERE tenant_id = \(tenant)").rows[0].decode("n") == 1)
            for service in ["dingtalk", "wecom"] {
                let arrivals = receivers.arrivalsOf(service).filter { $0.robot.hasSuffix("-storm") }
                let texts = arrivals.map { content($0.body) }
                // Every order exactly once, over as few messages as the limit allows.
                for number in numbers {
                    #expect(texts.map { $0.components(separatedBy: "工单 \(number) ").count - 1 }.reduce(0, +) == 1, "\(service): \(number)")
                }
                #expect(arrivals.count > 1 && arrivals.count < 20, "\(service): \(arrivals.count) messages")
                // The robot's pace: never two messages within 3 s, never over 20 in a minute.
                for (earlier, later) in zip(arrivals, arrivals.dropFirst()) {
                    #expect(later.at.timeIntervalSince(earlier.at) >= 3, "\(service): \(later.at.timeIntervalSince(earlier.at)) s apart")
                }
                for arrival in arrivals {
                    #expect(arrivals.filter { $0.at >= arrival.at && $0.at.timeIntervalSince(arrival.at) < 60 }.count <= 20)
                }
            }
            // WeCom's markdown digests are full: the next message would not have fitted.
            let weComTexts = receivers.arrivalsOf("wecom").filter { $0.robot == "wecom-storm" }.map { content($0.body) }
            let separator = "\n\n---\n\n"
            for (text, next) in zip(weComTexts, weComTexts.dropFirst()) {
                let nextFirst = next.components(separatedBy: separator).first ?? ""
                #expect(text.utf8.count + separator.utf8.count + nextFirst.utf8.count > WeComRobot.markdownLimit)
            }
        }

        @Test func aThrottledRobotWaitsOutItsBlockWithoutUsingUpAttempts() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let ding = try #require(try deliveries.channel(api, f.adminKey, """
                {"name":"维修群","kind":"dingtalk","url":"\(receivers.base)/robot/send?access_token=ding-throttle","secret":"\(ProviderReceivers.dingTalkSecret)"}
                """)["id"] as? String)
            try deliveries.policy(api, f, escalation: #"{"on":"breach","channels":["\#(ding)"]}"#)
            let orders = try (0..<3).map { _ in try dispatch.order(api, f) }
            let start = try SweepingTests.SLASweepTests().created(api, f, orders[0])
            #expect(try deliveries.sweep.run(now: start.addingTimeInterval(70)).breaches == 3)

            // One attempt allowed: had the throttle counted, the deliveries would be dead.
            receivers.dingTalkThrottled = true
            let sender = deliveries.sender(maxAttempts: 1)
            #expect(try sender.run(now: start.addingTimeInterval(70)) == (0, 3))
            let waiting = try api.get("/v1/notification-deliveries?channel_id=\(ding)", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
            #expect(waiting.count == 3)
            for delivery in waiting {
                #expect(delivery["state"] as? String == "pending" && delivery["attempts"] as? Int == 0)
                #expect((delivery["last_error"] as? String)?.contains("130101") == true)
            }
            // DingTalk blocks the robot for ten minutes: nothing goes before.
            receivers.dingTalkThrottled = false
            #expect(try sender.run(now: start.addingTimeInterval(70 + 590)) == (0, 0))
            #expect(try sender.run(now: start.addingTimeInterval(70 + 601)) == (3, 0))
            let id = try #require(waiting.first?["id"] as? String)
            let log = try api.get("/v1/notification-deliveries/\(id)", key: f.adminKey).json["log"] as? [[String: Any]] ?? []
            #expect(log.compactMap { $0["outcome"] as? String } == ["throttled", "delivered"])
            #expect(receivers.received("dingtalk").count == 1)
        }

        @Test func smsValuesFitAliyunsLimitThrottlesWaitAndRefusalsDieAtOnceTellingTheAlertChannels() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            var f = try dispatch.fixture(api)
            _ = try deliveries.channel(api, f.adminKey, """
                {"name":"运维群","kind":"wecom","url":"\(receivers.base)/cgi-bin/webhook/send?key=wecom-ops","alerts":true}
                """)
            let sms = try #require(try deliveries.channel(api, f.adminKey, """
                {"name":"短信","kind":"aliyun_sms","url":"\(receivers.base)/sms","secret":"\(ProviderReceivers.aliyunSecret)",
                 "settings":{"access_key_id":"LTAI","sign_name":"派修","template_code":"SMS_1","mobiles":["13900139000"]}}
                """)["id"] as? String)
            try deliveries.policy(api, f, escalation: #"{"on":"breach","channels":["\#(sms)"]}"#)
            // A fleet customer whose name is longer than a template value may be.
            let fleet = "浙江省杭州市西湖区某某汽车租赁服务有限公司第一车队调度中心值班室夜班组长办公室外勤组"
            let customer = try api.client.send("POST", "/v1/customers", headers: bearer(f.adminKey), json: #"{"name":"\#(fleet)","phones":["13700137000"]}"#)
            f.customerID = try #require(customer.json["id"] as? String)
            let vehicle = try api.client.send("POST", "/v1/vehicles", headers: bearer(f.adminKey), json: #"{"customer_id":"\#(f.customerID)","plate":"浙A54321"}"#)
            f.vehicleID = try #require(vehicle.json["id"] as? String)
            let sender = deliveries.sender()

            let first = try dispatch.order(api, f)
            let start = try SweepingTests.SLASweepTests().created(api, f, first)
            #expect(try deliveries.sweep.run(now: start.addingTimeInterval(70)).breaches == 1)
            #expect(try sender.run(now: start.addingTimeInterval(70)) == (1, 0))
            let sent = try #require(receivers.received("sms").first?["TemplateParam"] as? String)
            let values = try #require(try JSONSerialization.jsonObject(with: Data(sent.utf8)) as? [String: String])
            #expect(values["customer"]?.count == 35 && values["customer"]?.hasSuffix("…") == true, "\(values)")

            // The number's per-minute flow control: waited out, the attempt not counted.
            receivers.limitedNumbers = ["13900139000"]
            let second = try dispatch.order(api, f)
            #expect(try deliveries.sweep.run(now: try SweepingTests.SLASweepTests().created(api, f, second).addingTimeInterval(70)).breaches == 1)
            #expect(try sender.run(now: start.addingTimeInterval(80)) == (0, 1))
            receivers.limitedNumbers = []
            #expect(try sender.run(now: start.addingTimeInterval(80 + 50)) == (0, 0))
            #expect(try sender.run(now: start.addingTimeInterval(80 + 61)) == (1, 0))

            // A number the carrier does not know: dead at its first attempt, and the alert
            // channel hears, instead of eight tries over hours.
            receivers.illegalNumbers = ["13900139000"]
            let third = try dispatch.order(api, f)
            #expect(try deliveries.sweep.run(now: try SweepingTests.SLASweepTests().created(api, f, third).addingTimeInterval(70)).breaches == 1)
            // The round sends the text (refused) and then the alert about it.
            let refused = try sender.run(now: start.addingTimeInterval(200))
            #expect(refused == (1, 1), "\(refused) \(receivers.refused)")
            let dead = try api.get("/v1/notification-deliveries?state=dead", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
            #expect(dead.count == 1 && dead.first?["attempts"] as? Int == 1)
            #expect((dead.first?["last_error"] as? String)?.contains("isv.MOBILE_NUMBER_ILLEGAL") == true)
            let alert = content(try #require(receivers.received("wecom").last))
            #expect(alert.contains("通知发送失败：短信") && alert.contains("isv.MOBILE_NUMBER_ILLEGAL"), "\(alert)")
            let feed = try EventFeedAPITests().poll(api, f.adminKey, after: nil, count: 1, query: "&type=notification.dead").events
            #expect((feed.first?["data"] as? [String: Any])?["delivery_ids"] as? [String] == dead.compactMap { $0["id"] as? String })
            #expect(receivers.refused["sms isv.PARAM_LENGTH_LIMIT"] == nil)
        }

        @Test func aWarningOvertakenByItsBreachIsSkippedAndTheBreachSaysHowLateItIsWhenSent() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let group = try #require(try deliveries.channel(api, f.adminKey, """
                {"name":"维修群","kind":"wecom","url":"\(receivers.base)/cgi-bin/webhook/send?key=wecom-late"}
                """)["id"] as? String)
            try deliveries.policy(api, f, escalation: #"{"on":"warning","channels":["\#(group)"]},{"on":"breach","channels":["\#(group)"]}"#)
            let id = try dispatch.order(api, f)
            let start = try SweepingTests.SLASweepTests().created(api, f, id)
            // The warning is queued at 40 s but not sent before the breach at 61 s.
            #expect(try deliveries.sweep.run(now: start.addingTimeInterval(40)).warnings == 1)
            #expect(try deliveries.sweep.run(now: start.addingTimeInterval(61)).breaches == 1)
            // Sent two minutes and twenty seconds late: it says two minutes, as things are then.
            #expect(try deliveries.sender().run(now: start.addingTimeInterval(200)) == (1, 0))
            let texts = receivers.received("wecom").map(content)
            #expect(texts.count == 1)
            #expect(texts.first?.contains("SLA 超时") == true && texts.first?.contains("已超时 2 分钟") == true, "\(texts)")
            #expect(texts.first?.contains("SLA 预警") == false)
            let skipped = try api.get("/v1/notification-deliveries?state=skipped", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
            #expect(skipped.count == 1 && skipped.first?["topic"] as? String == "work_order.sla_warning")
            #expect((skipped.first?["last_error"] as? String)?.contains("breached") == true)
        }
    }
}
