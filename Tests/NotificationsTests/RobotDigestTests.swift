import Foundation
import Notifications
import PitstopCore
import Testing

/// Digests for group robots are split at the provider's published byte limits: every request
/// fits, every message is carried by exactly one request, in order, and each request but the
/// last is full (the next message would not have fitted).
@Suite struct RobotDigestTests {
    /// `count` breach messages, with customer names of varying length (some long fleet names).
    func storm(_ count: Int, mentions: [String] = []) -> [NotificationMessage] {
        (0..<count).map { index in
            let customer = index % 7 == 0 ? "浙江省杭州市西湖区某某汽车租赁服务有限公司第\(index)车队" : "客户\(index)"
            let facts = SLAFacts(workOrderID: UUID(), number: String(format: "WO-20261202-%04d", index + 1), customer: customer,
                                 plate: "浙A\(10000 + index)", target: .resolution, dueAt: Date(timeIntervalSince1970: 1_796_000_000),
                                 fraction: nil, timeZone: "Asia/Shanghai", link: "https://console.example.com/orders/\(index)")
            return SLANotificationText.render(facts, now: Date(timeIntervalSince1970: 1_796_000_090), mobiles: mentions, event: .object([:]))
        }
    }

    /// The content a robot limits: the body for DingTalk, the content field for WeCom.
    func measured(_ kind: NotificationChannel.Kind, _ body: [UInt8]) throws -> (bytes: Int, text: String) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        let type = try #require(object["msgtype"] as? String)
        let content = (object[type] as? [String: Any]).flatMap { $0["text"] as? String ?? $0["content"] as? String } ?? ""
        return (kind == .dingtalk ? body.count : content.utf8.count, content)
    }

    /// Sends `messages` as a sender would (each request takes the longest prefix that fits) and
    /// checks the split; returns how many requests it took.
    func split(_ kind: NotificationChannel.Kind, format: NotificationChannel.MessageFormat?, _ messages: [NotificationMessage],
               limit: Int) throws -> Int {
        var rest = messages
        var requests = 0
        var carried: [String] = []
        while !rest.isEmpty {
            let (request, count) = ChannelRequest.robot(kind: kind, url: "https://robot.example/send", secret: nil, settings: .init(format: format),
                                                        messages: rest, now: Date())
            #expect(count >= 1 && count <= rest.count)
            let (bytes, text) = try measured(kind, request.body)
            #expect(bytes <= limit, "request \(requests + 1) has \(bytes) bytes, over \(limit)")
            for message in rest.prefix(count) { #expect(text.contains(message.sla?.number ?? "?")) }
            if count < rest.count {
                // Full: one more message would have broken the limit.
                let (_, bigger) = ChannelRequest.robot(kind: kind, url: "https://robot.example/send", secret: nil, settings: .init(format: format),
                                                       messages: Array(rest.prefix(count + 1)), now: Date())
                #expect(bigger == count)
            }
            carried += rest.prefix(count).compactMap { $0.sla?.number }
            rest.removeFirst(count)
            requests += 1
        }
        #expect(carried == messages.compactMap { $0.sla?.number })
        return requests
    }

    @Test func twoHundredBreachesSplitToWeComsMarkdownAndTextLimits() throws {
        let messages = storm(200)
        let markdownBytes = messages.map { $0.markdown.utf8.count }.reduce(0, +)
        let markdown = try split(.wecom, format: nil, messages, limit: WeComRobot.markdownLimit)
        #expect(markdown >= markdownBytes / WeComRobot.markdownLimit && markdown > 1)
        // Mentions force text, which WeCom limits to 2,048 bytes.
        let text = try split(.wecom, format: .markdown, storm(200, mentions: ["13800138000"]), limit: WeComRobot.textLimit)
        #expect(text > markdown)
    }

    @Test func twoHundredBreachesSplitToDingTalksBodyLimit() throws {
        let requests = try split(.dingtalk, format: nil, storm(200, mentions: ["13800138000"]), limit: DingTalkRobot.bodyLimit)
        #expect(requests > 1)
        #expect(try split(.dingtalk, format: .text, storm(200), limit: DingTalkRobot.bodyLimit) > 1)
    }

    @Test func oneMessageTooLongAloneIsCutToFit() throws {
        var huge = storm(1)[0]
        huge.markdown = String(repeating: "发动机故障灯亮，", count: 4000)
        huge.plain = huge.markdown
        for (kind, limit) in [(NotificationChannel.Kind.dingtalk, DingTalkRobot.bodyLimit), (.wecom, WeComRobot.markdownLimit)] {
            let (request, carried) = ChannelRequest.robot(kind: kind, url: "https://robot.example/send", secret: nil, settings: .init(),
                                                          messages: [huge] + storm(3), now: Date())
            #expect(carried == 1)
            let (bytes, text) = try measured(kind, request.body)
            #expect(bytes <= limit && text.hasSuffix("…"))
        }
    }

    @Test func aliyunTemplateValuesAreShortenedToThirtyFiveCharacters() throws {
        let long = "浙江省杭州市西湖区某某汽车租赁服务有限公司第一车队调度中心值班室夜班组长"
        #expect(long.count > 35)
        let request = AliyunSMS.Request(accessKeyID: "LTAI", phoneNumbers: ["13800138000"], signName: "派修", templateCode: "SMS_1",
                                        templateParam: ["customer": long, "order": "WO-20261202-0001"])
        let parameters = AliyunSMS.parameters(request, nonce: "n", timestamp: Date())
        let values = try #require(try JSONSerialization.jsonObject(with: Data((parameters["TemplateParam"] ?? "").utf8)) as? [String: String])
        #expect(values["customer"]?.count == 35 && values["customer"]?.hasSuffix("…") == true)
        #expect(long.hasPrefix(String(values["customer"]!.dropLast())))
        #expect(values["order"] == "WO-20261202-0001")
        #expect(AliyunSMS.shortened(String(repeating: "车", count: 35), to: 35).count == 35)
    }
}
