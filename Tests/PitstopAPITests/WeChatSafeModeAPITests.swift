import Foundation
import PitstopAPI
import PitstopTesting
import Postgres
import Testing

/// Safe mode (安全模式) and compatible mode end to end: messages encrypted and signed exactly as
/// WeChat does (the cipher itself is checked against WeChat's sample values in
/// WeChatProtocolTests), against an adversary who forges, tampers with or replays them.
@Suite struct WeChatSafeModeAPITests {
    static let aesKey = "Pitstop0EncodingAESKey0For0Safe0Mode0Tests0"
    static let appID = "wx1a2b3c4d5e6f7a8b"
    let plain = WeChatIntakeAPITests()

    struct Fixture {
        var base: WeChatIntakeAPITests.Fixture
        var cipher: WeChatCipher
    }

    func fixture(_ api: TestAPI) throws -> Fixture {
        let tenant = try api.makeTenant(name: "安全模式维修连锁")
        let type = try api.client.send("POST", "/v1/work-order-types", headers: bearer(tenant.adminKey),
                                       json: #"{"code":"wechat_report","name":"微信报修"}"#)
        let typeID = try #require(type.json["id"] as? String)
        let account = try api.client.send("POST", "/v1/wechat-accounts", headers: bearer(tenant.adminKey), json: """
            {"name":"车大夫服务号","original_id":"gh_pitstop","token":"\(WeChatIntakeAPITests.consoleToken)","type_id":"\(typeID)",
             "app_id":"\(Self.appID)","encoding_aes_key":"\(Self.aesKey)"}
            """)
        #expect(account.status == 201, "\(account.text)")
        #expect(account.json["has_encoding_aes_key"] as? Bool == true)
        #expect(account.json["app_id"] as? String == Self.appID)
        #expect(!account.text.contains(Self.aesKey))
        let url = try #require(account.json["server_url"] as? String)
        let path = String(url[try #require(url.range(of: "/v1/public/wechat/")).lowerBound...])
        let base = WeChatIntakeAPITests.Fixture(adminKey: tenant.adminKey, typeID: typeID, accountID: try #require(account.json["id"] as? String),
                                                path: path)
        return Fixture(base: base, cipher: try #require(WeChatCipher(encodingAESKey: Self.aesKey, appID: Self.appID)))
    }

    /// A call as WeChat makes it in safe mode: the message inside `Encrypt`, signed twice (the
    /// URL's signature and msg_signature), with `clear` beside it in compatible mode.
    func encrypted(_ f: Fixture, _ xml: [UInt8], cipher: WeChatCipher? = nil, clear: String = "",
                   signedEncrypt: String? = nil) -> (path: String, body: [UInt8]) {
        let encrypt = (cipher ?? f.cipher).encrypt(String(decoding: xml, as: UTF8.self))
        let timestamp = String(Int(Date().timeIntervalSince1970))
        let nonce = String(Int.random(in: 100_000_000...999_999_999))
        let token = WeChatIntakeAPITests.consoleToken
        let msgSignature = WeChatCipher.signature(token: token, timestamp: timestamp, nonce: nonce, encrypt: signedEncrypt ?? encrypt)
        let path = "\(f.base.path)?signature=\(WeChatSignature.compute(token: token, timestamp: timestamp, nonce: nonce))"
            + "&timestamp=\(timestamp)&nonce=\(nonce)&openid=oSafeUser0001&encrypt_type=aes&msg_signature=\(msgSignature)"
        return (path, Array("<xml><ToUserName><![CDATA[gh_pitstop]]></ToUserName>\(clear)<Encrypt><![CDATA[\(encrypt)]]></Encrypt></xml>".utf8))
    }

    /// The follower's view of an encrypted reply: its MsgSignature must verify under the Token,
    /// and its Encrypt must open with the account's key and AppID.
    func opened(_ reply: RawHTTPClient.Response, _ f: Fixture) throws -> WeChatMessage {
        func field(_ name: String) throws -> String {
            let text = reply.text
            let start = try #require(text.range(of: "<\(name)>")).upperBound
            let end = try #require(text.range(of: "</\(name)>", range: start..<text.endIndex)).lowerBound
            return text[start..<end].replacingOccurrences(of: "<![CDATA[", with: "").replacingOccurrences(of: "]]>", with: "")
        }
        let encrypt = try field("Encrypt")
        #expect(try field("MsgSignature") == WeChatCipher.signature(token: WeChatIntakeAPITests.consoleToken, timestamp: try field("TimeStamp"),
                                                                   nonce: try field("Nonce"), encrypt: encrypt))
        #expect(!reply.text.contains("WO-"), "the reply travels encrypted only")
        return try WeChatMessage(xml: try f.cipher.decrypt(encrypt))
    }

    @Test func aSafeModeReportOpensAnOrderAndTheReplyIsEncryptedAndSigned() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let call = encrypted(f, plain.text("发动机故障灯亮了，车牌浙A88888", msgID: "27000000000000001", from: "oSafeUser0001"))
        let reply = try api.client.send("POST", call.path, body: call.body)
        #expect(reply.status == 200, "\(reply.text)")
        let shown = try opened(reply, f)
        #expect(shown.toUserName == "oSafeUser0001")
        #expect(shown.content?.contains("已为您创建维修工单 WO-") == true, "\(shown.content ?? "")")
        let orders = try plain.orders(api, f.base)
        #expect(orders.count == 1)
        #expect(orders.first?["description"] as? String == "发动机故障灯亮了，车牌浙A88888")

        // WeChat's retry of the same call gets the same answer, still encrypted, and opens nothing.
        let again = try api.client.send("POST", call.path, body: call.body)
        #expect(try opened(again, f).content == shown.content)
        #expect(try plain.orders(api, f.base).count == 1)

        // A subscribe event is answered encrypted too; "success" (nothing to show) never is.
        let subscribe = encrypted(f, Array("""
            <xml><ToUserName><![CDATA[gh_pitstop]]></ToUserName><FromUserName><![CDATA[oSafeUser0002]]></FromUserName>\
            <CreateTime>1764100000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>
            """.utf8))
        #expect(try opened(try api.client.send("POST", subscribe.path, body: subscribe.body), f).content?.contains("车大夫服务号") == true)
    }

    @Test func compatibleModeReadsOnlyTheSignedCiphertext() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        // The clear copy beside Encrypt is covered by no signature: a man in the middle could change it.
        let clear = "<FromUserName><![CDATA[oAttacker]]></FromUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[篡改的内容]]></Content>"
        let call = encrypted(f, plain.text("空调不制冷", msgID: "27000000000000002", from: "oSafeUser0001"), clear: clear)
        let reply = try api.client.send("POST", call.path, body: call.body)
        #expect(try opened(reply, f).content?.contains("WO-") == true)
        let orders = try plain.orders(api, f.base)
        #expect(orders.map { $0["description"] as? String } == ["空调不制冷"])
    }

    @Test func forgedTamperedOrMisdirectedCiphertextWritesNothing() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let message = plain.text("刹车失灵", msgID: "27000000000000003", from: "oForger")

        // Encrypt swapped after signing: msg_signature no longer matches.
        let tampered = encrypted(f, message, signedEncrypt: f.cipher.encrypt("<xml>别的内容</xml>"))
        let refused = try api.client.send("POST", tampered.path, body: tampered.body)
        #expect(refused.status == 401)
        #expect(refused.problemFields == ["msg_signature"])

        // Signed correctly but sealed with another key, or for another account's AppID.
        let otherKey = try #require(WeChatCipher(encodingAESKey: String(repeating: "Q", count: 43), appID: Self.appID))
        let otherApp = try #require(WeChatCipher(encodingAESKey: Self.aesKey, appID: "wx0000000000000000"))
        for cipher in [otherKey, otherApp] {
            let call = encrypted(f, message, cipher: cipher)
            let answer = try api.client.send("POST", call.path, body: call.body)
            #expect(answer.status == 400, "\(answer.text)")
            #expect(answer.problemFields == ["Encrypt"])
        }

        // encrypt_type=aes without Encrypt, without msg_signature, or with an unknown scheme.
        let call = encrypted(f, message)
        let bare = try api.client.send("POST", call.path, body: message)
        #expect(bare.status == 400 && bare.problemFields == ["Encrypt"], "\(bare.text)")
        let unsigned = try api.client.send("POST", call.path.replacingOccurrences(of: "&msg_signature=", with: "&old_signature="), body: call.body)
        #expect(unsigned.status == 401 && unsigned.problemFields == ["msg_signature"])
        let unknown = try api.client.send("POST", call.path.replacingOccurrences(of: "encrypt_type=aes", with: "encrypt_type=des"), body: call.body)
        #expect(unknown.status == 400 && unknown.problemFields == ["encrypt_type"])
        #expect(try plain.orders(api, f.base).isEmpty)
        let customers = try api.client.send("GET", "/v1/customers?wechat_openid=oForger", headers: bearer(f.base.adminKey))
        #expect((customers.json["items"] as? [Any])?.isEmpty == true)
    }

    @Test func anAccountWithoutAKeyRefusesSafeModeAndKeysAreCheckedAndSealed() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let keyless = try plain.fixture(api)
        let call = encrypted(Fixture(base: keyless, cipher: f.cipher), plain.text("你好", msgID: "27000000000000004"))
        let refused = try api.client.send("POST", call.path, body: call.body)
        #expect(refused.status == 400 && refused.problemFields == ["encrypt_type"], "\(refused.text)")

        for (body, field) in [
            (#""encoding_aes_key":"\#(Self.aesKey)""#, "app_id"),
            (#""app_id":"\#(Self.appID)","encoding_aes_key":"tooShort""#, "encoding_aes_key"),
            (#""app_id":"wx12","encoding_aes_key":"\#(Self.aesKey)""#, "app_id"),
            (#""app_id":"\#(Self.appID)","encoding_aes_key":"\#(String(repeating: "+", count: 43))""#, "encoding_aes_key"),
        ] {
            let answer = try api.client.send("POST", "/v1/wechat-accounts", headers: bearer(f.base.adminKey), json: """
                {"name":"另一个号","original_id":"gh_other","token":"OtherToken1","type_id":"\(f.base.typeID)",\(body)}
                """)
            #expect(answer.status == 422, "\(answer.text)")
            #expect(answer.problemFields == [field])
        }
        let owner = try Connection(TestDatabase.shared.ownerConfiguration)
        let stored = try owner.query("""
            SELECT encode(aes_key_box, 'escape') AS box FROM wechat_accounts WHERE id = \(try #require(UUID(uuidString: f.base.accountID)))
            """)[0].decode("box", as: String.self)
        #expect(!stored.contains(Self.aesKey) && !stored.contains("Pitstop0Encoding"))
    }

    /// An account connected in plain mode is switched to safe mode in place, at If-Match; a stale
    /// version, a key without an AppID, or an AppID taken from under a key changes nothing; a
    /// new Token ends calls signed with the old one; neither secret is ever shown.
    @Test func anAccountIsChangedInPlaceAtItsVersionIntoSafeModeAndToANewToken() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let keyless = try plain.fixture(api)
        let safe = Fixture(base: keyless, cipher: try #require(WeChatCipher(encodingAESKey: Self.aesKey, appID: Self.appID)))
        func patch(_ json: String, version: Int) throws -> RawHTTPClient.Response {
            try api.client.send("PATCH", "/v1/wechat-accounts/\(keyless.accountID)", headers: bearer(keyless.adminKey, [("If-Match", "\"\(version)\"")]),
                                json: json)
        }
        let read = try api.client.send("GET", "/v1/wechat-accounts/\(keyless.accountID)", headers: bearer(keyless.adminKey))
        #expect(read.header("ETag") == "\"1\"", "\(read.text)")
        let call = encrypted(safe, plain.text("刹车异响", msgID: "27000000000000011"))
        #expect(try api.client.send("POST", call.path, body: call.body).status == 400, "plain mode only, before")

        #expect(try patch(#"{"encoding_aes_key":"\#(Self.aesKey)"}"#, version: 1).problemFields == ["app_id"])
        let switched = try patch(#"{"app_id":"\#(Self.appID)","encoding_aes_key":"\#(Self.aesKey)","name":"车大夫服务号（新）"}"#, version: 1)
        #expect(switched.status == 200 && switched.header("ETag") == "\"2\"" && switched.json["has_encoding_aes_key"] as? Bool == true, "\(switched.text)")
        #expect(!switched.text.contains(Self.aesKey) && switched.json["server_url"] as? String == read.json["server_url"] as? String)
        #expect(try patch(#"{"name":"又一个名字"}"#, version: 1).status == 412, "a stale version changes nothing")
        #expect(try patch(#"{"app_id":null}"#, version: 2).problemFields == ["app_id"], "the key still needs its AppID")
        #expect(try patch("{}", version: 2).problemFields == ["body"])
        let again = encrypted(safe, plain.text("刹车异响", msgID: "27000000000000012"))
        let reply = try api.client.send("POST", again.path, body: again.body)
        let replied = try opened(reply, safe).content ?? ""
        #expect(reply.status == 200 && replied.contains("已为您创建维修工单"), "\(reply.text)")

        // A new Token: the console's calls signed with the old one are refused from now on.
        let retokened = try patch(#"{"token":"NewConsoleToken2"}"#, version: 2)
        #expect(retokened.status == 200 && !retokened.text.contains("NewConsoleToken2"), "\(retokened.text)")
        let old = encrypted(safe, plain.text("还是异响", msgID: "27000000000000013"))
        #expect(try api.client.send("POST", old.path, body: old.body).status == 401)
        // Back to plain mode: the key goes, the AppID may stay.
        let cleared = try patch(#"{"encoding_aes_key":null}"#, version: 3)
        #expect(cleared.status == 200 && cleared.json["has_encoding_aes_key"] as? Bool == false, "\(cleared.text)")
        // A disconnected account is not found.
        #expect(try api.client.send("DELETE", "/v1/wechat-accounts/\(keyless.accountID)", headers: bearer(keyless.adminKey)).status == 204)
        #expect(try patch(#"{"name":"x"}"#, version: 4).status == 404)
    }
}
