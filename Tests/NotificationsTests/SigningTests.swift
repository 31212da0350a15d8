import Foundation
import Notifications
import PitstopCore
import Testing

/// Known answers from the services' own documentation (Aliyun's SendSms example, the Standard
/// Webhooks test vector) and, for DingTalk, from an independent computation of its formula.
@Suite struct SigningTests {
    @Test func aliyunSendSmsSignatureMatchesItsDocumentedExample() {
        let parameters = [
            "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123", "PhoneNumbers": "15300000001",
            "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007",
            "TemplateParam": #"{"customer":"test"}"#, "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25",
        ]
        #expect(AliyunSMS.signature(parameters, accessKeySecret: "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4=")
        #expect(AliyunSMS.query(parameters, accessKeySecret: "testSecret").hasPrefix("Signature=zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D&AccessKeyId=testId&"))
    }

    @Test func aliyunRequestsCarryEveryCommonParameter() {
        let request = AliyunSMS.Request(accessKeyID: "LTAI", phoneNumbers: ["13800138000", "13900139000"], signName: "派修",
                                        templateCode: "SMS_1", templateParam: ["order": "WO-20261126-0001", "left": "30分钟"])
        let parameters = AliyunSMS.parameters(request, nonce: "n-1", timestamp: Date(timeIntervalSince1970: 1_764_000_000))
        #expect(parameters["PhoneNumbers"] == "13800138000,13900139000")
        #expect(parameters["Timestamp"] == "2025-11-24T16:00:00Z")
        #expect(parameters["TemplateParam"] == #"{"left":"30分钟","order":"WO-20261126-0001"}"#)
        #expect(parameters["SignatureVersion"] == "1.0" && parameters["Version"] == "2017-05-25" && parameters["Format"] == "JSON")
    }

    @Test func standardWebhooksSignatureMatchesTheSpecificationsVector() throws {
        let key = try #require(StandardWebhooks.key(of: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        #expect(StandardWebhooks.signature(key: key, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                           body: Array(#"{"test": 2432232314}"#.utf8)) == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(StandardWebhooks.key(of: "not-a-secret") == nil)
        #expect(StandardWebhooks.key(of: StandardWebhooks.newSecret())?.count == 24)
    }

    @Test func dingTalkSignsTheTimestampAndSecret() {
        let secret = "SEC6f1c0cd7b2b0b3e4a3c5d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1"
        #expect(DingTalkRobot.sign(secret: secret, timestampMillis: 1_764_000_000_000) == "mouTcQXK6IkBfR6O9qJq4LWPwSXu+jg5RDAEbisYZdg=")
        #expect(DingTalkRobot.signedURL("https://oapi.dingtalk.com/robot/send?access_token=abc", secret: secret, timestampMillis: 1_764_000_000_000)
                == "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1764000000000&sign=mouTcQXK6IkBfR6O9qJq4LWPwSXu%2Bjg5RDAEbisYZdg%3D")
        #expect(DingTalkRobot.signedURL("https://oapi.dingtalk.com/robot/send?access_token=abc", secret: nil, timestampMillis: 1)
                == "https://oapi.dingtalk.com/robot/send?access_token=abc")
        let body = String(decoding: DingTalkRobot.markdown(title: "SLA 预警", text: "### 工单 WO-1", atMobiles: ["13800138000"]), as: UTF8.self)
        #expect(body.contains(#""atMobiles":["13800138000"]"#) && body.contains("@13800138000") && body.contains(#""msgtype":"markdown""#))
    }

    @Test func robotsSendMarkdownUnlessTheChannelAsksForText() throws {
        let message = NotificationMessage(title: "SLA 超时", markdown: "### 工单 WO-1 已超时", plain: "工单 WO-1 已超时", mobiles: ["13800138000"],
                                          templateParams: [:], event: .object([:]))
        func body(_ kind: NotificationChannel.Kind, _ format: NotificationChannel.MessageFormat?, mobiles: [String] = []) throws -> [String: Any] {
            var message = message
            message.mobiles = mobiles
            let request = try ChannelRequest.build(kind: kind, url: "https://robot.example/send", secret: nil,
                                                   settings: .init(format: format), message: message, eventID: UUID(), now: Date(), nonce: "n")
            return try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        }
        #expect(try body(.dingtalk, nil)["msgtype"] as? String == "markdown")
        let text = try body(.dingtalk, .text, mobiles: ["13800138000"])
        #expect(text["msgtype"] as? String == "text")
        #expect((text["text"] as? [String: Any])?["content"] as? String == "工单 WO-1 已超时 @13800138000")
        #expect(try body(.wecom, nil)["msgtype"] as? String == "markdown")
        #expect(try body(.wecom, .text)["msgtype"] as? String == "text")
        // WeCom @-mentions only in text, so a message that mentions someone goes as text.
        #expect(try body(.wecom, .markdown, mobiles: ["13800138000"])["msgtype"] as? String == "text")
        let errors = NotificationChannel.errors(kind: .webhook, url: "https://x.example", newSecret: nil, hasSecret: true, settings: .init(format: .text))
        #expect(errors.map(\.field) == ["settings.format"])
    }

    @Test func weComTextIsCutOnACharacterBoundary() {
        let long = String(repeating: "工单超时预警", count: 200)
        let cut = WeComRobot.truncate(long, toBytes: WeComRobot.textLimit)
        #expect(cut.utf8.count <= WeComRobot.textLimit)
        #expect(cut.hasSuffix("…"))
        #expect(long.hasPrefix(String(cut.dropLast())))
        #expect(WeComRobot.truncate("短消息", toBytes: 2048) == "短消息")
        // A four-byte character that would straddle the limit is left out whole.
        #expect(WeComRobot.truncate("ab🚗🚗", toBytes: 8) == "ab…")
        #expect(WeComRobot.truncate("ab🚗🚗", toBytes: 9) == "ab🚗…")
        let markdown = String(decoding: WeComRobot.markdown(String(repeating: "超", count: 5000)), as: UTF8.self)
        #expect(markdown.utf8.count < 4096 + 64)
    }

    // Computed independently (Python's hmac and hashlib) from TC3-HMAC-SHA256 as Tencent's
    // "签名方法 v3" defines it, with the timestamp of its own worked example (1551113065).
    @Test func tencentSendSmsIsSignedWithTC3() {
        let request = TencentSMS.Request(secretID: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", sdkAppID: "1400006666", signName: "顺达汽修",
                                         templateID: "1110", phoneNumbers: ["13912345678"], templateParams: ["WO-20261203-0001"])
        let body = TencentSMS.body(request)
        #expect(String(decoding: body, as: UTF8.self) == """
            {"PhoneNumberSet":["+8613912345678"],"SignName":"顺达汽修","SmsSdkAppId":"1400006666","TemplateId":"1110","TemplateParamSet":["WO-20261203-0001"]}
            """)
        let signed = TencentSMS.request(request, url: "https://sms.tencentcloudapi.com", secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
                                        now: Date(timeIntervalSince1970: 1_551_113_065))
        #expect(signed.headers["Authorization"] == "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/sms/tc3_request, "
                + "SignedHeaders=content-type;host, Signature=72079b36237ebe75c792667363e8c278efdfa789197a9a07d3afd78693114c2a")
        #expect(signed.headers["X-TC-Action"] == "SendSms" && signed.headers["X-TC-Version"] == "2021-01-11"
                && signed.headers["X-TC-Timestamp"] == "1551113065" && signed.headers["X-TC-Region"] == "ap-guangzhou")
        // Another key, body or host signs differently.
        #expect(TencentSMS.authorization(secretID: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", secretKey: "other", host: "sms.tencentcloudapi.com",
                                         body: body, timestamp: 1_551_113_065) != signed.headers["Authorization"])
    }
}
