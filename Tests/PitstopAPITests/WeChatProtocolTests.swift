import PitstopAPI
import Testing

@Suite struct WeChatProtocolTests {
    // Expected values computed independently: sha1 of the sorted, joined strings.
    @Test func signatureMatchesWeChatsRule() {
        #expect(WeChatSignature.compute(token: "pitstop", timestamp: "1409659813", nonce: "1372623149")
                == "2cbd5c2c82c3d217101d3cedc2f884bad60d29f4")
        #expect(WeChatSignature.isValid("9615eb869e8dd9b7446f73c30ff163fe015520d0", token: "AAAAA", timestamp: "1409659589", nonce: "263014780"))
        #expect(WeChatSignature.isValid("9615EB869E8DD9B7446F73C30FF163FE015520D0", token: "AAAAA", timestamp: "1409659589", nonce: "263014780"))
    }

    @Test func wrongSignaturesAreRefused() {
        #expect(!WeChatSignature.isValid("2cbd5c2c82c3d217101d3cedc2f884bad60d29f5", token: "pitstop", timestamp: "1409659813", nonce: "1372623149"))
        #expect(!WeChatSignature.isValid("2cbd5c2c82c3d217101d3cedc2f884bad60d29f4", token: "other", timestamp: "1409659813", nonce: "1372623149"))
        #expect(!WeChatSignature.isValid("", token: "pitstop", timestamp: "1409659813", nonce: "1372623149"))
    }

    static let textMessage = """
        <xml>
          <ToUserName><![CDATA[gh_pitstop]]></ToUserName>
          <FromUserName><![CDATA[oUser123]]></FromUserName>
          <CreateTime>1764100000</CreateTime>
          <MsgType><![CDATA[text]]></MsgType>
          <Content><![CDATA[刹车异响, 车牌 粤B12345D <urgent> & ]]]]><![CDATA[> tail]]></Content>
          <MsgId>23456789012345678</MsgId>
        </xml>
        """

    @Test func parsesAFollowersTextMessage() throws {
        let message = try WeChatMessage(xml: Array(Self.textMessage.utf8))
        #expect(message.toUserName == "gh_pitstop")
        #expect(message.fromUserName == "oUser123")
        #expect(message.createTime == 1_764_100_000)
        #expect(message.msgType == "text")
        #expect(message.content == "刹车异响, 车牌 粤B12345D <urgent> & ]]> tail")
        #expect(message.msgID == "23456789012345678")
    }

    @Test func replyRoundTripsThroughTheParser() throws {
        let message = try WeChatMessage(xml: Array(Self.textMessage.utf8))
        let reply = message.textReply("工单 WO-20261126-0001 已创建 ]]> ok", at: 1_764_100_001)
        let parsed = try WeChatMessage(xml: Array(reply.utf8))
        #expect(parsed.toUserName == "oUser123")
        #expect(parsed.fromUserName == "gh_pitstop")
        #expect(parsed.content == "工单 WO-20261126-0001 已创建 ]]> ok")
    }

    @Test(arguments: [
        ("", WeChatMessage.ParseError.malformed("the root element must be <xml>")),
        ("<xml><ToUserName>a</ToUserName></xml>", .missing("FromUserName")),
        ("<xml><ToUserName><![CDATA[a]]></ToUserName", .malformed("the root element must be <xml>")),
        ("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml><Content>&e;</Content></xml>", .malformed("the root element must be <xml>")),
        ("<xml><Content><![CDATA[x]]></Other></xml>", .malformed("Content is not closed")),
        ("<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType><CreateTime>soon</CreateTime></xml>", .missing("CreateTime")),
    ])
    func malformedMessagesAreRefused(xml: String, error: WeChatMessage.ParseError) {
        #expect(throws: error) { try WeChatMessage(xml: Array(xml.utf8)) }
    }

    @Test func oversizedMessagesAreRefused() {
        let huge = "<xml><Content>" + String(repeating: "x", count: WeChatMessage.maximumSize) + "</Content></xml>"
        #expect(throws: WeChatMessage.ParseError.tooLarge) { try WeChatMessage(xml: Array(huge.utf8)) }
    }

    // WeChat's own example values, from the sample code it publishes with the encryption guide
    // (WXBizMsgCrypt's test: key, AppID, random prefix "aaaabbbbccccdddd" and their ciphertexts).
    static let sampleKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    static let sampleAppID = "wxb11529c136998cb6"
    static let sampleShort = "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
    static let sampleVideo = """
        <xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName>\
        <CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUk\
        jm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Des\
        cription></Video></xml>
        """
    static let sampleVideoEncrypted = """
        jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+Iam\
        DBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWl\
        u9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE\
        /6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqR\
        s+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPr\
        EeOwofJb
        """

    @Test func encryptionMatchesWeChatsSampleValues() throws {
        let cipher = try #require(WeChatCipher(encodingAESKey: Self.sampleKey, appID: Self.sampleAppID))
        let random = Array("aaaabbbbccccdddd".utf8)
        #expect(cipher.encrypt("我是中文abcd123", random: random) == Self.sampleShort)
        #expect(cipher.encrypt(Self.sampleVideo, random: random) == Self.sampleVideoEncrypted)
        #expect(try cipher.decrypt(Self.sampleVideoEncrypted) == Array(Self.sampleVideo.utf8))
        #expect(try cipher.decrypt(Self.sampleShort) == Array("我是中文abcd123".utf8))
    }

    @Test func aMessageSealedForAnotherAccountOrKeyIsRefused() throws {
        let otherApp = try #require(WeChatCipher(encodingAESKey: Self.sampleKey, appID: "wx0000000000000000"))
        #expect(throws: WeChatCipher.Failure.otherAccount(appID: Self.sampleAppID)) { try otherApp.decrypt(Self.sampleShort) }
        let otherKey = try #require(WeChatCipher(encodingAESKey: String(repeating: "k", count: 43), appID: Self.sampleAppID))
        // A wrong key decrypts to noise: its padding or its length field gives it away.
        #expect(throws: WeChatCipher.Failure.self) { try otherKey.decrypt(Self.sampleShort) }
        #expect(throws: WeChatCipher.Failure.notBase64) { try otherKey.decrypt("not base64 at all!") }
        #expect(throws: WeChatCipher.Failure.undecryptable) { try otherKey.decrypt("AAAA") }
        #expect(WeChatCipher(encodingAESKey: "short", appID: Self.sampleAppID) == nil)
    }

    @Test func msgSignatureSignsTheCiphertextToo() {
        // sha1 of the four sorted strings, computed independently (Python's hashlib).
        #expect(WeChatCipher.signature(token: "pamtest", timestamp: "1409304348", nonce: "xxxxxx", encrypt: Self.sampleShort)
                == "82c962d39941aa48552f90ef55aa323dc620cc10")
    }
}
