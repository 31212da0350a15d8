import Foundation
import PitstopAPI
import PitstopCore
import PitstopTesting
import Testing

extension SweepingTests {
    /// The customer's half of the loop, end to end: a report on WeChat in safe mode, a photo and a
    /// location, through to a signed and rated order, with every moment's template message
    /// reaching the follower through receivers that judge as WeChat does (signatures, ciphertext,
    /// tokens, field limits).
    @Suite struct CustomerSideTests {
        let safe = WeChatSafeModeAPITests()
        let plain = WeChatIntakeAPITests()
        let messages = NotificationDeliveryTests()

        @Test func aSafeModeReportWithAPhotoAndALocationEndsSignedAndRatedWithEveryMessageDelivered() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let apps = try AppMessageReceivers()
            defer { apps.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let f = try safe.fixture(api)
            let admin = f.base.adminKey
            func send(_ method: String, _ path: String, _ json: String, key: String? = nil, headers: [(String, String)] = []) throws -> [String: Any] {
                let answer = try api.client.send(method, path, headers: bearer(key ?? admin, headers), json: json)
                #expect((200..<300).contains(answer.status), "\(method) \(path): \(answer.text)")
                return answer.json
            }
            let mp = try CustomerMessagesTests().officialAccount(api, apps, admin: admin)
            let follower = "oCustomerSide001"
            apps.followers = [follower]
            apps.templates = Set(CustomerMoment.allCases.map { "TPL-\($0.rawValue)" })
            let moments = CustomerMoment.allCases.map {
                #""\#($0.rawValue)":[{"channel_id":"\#(mp)","template":"TPL-\#($0.rawValue)","variables":{"character_string1":"order","phrase2":"status"}}]"#
            }
            _ = try send("PUT", "/v1/customer-messages", "{\"moments\":{\(moments.joined(separator: ","))}}")
            let engineer = try #require(try send("POST", "/v1/engineers", #"{"name":"郑国强","status":"available"}"#)["id"] as? String)
            let engineerKey = try #require(try send("POST", "/v1/api-keys", #"{"name":"郑","role":"engineer","engineer_id":"\#(engineer)"}"#)["secret"] as? String)

            // The follower reports, sends a photo and shares where the car is, all in safe mode.
            func wechat(_ xml: String) throws -> String {
                let call = safe.encrypted(f, Array("<xml><ToUserName><![CDATA[gh_pitstop]]></ToUserName><FromUserName><![CDATA[\(follower)]]></FromUserName><CreateTime>\(Int(Date().timeIntervalSince1970))</CreateTime>\(xml)</xml>".utf8))
                let reply = try api.client.send("POST", call.path, body: call.body)
                #expect(reply.status == 200, "\(reply.text)")
                return try safe.opened(reply, f).content ?? ""
            }
            #expect(try wechat("<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[左前轮异响，车牌浙B6K2M8]]></Content><MsgId>30000000000000001</MsgId>").contains("已为您创建维修工单"))
            receivers.picture = [0xFF, 0xD8, 0xFF, 0xE0] + [UInt8](repeating: 7, count: 3000) + [0xFF, 0xD9]
            #expect(try wechat("<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[\(receivers.base)/mmbiz/pic]]></PicUrl><MediaId><![CDATA[m1]]></MediaId><MsgId>30000000000000002</MsgId>").contains("已收到图片"))
            #expect(try wechat("<MsgType><![CDATA[location]]></MsgType><Location_X>30.2741</Location_X><Location_Y>120.1551</Location_Y><Scale>15</Scale><Label><![CDATA[杭州市西湖区文三路]]></Label><MsgId>30000000000000003</MsgId>").contains("已收到位置"))
            let orders = try plain.orders(api, f.base)
            let order = try #require(orders.first?["id"] as? String)
            #expect((orders.first?["site"] as? [String: Any])?["address"] as? String == "杭州市西湖区文三路")
            #expect((try api.get("/v1/work-orders/\(order)/media", key: admin).json["items"] as? [Any])?.count == 1)

            // The repair, step by step; the worker sends what each moment tells the customer.
            func version() throws -> Int { try api.get("/v1/work-orders/\(order)", key: admin).json["version"] as? Int ?? 0 }
            func step(_ to: String, _ extra: String = "", key: String? = nil) throws {
                _ = try send("POST", "/v1/work-orders/\(order)/transitions", #"{"to":"\#(to)"\#(extra)}"#, key: key, headers: [("If-Match", "\"\(try version())\"")])
                _ = try messages.sender().run()
            }
            // The desk picks the engineer, who has shared no position yet (so is "out of area").
            try step("assigned", #","assignee_id":"\#(engineer)","override":true"#)
            _ = try send("POST", "/v1/work-orders/\(order)/accept", "{}", key: engineerKey)
            for to in ["diagnosing", "awaiting_parts", "repairing"] { try step(to, key: engineerKey) }
            func link(_ moment: CustomerMoment) throws -> String {
                let body = apps.received("wechat").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.content.utf8))) as? [String: Any] }
                    .first { $0["template_id"] as? String == "TPL-\(moment.rawValue)" }
                let url = try #require(body?["url"] as? String, "no message for \(moment)")
                return String(url[try #require(url.range(of: "/v1/public/")).lowerBound...])
            }

            // The engineer finds more to do; the customer approves it from the message's link.
            let proposal = try send("POST", "/v1/work-orders/\(order)/extra-work",
                                    #"{"lines":[{"description":"更换右前轮毂轴承","quantity":1,"unit_price":380}],"note":"右侧同样磨损"}"#, key: engineerKey)
            _ = try messages.sender().run()
            let shown = try #require(try api.get(try link(.extraWork), key: nil).json["extra_work"] as? [String: Any])
            #expect(shown["total"] as? Double == 380 && shown["sha256"] as? String == proposal["sha256"] as? String)
            let answer = try api.client.send("POST", try link(.extraWork) + "/extra-work/\(shown["id"] as? String ?? "")",
                                             json: #"{"approve":true,"sha256":"\#(shown["sha256"] as? String ?? "")"}"#)
            #expect(answer.status == 200 && answer.json["state"] as? String == "approved", "\(answer.text)")
            _ = try send("PUT", "/v1/me/work-orders/\(order)/report", #"{"diagnosis":"轮毂轴承磨损","work_performed":"更换左右前轮毂轴承"}"#, key: engineerKey)
            try step("quality_check", key: engineerKey)
            try step("awaiting_acceptance")

            // The customer follows the template message's link to sign, then rates from the next.
            let signing = try link(.readyForAcceptance)
            let page = try api.get(signing, key: nil)
            let reportVersion = try #require((page.json["report"] as? [String: Any])?["version"] as? Int, "\(page.text)")
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
            _ = try send("POST", signing, """
                {"signer_name":"林女士","report_version":\(reportVersion),"signature_type":"image/png","signature":"\(Data(png).base64EncodedString())"}
                """)
            _ = try messages.sender().run()
            #expect(try api.client.send("POST", try link(.completed) + "/rating", json: #"{"score":5,"comment":"修得很好"}"#).status == 204)

            let done = try api.get("/v1/work-orders/\(order)", key: admin)
            #expect(done.json["status"] as? String == "completed")
            let told = apps.received("wechat")
            #expect(told.count == CustomerMoment.allCases.count && told.allSatisfy { $0.user == follower }, "\(told.map(\.content))")
            let timeline = try api.get("/v1/work-orders/\(order)/timeline", key: admin).json["items"] as? [[String: Any]] ?? []
            let deliveries = timeline.compactMap { $0["delivery"] as? [String: Any] }
            let heard: [CustomerMoment] = [.received, .onTheWay, .waitingParts, .extraWork, .readyForAcceptance, .completed]
            #expect(Set(heard) == Set(CustomerMoment.allCases))
            #expect(deliveries.map { $0["moment"] as? String } == heard.map(\.rawValue))
            #expect(deliveries.allSatisfy { $0["state"] as? String == "delivered" }, "\(deliveries)")
            #expect(apps.counted["wechat token"] == 1 && apps.counted["wechat 47003"] == nil)
        }
    }
}
