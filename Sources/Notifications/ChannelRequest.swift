import Foundation
import PitstopCore

/// The HTTP request that delivers one message through one channel, and how to read the answer:
/// DingTalk and WeCom answer 200 with `errcode`, Aliyun with `Code`, the rest by status code.
public struct ChannelRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: [UInt8]

    public enum BuildError: Error, Equatable, CustomStringConvertible {
        case noRecipients
        case badSecret(String)

        public var description: String {
            switch self {
            case .noRecipients: "there is no phone number to text: set the channel's mobiles or mention the assignee (with a phone on record)"
            case .badSecret(let detail): detail
            }
        }
    }

    /// `secret` is the channel's, opened; `nonce` is Aliyun's `SignatureNonce`.
    public static func build(kind: NotificationChannel.Kind, url: String, secret: String?, settings: NotificationChannel.Settings,
                             message: NotificationMessage, eventID: UUID, now: Date, nonce: String) throws -> ChannelRequest {
        let json = ["Content-Type": "application/json"]
        switch kind {
        case .dingtalk:
            let signed = DingTalkRobot.signedURL(url, secret: secret, timestampMillis: Int64((now.timeIntervalSince1970 * 1000).rounded(.down)))
            let body = settings.format == .text ? DingTalkRobot.text(message.plain, atMobiles: message.mobiles)
                : DingTalkRobot.markdown(title: message.title, text: message.markdown, atMobiles: message.mobiles)
            return ChannelRequest(method: "POST", url: signed, headers: json, body: body)
        case .wecom:
            // WeCom's markdown cannot @-mention; text can, by mobile number.
            let body = message.mobiles.isEmpty && settings.format != .text ? WeComRobot.markdown(message.markdown)
                : WeComRobot.text(message.plain, mentionedMobiles: message.mobiles)
            return ChannelRequest(method: "POST", url: url, headers: json, body: body)
        case .aliyunSMS:
            guard !message.mobiles.isEmpty else { throw BuildError.noRecipients }
            guard let secret, !secret.isEmpty else { throw BuildError.badSecret("the channel has no AccessKey secret") }
            let request = AliyunSMS.Request(accessKeyID: settings.accessKeyId ?? "", phoneNumbers: message.mobiles,
                                            signName: settings.signName ?? "", templateCode: settings.templateCode ?? "",
                                            templateParam: message.templateParams, outID: eventID.uuidString.lowercased())
            let query = AliyunSMS.query(AliyunSMS.parameters(request, nonce: nonce, timestamp: now), accessKeySecret: secret)
            let base = url.hasSuffix("/") ? url : url + "/"
            return ChannelRequest(method: "GET", url: base + "?" + query, headers: [:], body: [])
        case .httpSMS:
            guard !message.mobiles.isEmpty else { throw BuildError.noRecipients }
            var headers = json
            if let secret, !secret.isEmpty { headers["Authorization"] = "Bearer " + secret }
            let body = (try? JSONSerialization.data(withJSONObject: ["phones": message.mobiles, "text": message.plain, "id": eventID.uuidString.lowercased()],
                                                    options: [.sortedKeys, .withoutEscapingSlashes])).map(Array.init) ?? []
            return ChannelRequest(method: "POST", url: url, headers: headers, body: body)
        case .webhook:
            guard let secret, let key = StandardWebhooks.key(of: secret) else { throw BuildError.badSecret("the webhook's secret is not a whsec_ secret") }
            let body = (try? JSONEncoder.sorted.encode(message.event)).map(Array.init) ?? []
            let headers = Dictionary(uniqueKeysWithValues: StandardWebhooks.headers(key: key, id: eventID.uuidString.lowercased(),
                                                                                    timestamp: Int64(now.timeIntervalSince1970), body: body))
            return ChannelRequest(method: "POST", url: url, headers: headers, body: body)
        }
    }

    /// Whether the service took the message: nil when it did, else what it said.
    public static func failure(kind: NotificationChannel.Kind, status: Int, body: [UInt8]) -> String? {
        guard (200..<300).contains(status) else {
            return "HTTP \(status)" + (body.isEmpty ? "" : ": " + String(decoding: body.prefix(300), as: UTF8.self))
        }
        let answer = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        switch kind {
        case .dingtalk, .wecom:
            let code = (answer?["errcode"] as? NSNumber)?.intValue
            return code == 0 ? nil : "errcode \(code.map(String.init) ?? "missing"): \(answer?["errmsg"] as? String ?? "no message")"
        case .aliyunSMS:
            let code = answer?["Code"] as? String
            return code == "OK" ? nil : "Code \(code ?? "missing"): \(answer?["Message"] as? String ?? "no message")"
        case .httpSMS, .webhook:
            return nil
        }
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
