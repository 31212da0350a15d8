import Foundation
import PitstopAPI
import PitstopTesting
import Postgres
import Synchronization
import Testing

/// The official-account channel end to end, with requests signed exactly as WeChat signs them.
@Suite struct WeChatIntakeAPITests {
    static let consoleToken = "PitstopToken2026"

    struct Fixture {
        var adminKey: String
        var typeID: String
        var accountID: String
        /// The path of the server URL the admin pastes into the WeChat console.
        var path: String
    }

    func fixture(_ api: TestAPI) throws -> Fixture {
        let tenant = try api.makeTenant(name: "微信维修连锁")
        let type = try api.client.send("POST", "/v1/work-order-types", headers: bearer(tenant.adminKey),
                                       json: #"{"code":"wechat_report","name":"微信报修"}"#)
        let typeID = try #require(type.json["id"] as? String)
        let account = try api.client.send("POST", "/v1/wechat-accounts", headers: bearer(tenant.adminKey), json: """
            {"name":"车大夫服务号","original_id":"gh_pitstop","token":"\(Self.consoleToken)","type_id":"\(typeID)"}
            """)
        #expect(account.status == 201, "\(account.text)")
        let url = try #require(account.json["server_url"] as? String)
        #expect(!account.text.contains(Self.consoleToken))
        let path = String(url[try #require(url.range(of: "/v1/public/wechat/")).lowerBound...])
        return Fixture(adminKey: tenant.adminKey, typeID: typeID, accountID: try #require(account.json["id"] as? String), path: path)
    }

    /// The query string WeChat adds to every call: a timestamp, a nonce and their signature.
    func signed(_ path: String, token: String = consoleToken, extra: String = "", at moment: Date = Date()) -> String {
        let timestamp = String(Int(moment.timeIntervalSince1970))
        let nonce = String(Int.random(in: 100_000_000...999_999_999))
        let signature = WeChatSignature.compute(token: token, timestamp: timestamp, nonce: nonce)
        return "\(path)?signature=\(signature)&timestamp=\(timestamp)&nonce=\(nonce)\(extra)"
    }

    func text(_ content: String, msgID: String, from openID: String = "oPitstopUser0001", to account: String = "gh_pitstop") -> [UInt8] {
        Array("""
            <xml><ToUserName><![CDATA[\(account)]]></ToUserName><FromUserName><![CDATA[\(openID)]]></FromUserName>\
            <CreateTime>\(Int(Date().timeIntervalSince1970))</CreateTime><MsgType><![CDATA[text]]></MsgType>\
            <Content><![CDATA[\(content)]]></Content><MsgId>\(msgID)</MsgId></xml>
            """.utf8)
    }

    func orders(_ api: TestAPI, _ f: Fixture) throws -> [[String: Any]] {
        try api.client.send("GET", "/v1/work-orders?channel=wechat", headers: bearer(f.adminKey)).json["items"] as? [[String: Any]] ?? []
    }

    @Test func theHandshakeEchoesOnlyForTheRightSignature() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let good = try api.client.send("GET", signed(f.path, extra: "&echostr=5837397520668397"))
        #expect(good.status == 200)
        #expect(good.text == "5837397520668397")
        let wrong = try api.client.send("GET", signed(f.path, token: "SomeOtherToken", extra: "&echostr=1"))
        #expect(wrong.status == 401)
        #expect(wrong.problemFields == ["signature"])
        #expect(try api.client.send("GET", signed(f.path)).problemFields == ["echostr"])
        #expect(try api.client.send("GET", signed("/v1/public/wechat/pwx_nothing", extra: "&echostr=1")).status == 404)
    }

    @Test func aTextOpensAnOrderAndARetryChangesNothing() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let first = try api.client.send("POST", signed(f.path, extra: "&openid=oPitstopUser0001"), body: text("刹车有异响，车牌浙A12345", msgID: "24000000000000001"))
        #expect(first.status == 200, "\(first.text)")
        let reply = try WeChatMessage(xml: first.body)
        #expect(reply.toUserName == "oPitstopUser0001")
        #expect(reply.fromUserName == "gh_pitstop")
        #expect(reply.msgType == "text")
        let listed = try orders(api, f)
        #expect(listed.count == 1)
        let number = try #require(listed.first?["number"] as? String)
        #expect(reply.content?.contains(number) == true)
        #expect(reply.content?.contains("/v1/public/track/ptr_") == true)
        #expect(listed.first?["description"] as? String == "刹车有异响，车牌浙A12345")

        // The follower is a customer now, found by openid.
        let customers = try api.client.send("GET", "/v1/customers?wechat_openid=oPitstopUser0001", headers: bearer(f.adminKey))
        #expect((customers.json["items"] as? [Any])?.count == 1)

        // WeChat retries the same MsgId: the same reply, nothing new.
        let retry = try api.client.send("POST", signed(f.path), body: text("刹车有异响，车牌浙A12345", msgID: "24000000000000001"))
        #expect(try WeChatMessage(xml: retry.body).content == reply.content)
        #expect(try orders(api, f).count == 1)

        // A further message joins the open order as the customer's message.
        let more = try api.client.send("POST", signed(f.path), body: text("补充：下坡时更明显", msgID: "24000000000000002"))
        #expect(try WeChatMessage(xml: more.body).content?.contains(number) == true)
        #expect(try orders(api, f).count == 1)
        let id = try #require(listed.first?["id"] as? String)
        let timeline = try api.client.send("GET", "/v1/work-orders/\(id)/timeline", headers: bearer(f.adminKey))
        let entries = timeline.json["items"] as? [[String: Any]] ?? []
        #expect(entries.map { $0["kind"] as? String } == ["created", "customer_message"])
        #expect((entries.last?["note"] as? String)?.contains("下坡时更明显") == true)
    }

    @Test func retriesArrivingTogetherOpenOneOrder() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let replies = Mutex([String]())
        let client = api.client
        let requests = (0..<6).map { _ in signed(f.path) }
        let body = text("发动机漏油", msgID: "24000000000000777", from: "oConcurrentUser")
        DispatchQueue.concurrentPerform(iterations: requests.count) { index in
            let response = try? client.send("POST", requests[index], body: body)
            let content = response.flatMap { try? WeChatMessage(xml: $0.body).content }
            replies.withLock { $0.append(content ?? "none") }
        }
        #expect(try orders(api, f).count == 1)
        #expect(Set(replies.withLock { $0 }).count == 1)
        #expect(!replies.withLock { $0 }.contains("none"))
    }

    /// A job type whose form asks for what a chat cannot give: the follower is told to call, and
    /// nothing is kept of them (intake checks before it writes, so no customer is left behind
    /// for a report that opened nothing).
    @Test func aReportTheJobTypeCannotTakeByChatIsAnsweredAndLeavesNoCustomer() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let strict = try api.client.send("POST", "/v1/work-order-types", headers: bearer(f.adminKey), json: #"""
            {"code":"claim","name":"保险理赔","template":{"fields":[{"key":"policy_no","label":"保单号","kind":"text","required":true}]}}
            """#)
        let strictID = try #require(strict.json["id"] as? String)
        let account = try api.client.send("POST", "/v1/wechat-accounts", headers: bearer(f.adminKey), json: """
            {"name":"理赔服务号","original_id":"gh_claims","token":"\(Self.consoleToken)","type_id":"\(strictID)"}
            """)
        let url = try #require(account.json["server_url"] as? String, "\(account.text)")
        let path = String(url[try #require(url.range(of: "/v1/public/wechat/")).lowerBound...])
        let answer = try api.client.send("POST", signed(path), body: text("车被追尾了", msgID: "24000000000000901", from: "oStrangerOnChat",
                                                                        to: "gh_claims"))
        #expect(try WeChatMessage(xml: answer.body).content?.contains("请直接致电门店") == true, "\(answer.text)")
        #expect(try orders(api, f).isEmpty)
        let customers = try api.client.send("GET", "/v1/customers?wechat_openid=oStrangerOnChat", headers: bearer(f.adminKey))
        #expect((customers.json["items"] as? [Any])?.count == 0, "\(customers.text)")
    }

    /// Forged, unsigned, stale (a replay six minutes late, or a clock six minutes ahead),
    /// misaddressed or unreadable messages: refused, and nothing is written.
    @Test func unsignedOrMisaddressedMessagesWriteNothing() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let forged = try api.client.send("POST", signed(f.path, token: "Guess123"), body: text("假消息", msgID: "1", from: "oForger"))
        #expect(forged.status == 401)
        let unsigned = try api.client.send("POST", f.path, body: text("假消息", msgID: "2", from: "oForger"))
        #expect(unsigned.status == 401)
        let misaddressed = try api.client.send("POST", signed(f.path), body: text("发错了", msgID: "3", from: "oForger", to: "gh_someone_else"))
        #expect(misaddressed.status == 400)
        #expect(misaddressed.problemFields == ["ToUserName"])
        // Correctly signed, but six minutes old or ahead: a replay, refused before anything is read.
        for skew in [-360.0, 360.0] {
            let replayed = try api.client.send("POST", signed(f.path, at: Date().addingTimeInterval(skew)), body: text("重放", msgID: "4", from: "oForger"))
            #expect(replayed.status == 401, "\(replayed.text)")
            #expect(replayed.problemFields == ["timestamp"])
        }
        #expect(try api.client.send("GET", signed(f.path, extra: "&echostr=1", at: Date().addingTimeInterval(-360))).status == 401)
        let garbage = try api.client.send("POST", signed(f.path), body: Array("<html>".utf8))
        #expect(garbage.status == 400)
        #expect(try orders(api, f).isEmpty)
        let customers = try api.client.send("GET", "/v1/customers?wechat_openid=oForger", headers: bearer(f.adminKey))
        #expect((customers.json["items"] as? [Any])?.isEmpty == true)
    }

    @Test func eventsAndOtherMessagesGetTheRightAnswer() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let subscribe = Array("""
            <xml><ToUserName><![CDATA[gh_pitstop]]></ToUserName><FromUserName><![CDATA[oNewFollower]]></FromUserName>\
            <CreateTime>1764100000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>
            """.utf8)
        let welcome = try api.client.send("POST", signed(f.path), body: subscribe)
        #expect(try WeChatMessage(xml: welcome.body).content?.contains("车大夫服务号") == true)
        let video = Array("""
            <xml><ToUserName><![CDATA[gh_pitstop]]></ToUserName><FromUserName><![CDATA[oNewFollower]]></FromUserName>\
            <CreateTime>1764100000</CreateTime><MsgType><![CDATA[shortvideo]]></MsgType><MsgId>24000000000000009</MsgId></xml>
            """.utf8)
        let ignored = try api.client.send("POST", signed(f.path), body: video)
        #expect(ignored.status == 200)
        #expect(ignored.text == "success")
        #expect(try orders(api, f).isEmpty)

        // Unfollowing stops the chain's WeChat messages to the customer; following again resumes them.
        _ = try api.client.send("POST", signed(f.path), body: text("空调有异味", msgID: "24000000000000010", from: "oNewFollower"))
        func optedOut() throws -> Any? {
            let found = try api.client.send("GET", "/v1/customers?wechat_openid=oNewFollower", headers: bearer(f.adminKey))
            return (found.json["items"] as? [[String: Any]])?.first?["wechat_opted_out_at"]
        }
        #expect(try optedOut() == nil)
        let unsubscribe = Array("""
            <xml><ToUserName><![CDATA[gh_pitstop]]></ToUserName><FromUserName><![CDATA[oNewFollower]]></FromUserName>\
            <CreateTime>1764100000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[unsubscribe]]></Event></xml>
            """.utf8)
        #expect(try api.client.send("POST", signed(f.path), body: unsubscribe).text == "success")
        #expect(try optedOut() is String)
        _ = try api.client.send("POST", signed(f.path), body: subscribe)
        #expect(try optedOut() == nil)
    }

    /// The custom menu's buttons: 我的工单 (PITSTOP_ORDERS) answers with the follower's open order
    /// and a tracking link that opens; any other key, and a follower with no order, get how to
    /// report. No click writes an order.
    @Test func menuClicksAnswerWithTheFollowersOrderOrHowToReport() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        func click(_ key: String, from openID: String = "oMenuUser") throws -> String {
            let xml = Array("""
                <xml><ToUserName><![CDATA[gh_pitstop]]></ToUserName><FromUserName><![CDATA[\(openID)]]></FromUserName>\
                <CreateTime>1764100000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event>\
                <EventKey><![CDATA[\(key)]]></EventKey></xml>
                """.utf8)
            let answer = try api.client.send("POST", signed(f.path), body: xml)
            #expect(answer.status == 200, "\(answer.text)")
            return try WeChatMessage(xml: answer.body).content ?? ""
        }
        #expect(try click("PITSTOP_ORDERS").contains("您目前没有进行中的工单"))
        #expect(try orders(api, f).isEmpty, "a click opens nothing")
        _ = try api.client.send("POST", signed(f.path), body: text("刹车时方向盘抖", msgID: "24000000000000031", from: "oMenuUser"))
        let mine = try click("PITSTOP_ORDERS")
        let number = try #require(try orders(api, f).first?["number"] as? String)
        #expect(mine.contains("您的工单 \(number)") && mine.contains("已受理"), "\(mine)")
        let link = try #require(mine.range(of: "/v1/public/track/")).lowerBound
        #expect(try api.client.send("GET", String(mine[link...])).status == 200, "the link in the answer opens the order")
        #expect(try click("PITSTOP_ORDERS", from: "oSomeoneElse").contains("没有进行中的工单"), "another follower sees nothing of it")
        #expect(try click("V1001_TODAY_MUSIC").contains("请直接发文字描述车辆的问题"))
    }

    @Test func accountsAreCheckedAndStayInTheirTenant() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let a = try fixture(api)
        let b = try fixture(api)
        let bad = try api.client.send("POST", "/v1/wechat-accounts", headers: bearer(a.adminKey),
                                      json: #"{"name":"x","original_id":"wx123","token":"a b","type_id":"\#(a.typeID)"}"#)
        #expect(bad.status == 422)
        #expect(Set(bad.problemFields) == ["original_id", "token"])
        let foreignType = try api.client.send("POST", "/v1/wechat-accounts", headers: bearer(a.adminKey),
                                              json: #"{"name":"x","original_id":"gh_abc","token":"abc","type_id":"\#(b.typeID)"}"#)
        #expect(foreignType.status == 422)
        #expect(foreignType.problemFields == ["type_id"])
        #expect(try api.client.send("GET", "/v1/wechat-accounts/\(a.accountID)", headers: bearer(b.adminKey)).status == 404)
        let listed = try api.client.send("GET", "/v1/wechat-accounts", headers: bearer(a.adminKey))
        #expect((listed.json["items"] as? [Any])?.count == 1)
        #expect(!listed.text.contains(Self.consoleToken))

        #expect(try api.client.send("DELETE", "/v1/wechat-accounts/\(a.accountID)", headers: bearer(a.adminKey)).status == 204)
        #expect(try api.client.send("POST", signed(a.path), body: text("还在吗", msgID: "5")).status == 404)
    }

    /// What the welcome text promises: a greeting alone is asked what is wrong and opens nothing;
    /// a plate in the message attaches the vehicle, created for the follower or found as theirs;
    /// another customer's plate is left off with a remark, never attached.
    @Test func aGreetingOpensNothingAndAPlateInTheMessageNamesTheVehicle() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let hello = try api.client.send("POST", signed(f.path), body: text("你好", msgID: "27000000000000001", from: "oPlateOwner"))
        #expect(try WeChatMessage(xml: hello.body).content?.contains("出了什么问题") == true, "\(hello.text)")
        #expect(try orders(api, f).isEmpty)

        let first = try api.client.send("POST", signed(f.path), body: text("车牌浙a·88888，发动机抖动", msgID: "27000000000000002", from: "oPlateOwner"))
        #expect(first.status == 200)
        let order = try #require(try orders(api, f).first)
        let vehicleID = try #require(order["vehicle_id"] as? String, "\(order)")
        let vehicle = try api.get("/v1/vehicles/\(vehicleID)", key: f.adminKey)
        #expect(vehicle.json["plate"] as? String == "浙A88888")
        #expect(vehicle.json["customer_id"] as? String == order["customer_id"] as? String)

        // Someone else writes about 浙A88888: their order does not get the first follower's car.
        _ = try api.client.send("POST", signed(f.path), body: text("浙A88888 刹车软", msgID: "27000000000000003", from: "oSomeoneElse"))
        let theirs = try #require(try orders(api, f).first { ($0["id"] as? String) != order["id"] as? String })
        #expect(theirs["vehicle_id"] is NSNull || theirs["vehicle_id"] == nil, "\(theirs)")
        let vehicles = try api.get("/v1/vehicles?plate=浙A88888".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "", key: f.adminKey)
        #expect((vehicles.json["items"] as? [Any])?.count == 1, "\(vehicles.text)")
    }

    /// A voice message's recognised text reports like a text; without recognition the follower
    /// is asked to write. A location sets the follower's open order's site (once per MsgId), and
    /// without an open order it opens nothing.
    @Test func voiceReportsLikeTextAndALocationSetsTheOpenOrdersSite() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        func message(_ type: String, _ fields: String, id: String, from openID: String = "oVoiceUser01") -> [UInt8] {
            Array("""
                <xml><ToUserName><![CDATA[gh_pitstop]]></ToUserName><FromUserName><![CDATA[\(openID)]]></FromUserName>\
                <CreateTime>\(Int(Date().timeIntervalSince1970))</CreateTime><MsgType><![CDATA[\(type)]]></MsgType>\(fields)<MsgId>\(id)</MsgId></xml>
                """.utf8)
        }
        let unheard = try api.client.send("POST", signed(f.path), body: message("voice", "<MediaId><![CDATA[m1]]></MediaId><Format><![CDATA[amr]]></Format>", id: "28000000000000001"))
        #expect(try WeChatMessage(xml: unheard.body).content?.contains("请发文字") == true, "\(unheard.text)")
        let early = try api.client.send("POST", signed(f.path), body: message("location", "<Location_X>30.2741</Location_X><Location_Y>120.1551</Location_Y><Scale>15</Scale><Label><![CDATA[杭州市西湖区文三路]]></Label>", id: "28000000000000002"))
        #expect(try WeChatMessage(xml: early.body).content?.contains("请再发文字") == true, "\(early.text)")
        #expect(try orders(api, f).isEmpty)

        let spoken = try api.client.send("POST", signed(f.path), body: message("voice", "<Recognition><![CDATA[发动机故障灯亮了，车牌浙A6N2T8]]></Recognition>", id: "28000000000000003"))
        let number = try #require(try orders(api, f).first?["number"] as? String)
        #expect(try WeChatMessage(xml: spoken.body).content?.contains(number) == true)
        let location = message("location", "<Location_X>30.2741</Location_X><Location_Y>120.1551</Location_Y><Scale>15</Scale><Label><![CDATA[杭州市西湖区文三路]]></Label>", id: "28000000000000004")
        for _ in 0..<2 {
            let placed = try api.client.send("POST", signed(f.path), body: location)
            #expect(try WeChatMessage(xml: placed.body).content?.contains(number) == true, "\(placed.text)")
        }
        let order = try #require(try orders(api, f).first)
        let site = order["site"] as? [String: Any]
        #expect(site?["latitude"] as? Double == 30.2741 && site?["longitude"] as? Double == 120.1551, "\(order)")
        #expect(site?["address"] as? String == "杭州市西湖区文三路")
        let id = try #require(order["id"] as? String)
        let timeline = try api.client.send("GET", "/v1/work-orders/\(id)/timeline", headers: bearer(f.adminKey)).json["items"] as? [[String: Any]] ?? []
        #expect(timeline.filter { $0["kind"] as? String == "updated" }.count == 1, "the retried location changed the order once")

        let nowhere = try api.client.send("POST", signed(f.path), body: message("location", "<Location_X>300</Location_X><Location_Y>120.1</Location_Y>", id: "28000000000000005"))
        #expect(try WeChatMessage(xml: nowhere.body).content?.contains("无法识别") == true, "\(nowhere.text)")
    }

    /// The console's Token is a credential: stored only sealed (nothing in the row reads as the
    /// Token), opened to check each call; an account connected before Tokens were sealed keeps
    /// working and is sealed by its next message; a server without the key cannot connect one.
    @Test func theTokenIsKeptSealedAndALegacyOneIsSealedByItsNextMessage() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let owner = try Connection(TestDatabase.shared.ownerConfiguration)
        let account = try #require(UUID(uuidString: f.accountID))
        func stored() throws -> (token: String?, box: String?) {
            let row = try owner.query("SELECT token, encode(token_box, 'escape') AS box FROM wechat_accounts WHERE id = \(account)").rows[0]
            return (try row.decode("token"), try row.decode("box"))
        }
        let sealed = try stored()
        #expect(sealed.token == nil)
        #expect(sealed.box.map { !$0.contains(Self.consoleToken) } == true)
        let first = try api.client.send("POST", signed(f.path), body: text("刹车有异响", msgID: "26000000000000001"))
        #expect(try WeChatMessage(xml: first.body).content?.contains("WO-") == true, "\(first.text)")

        // A row as migration 0055 found it: the Token in the clear.
        _ = try owner.query("UPDATE wechat_accounts SET token = \(Self.consoleToken), token_box = NULL WHERE id = \(account)")
        #expect(try api.client.send("GET", signed(f.path, extra: "&echostr=7")).text == "7", "a read-only handshake checks it as it is")
        #expect(try stored().token == Self.consoleToken)
        let forged = try api.client.send("POST", signed(f.path, token: "Guess123"), body: text("假", msgID: "26000000000000002"))
        #expect(forged.status == 401)
        #expect(try stored().token == Self.consoleToken, "a refused call writes nothing, not even the seal")
        let next = try api.client.send("POST", signed(f.path), body: text("补充：下坡时更明显", msgID: "26000000000000003"))
        #expect(next.status == 200, "\(next.text)")
        let resealed = try stored()
        #expect(resealed.token == nil && resealed.box != nil)
        #expect(try api.client.send("POST", signed(f.path), body: text("还有异味", msgID: "26000000000000004")).status == 200)

        // Without PITSTOP_SECRET_KEY a Token cannot be kept, nor a sealed one opened.
        let keyless = try TestAPI { $0.secretKey = nil }
        defer { keyless.stop() }
        let refused = try keyless.client.send("POST", "/v1/wechat-accounts", headers: bearer(f.adminKey),
                                              json: #"{"name":"另一个号","original_id":"gh_other","token":"OtherToken1","type_id":"\#(f.typeID)"}"#)
        #expect(refused.status == 503, "\(refused.text)")
        #expect(try keyless.client.send("POST", signed(f.path), body: text("在吗", msgID: "26000000000000005")).status == 503)
    }

    @Test func aPictureJoinsTheFollowersOpenOrderOnceAndWhatIsNoPictureOrTooLargeIsRefused() throws {
        let receivers = try ProviderReceivers()
        defer { receivers.stop() }
        let api = try TestAPI { $0.mediaLimits = .init(photoBytes: 4096, videoBytes: 4096) }
        defer { api.stop() }
        let f = try fixture(api)
        func image(_ id: String, from openID: String = "oPhotoUser001") -> [UInt8] {
            Array("""
                <xml><ToUserName><![CDATA[gh_pitstop]]></ToUserName><FromUserName><![CDATA[\(openID)]]></FromUserName>\
                <CreateTime>\(Int(Date().timeIntervalSince1970))</CreateTime><MsgType><![CDATA[image]]></MsgType>\
                <PicUrl><![CDATA[\(receivers.base)/mmbiz/pic]]></PicUrl><MediaId><![CDATA[media\(id)]]></MediaId><MsgId>\(id)</MsgId></xml>
                """.utf8)
        }
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + [UInt8](repeating: 0x42, count: 2000) + [0xFF, 0xD9]
        receivers.picture = jpeg
        // No open order yet: the picture is acknowledged, nothing is kept.
        let early = try WeChatMessage(xml: try api.client.send("POST", signed(f.path), body: image("29000000000000001")).body)
        #expect(early.content?.contains("请再发文字描述") == true)

        _ = try api.client.send("POST", signed(f.path), body: text("保险杠刮了", msgID: "29000000000000002", from: "oPhotoUser001"))
        let order = try #require(try orders(api, f).first?["id"] as? String)
        let kept = try api.client.send("POST", signed(f.path), body: image("29000000000000003"))
        #expect(try WeChatMessage(xml: kept.body).content?.contains("已收到图片，已添加到您的工单") == true, "\(kept.text)")
        // WeChat's retry of the MsgId gets the same reply and adds nothing.
        _ = try api.client.send("POST", signed(f.path), body: image("29000000000000003"))
        let media = try api.get("/v1/work-orders/\(order)/media", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
        #expect(media.count == 1 && media.first?["content_type"] as? String == "image/jpeg", "\(media)")
        let id = try #require(media.first?["id"] as? String)
        #expect(try api.get("/v1/media/\(id)/content", key: f.adminKey).body == jpeg)

        // A page instead of a picture, or one over the photo limit: the follower is asked again.
        for served in [Array("<html>not a picture</html>".utf8), [0xFF, 0xD8, 0xFF, 0xE0] + [UInt8](repeating: 1, count: 5000)] {
            receivers.picture = served
            let refused = try api.client.send("POST", signed(f.path), body: image("2900000000000000\(served.count % 7 + 4)"))
            #expect(try WeChatMessage(xml: refused.body).content == "图片接收失败，请稍后重新发送。", "\(refused.text)")
        }
        #expect((try api.get("/v1/work-orders/\(order)/media", key: f.adminKey).json["items"] as? [Any])?.count == 1)
    }
}

