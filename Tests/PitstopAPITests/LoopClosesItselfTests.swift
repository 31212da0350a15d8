import Crypto
import Foundation
import PitstopAPI
import PitstopJobs
import PitstopTesting
import Testing

extension SweepingTests {
    /// The whole repair loop with no desk key once the chain is set up: a customer's WeChat text
    /// is dispatched on intake, the offer reaches the engineer's DingTalk (a receiver on
    /// 127.0.0.1 judging it as DingTalk would), and the engineer's own key takes the order from
    /// accepting to the quality check, an inspector's key passes it, and the customer signs
    /// through their link. The customer's second message reaches the engineer too.
    @Suite struct LoopClosesItselfTests {
        let wechat = WeChatIntakeAPITests()
        let messages = EngineerMessagesTests()

        @Test func aWeChatReportIsRepairedAndSignedWithNoDeskKeyAfterSetup() throws {
            let apps = try AppMessageReceivers()
            defer { apps.stop() }
            let api = try TestAPI { $0.secretKey = EngineerMessagesTests.key }
            defer { api.stop() }

            // Setup, the only use of the admin key: the WeChat account, the app, one engineer
            // told through it, their key, an inspector's key, and a policy that offers at once.
            let f = try wechat.fixture(api)
            func create(_ path: String, _ json: String) throws -> [String: Any] {
                let made = try api.client.send("POST", path, headers: bearer(f.adminKey), json: json)
                #expect(made.status == 201, "\(path): \(made.text)")
                return made.json
            }
            let app = try create("/v1/notification-channels", #"{"name":"钉钉工作通知","kind":"dingtalk_app","url":"\#(apps.base)","secret":"\#(AppMessageReceivers.dingTalkSecret)","settings":{"app_key":"\#(AppMessageReceivers.dingTalkKey)","agent_id":\#(AppMessageReceivers.dingTalkAgent)}}"#)
            let engineer = try #require(try create("/v1/engineers", #"{"name":"陈师傅","status":"available","notify_channel_id":"\#(app["id"] as? String ?? "")","dingtalk_user_id":"chen"}"#)["id"] as? String)
            apps.users = ["chen"]
            let chen = try #require(try create("/v1/api-keys", #"{"name":"陈师傅的手机","role":"engineer","engineer_id":"\#(engineer)"}"#)["secret"] as? String)
            let inspector = try #require(try create("/v1/api-keys", #"{"name":"质检员周","role":"inspector"}"#)["secret"] as? String)
            _ = try create("/v1/dispatch-policies", #"{"mode":"offer","offer_timeout_seconds":600}"#)
            let sender = messages.sender()

            // The customer writes on WeChat: an order, offered to 陈师傅 before the reply goes back.
            let reported = try api.client.send("POST", wechat.signed(f.path, extra: "&openid=oLoopCustomer01"),
                                               body: wechat.text("刹车有异响，车牌浙A12345", msgID: "25000000000000001", from: "oLoopCustomer01"))
            #expect(reported.status == 200, "\(reported.text)")
            let reply = try #require(try WeChatMessage(xml: reported.body).content)
            let synced = try api.get("/v1/me/sync", key: chen)
            let offer = try #require((synced.json["offers"] as? [[String: Any]])?.first, "\(synced.text)")
            let id = try #require((synced.json["queue"] as? [String])?.first)
            let number = try #require(try api.get("/v1/work-orders/\(id)", key: chen).json["number"] as? String)
            #expect(reply.contains(number))
            #expect(offer["state"] as? String == "pending")

            // The worker tells the engineer; the time to answer starts when DingTalk took it.
            #expect(try sender.run(now: Date()).delivered == 1)
            #expect(apps.received("dingtalk").map(\.user) == ["chen"])
            #expect(apps.received("dingtalk").first?.content.contains("【新派单】工单 \(number)") == true)
            let told = try api.get("/v1/me/sync", key: chen).json["offers"] as? [[String: Any]]
            #expect(told?.first?["notified_at"] is String, "\(String(describing: told))")

            // The customer adds a detail; the engineer hears it.
            _ = try api.client.send("POST", wechat.signed(f.path, extra: "&openid=oLoopCustomer01"),
                                    body: wechat.text("补充：下坡时更明显", msgID: "25000000000000002", from: "oLoopCustomer01"))
            #expect(try sender.run(now: Date()).delivered == 1)
            #expect(apps.received("dingtalk").last?.content.contains("客户说：补充：下坡时更明显") == true, "\(apps.received("dingtalk"))")

            // The engineer's key alone, from accepting to the quality check.
            func version() throws -> Int { try api.get("/v1/work-orders/\(id)", key: chen).json["version"] as? Int ?? 0 }
            func step(_ to: String) throws {
                let moved = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(chen, [("If-Match", "\"\(try version())\"")]),
                                                json: #"{"to":"\#(to)"}"#)
                #expect(moved.status == 200, "\(to): \(moved.text)")
            }
            #expect(try api.client.send("POST", "/v1/work-orders/\(id)/accept", headers: bearer(chen)).status == 200)
            let checkIn = try api.client.send("POST", "/v1/me/work-orders/\(id)/check-in", headers: bearer(chen), json: #"{"latitude":30.25,"longitude":120.15}"#)
            #expect(checkIn.status == 201, "\(checkIn.text)")
            try step("diagnosing")
            let asked = try api.client.send("POST", "/v1/me/work-orders/\(id)/requisitions", headers: bearer(chen),
                                            json: #"{"lines":[{"part_number":"BP-1","quantity":1}]}"#)
            #expect(asked.status == 201, "\(asked.text)")
            #expect(try api.get("/v1/work-orders/\(id)", key: chen).json["status"] as? String == "awaiting_parts")
            // The pads were in the van after all.
            try step("repairing")
            let report = try api.client.send("PUT", "/v1/me/work-orders/\(id)/report", headers: bearer(chen),
                                             json: #"{"diagnosis":"前刹车片磨损到限","work_performed":"更换前刹车片"}"#)
            #expect(report.status == 201, "\(report.text)")
            try step("quality_check")

            // The inspector passes it.
            let passed = try api.client.send("POST", "/v1/work-orders/\(id)/quality-check", headers: bearer(inspector, [("If-Match", "\"\(try version())\"")]),
                                             json: #"{"inspector":"质检员周","results":[{"item":"试车","passed":true}]}"#)
            #expect(passed.status == 200, "\(passed.text)")

            // The customer signs through the link the engineer sends.
            let link = try api.client.send("POST", "/v1/work-orders/\(id)/acceptance-link", headers: bearer(chen))
            #expect(link.status == 201, "\(link.text)")
            let token = try #require(link.json["token"] as? String)
            let page = try api.get("/v1/public/accept/\(token)", key: nil)
            #expect(page.json["can_sign"] as? Bool == true, "\(page.text)")
            let reportVersion = try #require((page.json["report"] as? [String: Any])?["version"] as? Int, "\(page.text)")
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
            let signed = try api.client.send("POST", "/v1/public/accept/\(token)", json: """
                {"signer_name":"王先生","report_version":\(reportVersion),"signature_type":"image/png","signature":"\(Data(png).base64EncodedString())"}
                """)
            #expect(signed.status == 200, "\(signed.text)")
            let done = try api.get("/v1/work-orders/\(id)", key: chen)
            #expect(done.json["status"] as? String == "completed", "\(done.text)")
            #expect(apps.counted["dingtalk dropped"] == nil && apps.counted["dingtalk token"] == 1)
        }
    }
}
