import Foundation
import PitstopAPI
import PitstopCore
import PitstopTesting
import Testing

extension SweepingTests {
    /// Customers hear of their order's moments by SMS, through a receiver that checks Aliyun's
    /// signature and 35-character variables, against steps repeated and retried, quiet hours,
    /// opt-outs and bad policies.
    @Suite struct CustomerMessagesTests {
        let messages = NotificationDeliveryTests()

        struct Chain {
            var admin: String
            var type: String
            var engineer: String
            var engineerKey: String
            var sms: String
        }

        func chain(_ api: TestAPI, _ receivers: ProviderReceivers) throws -> Chain {
            let tenant = try api.makeTenant(name: "顺达汽修")
            func create(_ path: String, _ json: String) throws -> [String: Any] {
                let made = try api.client.send("POST", path, headers: bearer(tenant.adminKey), json: json)
                #expect(made.status == 201, "\(path): \(made.text)")
                return made.json
            }
            let type = try #require(try create("/v1/work-order-types", #"{"code":"repair","name":"维修"}"#)["id"] as? String)
            let engineer = try #require(try create("/v1/engineers", #"{"name":"王建国","status":"available"}"#)["id"] as? String)
            let key = try #require(try create("/v1/api-keys", #"{"name":"王师傅","role":"engineer","engineer_id":"\#(engineer)"}"#)["secret"] as? String)
            let sms = try #require(try create("/v1/notification-channels", """
                {"name":"顺达短信","kind":"aliyun_sms","url":"\(receivers.base)/sms","secret":"\(ProviderReceivers.aliyunSecret)",
                 "settings":{"access_key_id":"LTAI5t","sign_name":"顺达汽修","template_code":"SMS_100"}}
                """)["id"] as? String)
            return Chain(admin: tenant.adminKey, type: type, engineer: engineer, engineerKey: key, sms: sms)
        }

        /// Every moment by its own template, the order number and the link's secret filled in.
        func everyMoment(_ c: Chain, quiet: String = "") -> String {
            let moments = CustomerMoment.allCases.enumerated().map { index, moment in
                #""\#(moment.rawValue)":[{"channel_id":"\#(c.sms)","template":"SMS_20\#(index)","variables":{"no":"order","code":"link_secret","who":"engineer"}}]"#
            }
            return "{\"moments\":{\(moments.joined(separator: ","))}\(quiet)}"
        }

        func open(_ api: TestAPI, _ c: Chain, customer: String = #"{"name":"李女士","phones":["13912345678"]}"#) throws -> String {
            let opened = try api.client.send("POST", "/v1/work-orders", headers: bearer(c.admin), json: """
                {"type_id":"\(c.type)","description":"刹车异响","customer":\(customer)}
                """)
            #expect(opened.status == 201, "\(opened.text)")
            return try #require(opened.json["id"] as? String)
        }

        /// The chain's official account as a channel, its API at `apps`.
        func officialAccount(_ api: TestAPI, _ apps: AppMessageReceivers, admin: String) throws -> String {
            let made = try api.client.send("POST", "/v1/notification-channels", headers: bearer(admin), json: """
                {"name":"顺达服务号","kind":"wechat_mp","url":"\(apps.base)","secret":"\(AppMessageReceivers.weChatSecret)",
                 "settings":{"app_key":"\(AppMessageReceivers.weChatAppID)"}}
                """)
            #expect(made.status == 201, "\(made.text)")
            return try #require(made.json["id"] as? String)
        }

        func step(_ api: TestAPI, _ key: String, _ id: String, _ to: String, extra: String = "") throws {
            let version = try api.get("/v1/work-orders/\(id)", key: key).json["version"] as? Int ?? 0
            let moved = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(key, [("If-Match", "\"\(version)\"")]),
                                            json: #"{"to":"\#(to)"\#(extra)}"#)
            #expect(moved.status == 200, "\(to): \(moved.text)")
        }

        func timeline(_ api: TestAPI, _ c: Chain, _ id: String) throws -> [[String: Any]] {
            (try api.get("/v1/work-orders/\(id)/timeline", key: c.admin).json["items"] as? [[String: Any]] ?? [])
                .filter { $0["kind"] as? String == "message_to_customer" }
        }

        @Test func eachMomentReachesTheCustomerOnceThoughStepsRepeatAndTheSenderRunsTwice() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let c = try chain(api, receivers)
            let set = try api.client.send("PUT", "/v1/customer-messages", headers: bearer(c.admin), json: everyMoment(c))
            #expect(set.status == 200, "\(set.text)")
            let prefixes = try #require(set.json["link_prefixes"] as? [String: String])

            let id = try open(api, c)
            try step(api, c.admin, id, "assigned", extra: #","assignee_id":"\#(c.engineer)""#)
            #expect(try api.client.send("POST", "/v1/work-orders/\(id)/accept", headers: bearer(c.engineerKey)).status == 200)
            // Waiting for parts twice, and the sender run between: the customer hears it once.
            for to in ["diagnosing", "awaiting_parts", "repairing", "awaiting_parts", "repairing"] {
                try step(api, c.engineerKey, id, to)
                _ = try messages.sender().run()
            }
            let report = try api.client.send("PUT", "/v1/me/work-orders/\(id)/report", headers: bearer(c.engineerKey),
                                             json: #"{"diagnosis":"刹车片磨损","work_performed":"更换前刹车片"}"#)
            #expect(report.status == 201, "\(report.text)")
            try step(api, c.engineerKey, id, "quality_check")
            try step(api, c.admin, id, "awaiting_acceptance")
            #expect(try messages.sender().run().delivered == 1)
            #expect(try messages.sender().run().delivered == 0, "a second run sends nothing again")

            // The signing SMS carries only the link's secret; with the prefix the chain's template
            // holds, it opens the signing page, where the customer signs.
            // Messages due together go out at once, so SMS may arrive in any order (as carriers
            // deliver them anyway): each is found by its template.
            let sent = receivers.received("sms")
            #expect(sent.compactMap { $0["TemplateCode"] as? String }.sorted() == ["SMS_200", "SMS_201", "SMS_202", "SMS_203"], "\(sent)")
            #expect(sent.allSatisfy { $0["PhoneNumbers"] as? String == "13912345678" })
            func params(_ moment: Int) -> [String: String] {
                let message = receivers.received("sms").first { $0["TemplateCode"] as? String == "SMS_20\(moment)" }
                return (try? JSONSerialization.jsonObject(with: Data(((message?["TemplateParam"] as? String) ?? "").utf8))) as? [String: String] ?? [:]
            }
            let number = try #require(try api.get("/v1/work-orders/\(id)", key: c.admin).json["number"] as? String)
            #expect(params(0)["no"] == number)
            #expect(params(1)["who"] == "王师傅", "the customer meets the engineer by family name and 师傅")
            let code = try #require(params(3)["code"])
            let token = try #require(prefixes["signing"]).components(separatedBy: "/v1/public/accept/")[1] + code
            let page = try api.get("/v1/public/accept/\(token)", key: nil)
            #expect(page.json["can_sign"] as? Bool == true, "\(page.text)")
            let version = try #require((page.json["report"] as? [String: Any])?["version"] as? Int)
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
            let signed = try api.client.send("POST", "/v1/public/accept/\(token)", json: """
                {"signer_name":"李女士","report_version":\(version),"signature_type":"image/png","signature":"\(Data(png).base64EncodedString())"}
                """)
            #expect(signed.status == 200, "\(signed.text)")
            #expect(try messages.sender().run().delivered == 1)
            #expect(receivers.received("sms").count == 5)
            let tracking = try #require(prefixes["tracking"]).components(separatedBy: "/v1/public/track/")[1]
            // Every tracking link sent opens the order's page: the first, and those made later.
            for moment in [0, 1, 2, 4] {
                let tracked = try api.get("/v1/public/track/\(tracking + (try #require(params(moment)["code"])))", key: nil)
                #expect(tracked.status == 200, "moment \(moment): \(tracked.text)")
            }

            // The desk sees each message on the timeline, delivered, with no link in the text.
            let entries = try timeline(api, c, id)
            // Every moment a status makes (extra work, which none makes, has ExtraWorkTests).
            #expect(entries.compactMap { ($0["delivery"] as? [String: Any])?["moment"] as? String }
                == CustomerMoment.allCases.filter { $0.status != nil }.map(\.rawValue))
            #expect(entries.allSatisfy { ($0["delivery"] as? [String: Any])?["state"] as? String == "delivered" }, "\(entries)")
            #expect(entries.allSatisfy { !($0["note"] as? String ?? "").contains("/v1/public/") })
        }

        @Test func quietHoursHoldMessagesAndOptedOutCustomersHearNothing() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let c = try chain(api, receivers)
            // A window from an hour ago to an hour from now, on the tenant's clock (Asia/Shanghai).
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
            func hhmm(_ date: Date) -> String {
                let parts = calendar.dateComponents([.hour, .minute], from: date)
                return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
            }
            let quiet = #","quiet_hours":{"start":"\#(hhmm(Date().addingTimeInterval(-3600)))","end":"\#(hhmm(Date().addingTimeInterval(3600)))"}"#
            #expect(try api.client.send("PUT", "/v1/customer-messages", headers: bearer(c.admin), json: everyMoment(c, quiet: quiet)).status == 200)
            let held = try open(api, c)
            #expect(try messages.sender().run().delivered == 0)
            let entry = try #require(try timeline(api, c, held).first?["delivery"] as? [String: Any])
            #expect(entry["state"] as? String == "pending")
            let until = try #require((entry["next_attempt_at"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
            #expect(abs(until.timeIntervalSinceNow - 3600) < 120, "held until the window ends: \(until)")
            #expect(try messages.sender().run(now: until.addingTimeInterval(1)).delivered == 1)

            // A customer who replied TD, recorded by the desk, is not texted; nor one without a phone.
            let optedOut = try api.client.send("POST", "/v1/customers", headers: bearer(c.admin),
                                               json: #"{"name":"张先生","phones":["13800001111"],"sms_opt_out":true}"#)
            #expect(optedOut.json["sms_opted_out_at"] is String, "\(optedOut.text)")
            _ = try open(api, c, customer: #"{"name":"张先生","phones":["13800001111"]}"#)
            _ = try open(api, c, customer: #"{"name":"无电话"}"#)
            #expect(try messages.sender().run(now: until.addingTimeInterval(1)).delivered == 0)
            #expect(receivers.received("sms").count == 1)
        }

        @Test func badPoliciesAreRefusedNamingTheFieldAndAStaleVersionIsRefused() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let c = try chain(api, receivers)
            let other = try chain(api, receivers)
            let robot = try #require(try api.client.send("POST", "/v1/notification-channels", headers: bearer(c.admin),
                                                         json: #"{"name":"群","kind":"dingtalk","url":"\#(receivers.base)/robot"}"#).json["id"] as? String)
            for (body, field) in [
                (#"{"moments":{"someday":[]}}"#, "moments.someday"),
                (#"{"moments":{"received":[{"channel_id":"\#(other.sms)"}]}}"#, "moments.received[0].channel_id"),
                (#"{"moments":{"received":[{"channel_id":"\#(robot)"}]}}"#, "moments.received[0].channel_id"),
                (#"{"moments":{"received":[{"channel_id":"\#(c.sms)","variables":{"url":"link"}}]}}"#, "moments.received[0].variables.url"),
                (#"{"moments":{"received":[{"channel_id":"\#(c.sms)","variables":{"x":"weather"}}]}}"#, "moments.received[0].variables.x"),
                (#"{"quiet_hours":{"start":"25:00","end":"08:00"}}"#, "quiet_hours.start"),
                (#"{"quiet_hours":{"start":"08:00","end":"08:00"}}"#, "quiet_hours.end"),
            ] {
                let refused = try api.client.send("PUT", "/v1/customer-messages", headers: bearer(c.admin), json: body)
                #expect(refused.status == 422, "\(body): \(refused.text)")
                #expect(refused.problemFields == [field], "\(body)")
            }
            let unknown = try api.client.send("PUT", "/v1/customer-messages", headers: bearer(c.admin),
                                              json: #"{"moments":{"received":[{"channel_id":"\#(c.sms)","channel":"sms"}]}}"#)
            #expect(unknown.status == 400 || unknown.status == 422, "\(unknown.text)")
            #expect(try api.get("/v1/customer-messages", key: c.admin).json["version"] as? Int == 0, "nothing refused was kept")

            let first = try api.client.send("PUT", "/v1/customer-messages", headers: bearer(c.admin), json: everyMoment(c))
            #expect(first.status == 200 && first.header("ETag") == "\"1\"")
            let blind = try api.client.send("PUT", "/v1/customer-messages", headers: bearer(c.admin), json: #"{"moments":{}}"#)
            #expect(blind.status == 412, "a second policy without If-Match would overwrite the first unseen: \(blind.text)")
            let next = try api.client.send("PUT", "/v1/customer-messages", headers: bearer(c.admin, [("If-Match", "\"1\"")]), json: #"{"moments":{}}"#)
            #expect(next.status == 200 && next.header("ETag") == "\"2\"")
            let dispatcher = try api.makeKey(adminKey: c.admin, role: .dispatcher)
            #expect(try api.client.send("PUT", "/v1/customer-messages", headers: bearer(dispatcher.secret), json: "{}").status == 403)
        }

        @Test func aTencentRouteFillsTheNumberedFieldsSignedTC3AndAWrongKeyIsDeadAtOnceOnTheTimeline() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let c = try chain(api, receivers)
            func tencent(_ secret: String) throws -> String {
                let made = try api.client.send("POST", "/v1/notification-channels", headers: bearer(c.admin), json: """
                    {"name":"腾讯云短信","kind":"tencent_sms","url":"\(receivers.base)/","secret":"\(secret)",
                     "settings":{"access_key_id":"\(ProviderReceivers.tencentSecretID)","sdk_app_id":"\(ProviderReceivers.tencentAppID)",
                                 "sign_name":"顺达汽修","template_code":"1110"}}
                    """)
                #expect(made.status == 201, "\(made.text)")
                return try #require(made.json["id"] as? String)
            }
            let good = try tencent(ProviderReceivers.tencentSecretKey)
            let incomplete = try api.client.send("POST", "/v1/notification-channels", headers: bearer(c.admin), json: """
                {"name":"腾讯云短信","kind":"tencent_sms","url":"\(receivers.base)/","settings":{"access_key_id":"AKID","sign_name":"顺达","template_code":"1"}}
                """)
            #expect(incomplete.status == 422 && Set(incomplete.problemFields) == ["settings.sdk_app_id", "secret"], "\(incomplete.text)")
            let linked = try api.client.send("PUT", "/v1/customer-messages", headers: bearer(c.admin),
                                             json: #"{"moments":{"received":[{"channel_id":"\#(good)","variables":{"1":"link"}}]}}"#)
            #expect(linked.status == 422 && linked.problemFields == ["moments.received[0].variables.1"], "Tencent refuses links in variables")
            let unnumbered = try api.client.send("PUT", "/v1/customer-messages", headers: bearer(c.admin),
                                                 json: #"{"moments":{"received":[{"channel_id":"\#(good)","variables":{"order":"order"}}]}}"#)
            #expect(unnumbered.status == 422 && unnumbered.problemFields == ["moments.received[0].variables"])
            let set = try api.client.send("PUT", "/v1/customer-messages", headers: bearer(c.admin), json: """
                {"moments":{"received":[{"channel_id":"\(good)","template":"2210","variables":{"1":"order","2":"link_secret"}}]}}
                """)
            #expect(set.status == 200, "\(set.text)")
            let id = try open(api, c)
            #expect(try messages.sender().run().delivered == 1)
            let sent = try #require(receivers.received("tencent").first)
            let number = try #require(try api.get("/v1/work-orders/\(id)", key: c.admin).json["number"] as? String)
            #expect(sent["PhoneNumberSet"] as? [String] == ["+8613912345678"])
            #expect(sent["TemplateId"] as? String == "2210")
            let params = try #require(sent["TemplateParamSet"] as? [String])
            #expect(params.count == 2 && params[0] == number && params[1].count == PublicToken.secretLength, "\(params)")

            // A channel saved with the wrong SecretKey: Tencent says AuthFailure, which no retry
            // changes, so the message is dead after one try, and the desk sees why.
            let wrong = try tencent("not-the-secret-key")
            let version = try api.get("/v1/customer-messages", key: c.admin).json["version"] as? Int ?? 0
            #expect(try api.client.send("PUT", "/v1/customer-messages", headers: bearer(c.admin, [("If-Match", "\"\(version)\"")]),
                                        json: #"{"moments":{"received":[{"channel_id":"\#(wrong)","variables":{"1":"order"}}]}}"#).status == 200)
            let refused = try open(api, c, customer: #"{"name":"周先生","phones":["13700001234"]}"#)
            _ = try messages.sender().run()
            let entry = try #require(try timeline(api, c, refused).first?["delivery"] as? [String: Any])
            #expect(entry["state"] as? String == "dead" && entry["attempts"] as? Int == 1, "\(entry)")
            #expect((entry["last_error"] as? String)?.contains("AuthFailure.SignatureFailure") == true)
            #expect(receivers.refused["tencent AuthFailure.SignatureFailure"] == 1)
        }

        @Test func aFollowerHearsByTemplateMessageFittedToItsFieldsAndOthersBySMSOrNotAtAll() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let apps = try AppMessageReceivers()
            defer { apps.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let c = try chain(api, receivers)
            let mp = try officialAccount(api, apps, admin: c.admin)
            apps.followers = ["oFollower0001", "oLeft0000001"]
            apps.templates = ["TPL-RECEIVED", "TPL-ON-THE-WAY"]
            let noTemplate = try api.client.send("PUT", "/v1/customer-messages", headers: bearer(c.admin),
                                                 json: #"{"moments":{"received":[{"channel_id":"\#(mp)"}]}}"#)
            #expect(noTemplate.status == 422 && noTemplate.problemFields == ["moments.received[0].template"])
            func routes(_ template: String) -> String {
                #"[{"channel_id":"\#(mp)","template":"\#(template)","variables":{"character_string1":"order","phrase3":"status"}},"#
                    + #"{"channel_id":"\#(c.sms)","template":"SMS_300","variables":{"no":"order"}}]"#
            }
            let set = try api.client.send("PUT", "/v1/customer-messages", headers: bearer(c.admin),
                                          json: #"{"moments":{"received":\#(routes("TPL-RECEIVED")),"on_the_way":\#(routes("TPL-ON-THE-WAY"))}}"#)
            #expect(set.status == 200, "\(set.text)")

            // A follower; one who asked for no WeChat messages (texted instead); one WeChat no
            // longer counts as a follower (43004: dead at once, not retried).
            let follower = try open(api, c, customer: #"{"name":"赵女士","phones":["13900000001"],"wechat_openid":"oFollower0001"}"#)
            let customers = try api.client.send("POST", "/v1/customers", headers: bearer(c.admin),
                                                json: #"{"name":"钱先生","phones":["13900000002"],"wechat_openid":"oLeft0000001","wechat_opt_out":true}"#)
            #expect(customers.json["wechat_opted_out_at"] is String)
            _ = try open(api, c, customer: #"{"name":"钱先生","phones":["13900000002"],"wechat_openid":"oLeft0000001"}"#)
            let stranger = try open(api, c, customer: #"{"name":"孙先生","phones":["13900000003"],"wechat_openid":"oStranger001"}"#)
            try step(api, c.admin, follower, "assigned", extra: #","assignee_id":"\#(c.engineer)""#)
            #expect(try api.client.send("POST", "/v1/work-orders/\(follower)/accept", headers: bearer(c.engineerKey)).status == 200)
            _ = try messages.sender().run()

            let sent = apps.received("wechat")
            #expect(sent.map(\.user) == ["oFollower0001", "oFollower0001"], "\(sent)")
            let number = try #require(try api.get("/v1/work-orders/\(follower)", key: c.admin).json["number"] as? String)
            let bodies = sent.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.content.utf8))) as? [String: Any] }
            let onTheWay = try #require(bodies.first { $0["template_id"] as? String == "TPL-ON-THE-WAY" })
            let fields = try #require(onTheWay["data"] as? [String: [String: String]])
            #expect(fields["character_string1"]?["value"] == number)
            // "工程师已出发" is six characters; a phrase field takes five.
            #expect(fields["phrase3"]?["value"] == "工程师已…")
            #expect((onTheWay["url"] as? String)?.hasPrefix("http://127.0.0.1:8080/v1/public/track/ptr_") == true, "\(onTheWay)")
            #expect(apps.counted["wechat token"] == 1 && apps.counted["wechat 47003"] == nil)
            #expect(receivers.received("sms").map { $0["PhoneNumbers"] as? String } == ["13900000002"])
            let dead = try #require(try timeline(api, c, stranger).first?["delivery"] as? [String: Any])
            #expect(dead["state"] as? String == "dead" && dead["attempts"] as? Int == 1, "\(dead)")
            #expect((dead["last_error"] as? String)?.contains("no longer follows") == true)
        }
    }
}
