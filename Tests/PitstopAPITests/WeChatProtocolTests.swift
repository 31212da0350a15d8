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
}
