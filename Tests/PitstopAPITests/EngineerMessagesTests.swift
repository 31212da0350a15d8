import Crypto
import Foundation
import Logging
import Notifications
import PitstopJobs
import PitstopStore
import PitstopTesting
import Synchronization
import Testing

/// Engineers hear of their work personally, through the chain's DingTalk or WeCom app or by SMS,
/// against receivers on 127.0.0.1 that judge tokens, bodies and recipients as the providers do
/// (`AppMessageReceivers`, `ProviderReceivers`).
extension SweepingTests {
    @Suite struct EngineerMessagesTests {
        static let key = RandomToken.bytes(32)
        let dispatch = DispatchAPITests()
        let intake = DispatchOnIntakeAPITests()
        let pool = PoolAndTransferAPITests()
        static let quiet = Logger(component: "test", minimumLevel: .error, sink: { _ in })

        func sender() -> DeliverySender {
            DeliverySender(database: TestDatabase.shared.database, secrets: ChannelSecrets(key: Self.key)!, logger: Self.quiet,
                           outbound: OutboundGuard(allowPrivate: true), maxAttempts: 3, backoff: { _ in 5 })
        }

        /// The chain's two apps on `apps`, 陈师傅 told through DingTalk and 李师傅 through WeCom.
        func withApps(_ api: TestAPI, _ f: DispatchAPITests.Fixture, _ apps: AppMessageReceivers) throws -> (ding: String, wecom: String) {
            func channel(_ json: String) throws -> String {
                let made = try api.client.send("POST", "/v1/notification-channels", headers: bearer(f.adminKey), json: json)
                #expect(made.status == 201, "\(made.text)")
                #expect(made.json["secret"] == nil && made.json["has_secret"] as? Bool == true)
                return try #require(made.json["id"] as? String)
            }
            let ding = try channel(#"{"name":"钉钉工作通知","kind":"dingtalk_app","url":"\#(apps.base)","secret":"\#(AppMessageReceivers.dingTalkSecret)","settings":{"app_key":"\#(AppMessageReceivers.dingTalkKey)","agent_id":\#(AppMessageReceivers.dingTalkAgent)}}"#)
            let wecom = try channel(#"{"name":"企业微信应用","kind":"wecom_app","url":"\#(apps.base)","secret":"\#(AppMessageReceivers.weComSecret)","settings":{"app_key":"\#(AppMessageReceivers.weComCorp)","agent_id":\#(AppMessageReceivers.weComAgent)}}"#)
            try set(api, f, "陈师傅", #"{"notify_channel_id":"\#(ding)","dingtalk_user_id":"chen"}"#)
            try set(api, f, "李师傅", #"{"notify_channel_id":"\#(wecom)","wecom_user_id":"li"}"#)
            apps.users = ["chen", "li"]
            return (ding, wecom)
        }

        @discardableResult
        func set(_ api: TestAPI, _ f: DispatchAPITests.Fixture, _ name: String, _ json: String, expect status: Int = 200) throws -> RawHTTPClient.Response {
            let id = try #require(f.engineers[name])
            let current = try api.get("/v1/engineers/\(id)", key: f.adminKey)
            let changed = try api.client.send("PATCH", "/v1/engineers/\(id)", headers: bearer(f.adminKey, [("If-Match", current.header("ETag") ?? "")]),
                                              json: json)
            #expect(changed.status == status, "\(changed.text)")
            return changed
        }

        /// A new order the desk gives to `name` (over the load cap, so any number fit); its id.
        func assignedOrder(_ api: TestAPI, _ f: DispatchAPITests.Fixture, to name: String) throws -> String {
            let id = try dispatch.order(api, f)
            let assigned = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                               json: #"{"to":"assigned","assignee_id":"\#(try #require(f.engineers[name]))","override":true}"#)
            guard assigned.status == 200 else { throw RawHTTPError("assigning to \(name) answered \(assigned.status): \(assigned.text)") }
            return id
        }

        func number(_ api: TestAPI, _ f: DispatchAPITests.Fixture, _ id: String) throws -> String {
            try #require(try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["number"] as? String)
        }

        static func date(_ value: Any?) -> Date? {
            (value as? String).flatMap { try? Date($0, strategy: .iso8601) }
        }

        /// An offer made while WeCom is slow to take its message: the five minutes to answer run
        /// from WeCom's acceptance, not from the offer, so the sweep at 350 s leaves it alone.
        /// 李师傅 (ranked first: the stronger engine skill) declines; 陈师傅's offer goes through
        /// DingTalk, with that app's own token.
        @Test func theTimeToAnswerAnOfferStartsWhenTheProviderTookItsMessage() throws {
            let apps = try AppMessageReceivers()
            defer { apps.stop() }
            let api = try TestAPI { $0.secretKey = Self.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            _ = try withApps(api, f, apps)
            try intake.policy(api, f, #"{"mode":"offer","required_skills":{"engine":3},"offer_timeout_seconds":300}"#)
            let id = try dispatch.order(api, f)
            let number = try number(api, f, id)
            let offer = try #require(try intake.record(api, f, id).offers.first)
            #expect(offer["engineer_id"] as? String == f.engineers["李师傅"])
            #expect(offer["notified_at"] is NSNull || offer["notified_at"] == nil, "not told yet")
            let offeredAt = try #require(Self.date(offer["offered_at"]))

            // The message goes out 100 s after the offer (a backlog, a slow provider).
            let sentAt = offeredAt.addingTimeInterval(100)
            let sent = try sender().run(now: sentAt)
            #expect(sent.delivered == 1, "\(sent)")
            let told = apps.received("wecom")
            #expect(told.map(\.user) == ["li"])
            #expect(told.first?.content.contains(number) == true && told.first?.content.contains("请在 5 分钟内接单") == true, "\(told)")
            #expect(apps.counted["wecom token"] == 1)
            let notified = try #require(try intake.record(api, f, id).offers.first)
            #expect(Self.date(notified["notified_at"]).map { abs($0.timeIntervalSince(sentAt)) < 1 } == true, "\(notified)")
            #expect(Self.date(notified["expires_at"]).map { abs($0.timeIntervalSince(sentAt.addingTimeInterval(300))) < 1 } == true, "\(notified)")

            // 350 s after the offer it would have lapsed; the sweep finds 50 s left. (Asked of
            // this tenant only: a sweep run at a later moment would lapse other tests' offers.)
            let tenantID = try #require(UUID(uuidString: try api.get("/v1/tenant", key: f.adminKey).json["id"] as? String ?? ""))
            func due(_ at: Date) throws -> Int {
                try TestDatabase.shared.database.withTenant(tenantID) { try $0.dispatch.expiredOffers(at: at, limit: 10).count }
            }
            #expect(try due(offeredAt.addingTimeInterval(350)) == 0)
            #expect(try due(sentAt.addingTimeInterval(301)) == 1)

            let li = try pool.engineerKey(api, f, "李师傅")
            #expect(try api.client.send("POST", "/v1/work-orders/\(id)/decline", headers: bearer(li), json: #"{"reason":"在外地"}"#).status == 204)
            #expect(try sender().run(now: Date()).delivered == 1)
            #expect(apps.received("dingtalk").map(\.user) == ["chen"])
            #expect(apps.received("dingtalk").first?.content.contains(number) == true)
            #expect(apps.counted["dingtalk token"] == 1)
        }

        /// Both apps are down when the offers' messages go out: no offer is left to lapse unseen;
        /// each passes on the moment its message fails, saying why, and within one round of the
        /// sender the order is back with the desk instead of ten minutes later.
        @Test func anOfferWhoseMessageFailsPassesOnAtOnce() throws {
            let apps = try AppMessageReceivers()
            defer { apps.stop() }
            let api = try TestAPI { $0.secretKey = Self.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            _ = try withApps(api, f, apps)
            try intake.policy(api, f, #"{"mode":"offer","required_skills":{"engine":3},"offer_timeout_seconds":300,"after_rounds":"dispatcher"}"#)
            apps.down = true
            let id = try dispatch.order(api, f)
            _ = try sender().run(now: Date())
            let offers = try intake.record(api, f, id).offers
            #expect(offers.compactMap { $0["state"] as? String } == ["undelivered", "undelivered"], "\(offers)")
            #expect(offers.compactMap { $0["engineer_id"] as? String } == [f.engineers["李师傅"], f.engineers["陈师傅"]].compactMap { $0 })
            #expect((offers.first?["decline_reason"] as? String)?.contains("HTTP 503") == true, "\(offers)")
            let order = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
            #expect(order.json["status"] as? String == "new", "\(order.text)")
            #expect(order.json["assignee_id"] is NSNull || order.json["assignee_id"] == nil)
            #expect(apps.received("dingtalk").isEmpty && apps.received("wecom").isEmpty)
            let dead = try api.get("/v1/notification-deliveries?state=dead", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
            #expect(dead.count == 2, "neither message is tried again once its offer moved on")
            #expect(try sender().run(now: Date().addingTimeInterval(60)).delivered == 0)
        }

        /// Forty assignments sent by two workers serving at once share one token, never a token per
        /// message; a token DingTalk revoked (40014) or let run out (42001) is fetched again once
        /// and the message still arrives, once.
        @Test func twoWorkersShareOneTokenAndAStaleOneIsFetchedAgain() throws {
            let apps = try AppMessageReceivers()
            defer { apps.stop() }
            let api = try TestAPI { $0.secretKey = Self.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            _ = try withApps(api, f, apps)
            let numbers = try (0..<40).map { _ in try number(api, f, try assignedOrder(api, f, to: "陈师傅")) }
            // Two workers serving side by side, as in production, until all forty arrived (at
            // most 30 s).
            let deadline = Date().addingTimeInterval(30)
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                sender().serve(stopping: { apps.received("dingtalk").count >= 40 || Date() > deadline })
            }
            let pending = try api.get("/v1/notification-deliveries?state=pending", key: f.adminKey).json["items"] as? [Any]
            #expect(pending?.isEmpty == true, "\(String(describing: pending))")
            let contents = apps.received("dingtalk").map(\.content)
            for number in numbers { #expect(contents.filter { $0.contains(number) }.count == 1, "\(number)") }
            #expect((apps.counted["dingtalk token"] ?? 0) <= 2, "\(apps.counted)")
            #expect(apps.counted["dingtalk dropped"] == nil, "no two messages read the same")

            for (expired, code) in [(false, "dingtalk 40014"), (true, "dingtalk 42001")] {
                apps.revokeTokens(expired: expired)
                let id = try assignedOrder(api, f, to: "陈师傅")
                let before = apps.counted["dingtalk token"] ?? 0
                #expect(try sender().run(now: Date()).delivered == 1)
                #expect(apps.counted[code] == 1, "\(apps.counted)")
                #expect(apps.counted["dingtalk token"] == before + 1)
                let number = try number(api, f, id)
                #expect(apps.received("dingtalk").filter { $0.content.contains(number) }.count == 1)
            }
        }

        /// Two senders claiming one channel's backlog at the same moment: while the first holds
        /// the channel's first four deliveries in its claim, the second takes the next four,
        /// instead of finding the first four locked and going away with nothing.
        @Test func aSecondSenderTakesTheNextDeliveriesWhileTheFirstHoldsTheFirst() throws {
            let apps = try AppMessageReceivers()
            defer { apps.stop() }
            let api = try TestAPI { $0.secretKey = Self.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            _ = try withApps(api, f, apps)
            for _ in 0..<8 { _ = try assignedOrder(api, f, to: "陈师傅") }
            let tenantID = try #require(UUID(uuidString: try api.get("/v1/tenant", key: f.adminKey).json["id"] as? String ?? ""))
            let database = TestDatabase.shared.database
            let now = Date()
            let held = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let first = Mutex<Set<UUID>>([])
            let holder = Thread {
                _ = try? database.withTenant(tenantID) { scope in
                    let taken = try scope.notifications.claimSingles(at: now, lease: 60, limit: 4, perChannel: 4, flying: [:])
                    first.withLock { $0 = Set(taken.map(\.id)) }
                    held.signal()
                    release.wait()
                }
            }
            holder.start()
            held.wait()
            let second = try database.withTenant(tenantID) {
                Set(try $0.notifications.claimSingles(at: now, lease: 60, limit: 4, perChannel: 4, flying: [:]).map(\.id))
            }
            release.signal()
            #expect(first.withLock { $0.count } == 4)
            #expect(second.count == 4, "the second sender found only locked rows")
            #expect(second.isDisjoint(with: first.withLock { $0 }))
        }

        /// A transfer tells both engineers (the one leaving by DingTalk, the one taking it by SMS
        /// with the template's variables); a cancellation tells the one on the job; an engineer
        /// WeCom does not know is a dead message with the reason, not a retry loop.
        @Test func transfersCancellationsAndUnknownUsersEachTellTheRightPerson() throws {
            let apps = try AppMessageReceivers()
            defer { apps.stop() }
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = Self.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            _ = try withApps(api, f, apps)
            let sms = try api.client.send("POST", "/v1/notification-channels", headers: bearer(f.adminKey), json: #"{"name":"短信","kind":"aliyun_sms","url":"\#(receivers.base)/sms","secret":"\#(ProviderReceivers.aliyunSecret)","settings":{"access_key_id":"LTAI","sign_name":"派修","template_code":"SMS_2"}}"#)
            let smsID = try #require(sms.json["id"] as? String)
            try set(api, f, "李师傅", #"{"notify_channel_id":"\#(smsID)"}"#, expect: 422)
            try set(api, f, "李师傅", #"{"notify_channel_id":"\#(smsID)","phone":"13700137000"}"#)
            let li = try #require(f.engineers["李师傅"])
            let id = try assignedOrder(api, f, to: "陈师傅")
            #expect(try api.client.send("POST", "/v1/work-orders/\(id)/transfer", headers: bearer(f.adminKey, [("If-Match", "\"2\"")]),
                                        json: #"{"engineer_id":"\#(li)","reason":"陈师傅请假"}"#).status == 200)
            #expect(try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"3\"")]),
                                        json: #"{"to":"cancelled","reason":"客户自行修好"}"#).status == 200)
            _ = try sender().run(now: Date())
            let number = try number(api, f, id)
            let toChen = apps.received("dingtalk").map(\.content)
            #expect(toChen.count == 2, "\(toChen) \(apps.counted)")
            // Sent side by side, they may arrive in either order.
            #expect(toChen.contains { $0.contains("【派单】工单 \(number)") }, "\(toChen)")
            #expect(toChen.contains { $0.contains("【转出】工单 \(number)") && $0.contains("已转给李师傅") }, "\(toChen)")
            let texts = receivers.received("sms")
            #expect(texts.compactMap { $0["PhoneNumbers"] as? String } == ["13700137000", "13700137000"])
            let params = texts.compactMap { ($0["TemplateParam"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] } }
            // Two texts sent side by side may arrive in either order.
            #expect(Set(params.compactMap { $0["action"] }) == ["转入", "取消"])
            #expect(params.allSatisfy { $0["order"] == number })
            #expect(params.first { $0["action"] == "取消" }?["detail"] == "已取消：客户自行修好")
            #expect(params.first { $0["action"] == "转入" }?["detail"] == "原由陈师傅负责，请接单")

            // WeCom does not know the engineer's id: dead, with the reason, after one try.
            try set(api, f, "李师傅", #"{"notify_channel_id":"\#(try withApps(api, f, apps).wecom)","wecom_user_id":"li-old"}"#)
            _ = try assignedOrder(api, f, to: "李师傅")
            _ = try sender().run(now: Date())
            let dead = try api.get("/v1/notification-deliveries?state=dead", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
            #expect(dead.count == 1)
            #expect((dead.first?["last_error"] as? String)?.contains("81013") == true, "\(dead)")
            #expect(apps.counted["wecom 81013"] == 1)
        }

        /// What a tenant gets wrong setting up an app or an engineer is named field by field.
        @Test func appChannelsAndEngineersSayWhatTheirSettingsLack() throws {
            let api = try TestAPI { $0.secretKey = Self.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let bare = try api.client.send("POST", "/v1/notification-channels", headers: bearer(f.adminKey),
                                           json: #"{"name":"钉钉","kind":"dingtalk_app","url":"https://oapi.dingtalk.com","alerts":true}"#)
            #expect(bare.status == 422)
            #expect(Set(bare.problemFields) == ["settings.app_key", "settings.agent_id", "secret", "alerts"], "\(bare.text)")
            let misplaced = try api.client.send("POST", "/v1/notification-channels", headers: bearer(f.adminKey),
                                                json: #"{"name":"群","kind":"wecom","url":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k","settings":{"agent_id":5}}"#)
            #expect(misplaced.problemFields == ["settings.agent_id"], "\(misplaced.text)")
            let robot = try api.client.send("POST", "/v1/notification-channels", headers: bearer(f.adminKey),
                                            json: #"{"name":"群","kind":"wecom","url":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}"#)
            let app = try api.client.send("POST", "/v1/notification-channels", headers: bearer(f.adminKey),
                                          json: #"{"name":"钉钉","kind":"dingtalk_app","url":"https://oapi.dingtalk.com","secret":"s","settings":{"app_key":"k","agent_id":1}}"#)
            #expect(app.status == 201, "\(app.text)")
            let robotID = try #require(robot.json["id"] as? String)
            let appID = try #require(app.json["id"] as? String)
            // An escalation names no engineer, so it cannot go to an app.
            let escalating = try api.client.send("POST", "/v1/sla-policies", headers: bearer(f.adminKey), json: """
                {"name":"急修","resolution":{"minutes":60,"business_time":false},"escalation":[{"on":"breach","channels":["\(robotID)","\(appID)"]}]}
                """)
            #expect(escalating.status == 422)
            #expect(escalating.problemFields == ["escalation[0].channels[1]"], "\(escalating.text)")
            // Another chain's app: as unknown here as an id that names nothing.
            let other = try api.makeTenant()
            let theirs = try api.client.send("POST", "/v1/notification-channels", headers: bearer(other.adminKey),
                                             json: #"{"name":"钉钉","kind":"dingtalk_app","url":"https://oapi.dingtalk.com","secret":"s","settings":{"app_key":"k","agent_id":1}}"#)
            let theirsID = try #require(theirs.json["id"] as? String, "\(theirs.text)")
            for (json, field) in [(#"{"notify_channel_id":"\#(robotID)"}"#, "notify_channel_id"),
                                  (#"{"notify_channel_id":"\#(theirsID)","dingtalk_user_id":"chen"}"#, "notify_channel_id"),
                                  (#"{"notify_channel_id":"\#(UUID().uuidString.lowercased())"}"#, "notify_channel_id"),
                                  (#"{"notify_channel_id":"\#(appID)"}"#, "dingtalk_user_id"),
                                  (#"{"notify_channel_id":"\#(appID)","dingtalk_user_id":"chen,li"}"#, "dingtalk_user_id"),
                                  (#"{"notify_channel_id":"not-an-id"}"#, "notify_channel_id")] {
                let refused = try set(api, f, "陈师傅", json, expect: json.contains("not-an-id") ? 400 : 422)
                #expect(refused.problemFields == [field], "\(json): \(refused.text)")
            }
            let fine = try set(api, f, "陈师傅", #"{"notify_channel_id":"\#(appID)","dingtalk_user_id":"chen"}"#)
            #expect(fine.json["notify_channel_id"] as? String == appID && fine.json["dingtalk_user_id"] as? String == "chen")
            // Clearing the user id the channel needs is refused; clearing both is fine.
            try set(api, f, "陈师傅", #"{"dingtalk_user_id":null}"#, expect: 422)
            let cleared = try set(api, f, "陈师傅", #"{"notify_channel_id":null,"dingtalk_user_id":null}"#)
            #expect(cleared.json["notify_channel_id"] is NSNull || cleared.json["notify_channel_id"] == nil)
        }
    }
}
