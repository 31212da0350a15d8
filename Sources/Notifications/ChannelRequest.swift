import Foundation
import PitstopCore

/// The HTTP request that delivers one message (or, to a robot, a digest) through one channel;
/// `ChannelAnswer` reads what the service said.
public struct ChannelRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: [UInt8]

    public enum BuildError: Error, Equatable, CustomStringConvertible {
        case noRecipients
        case badSecret(String)
        case noUser

        public var description: String {
            switch self {
            case .noRecipients: "there is no phone number to text: set the channel's mobiles or mention the assignee (with a phone on record)"
            case .badSecret(let detail): detail
            case .noUser: "an app channel messages one engineer by their user id, and this message names none"
            }
        }
    }

    /// `secret` is the channel's, opened; `token` an app's access token; `nonce` is Aliyun's
    /// `SignatureNonce`. A robot gets the message as it is (see `robot(…)` for several at once,
    /// split to the robot's limits).
    public static func build(kind: NotificationChannel.Kind, url: String, secret: String?, token: String? = nil,
                             settings: NotificationChannel.Settings, message: NotificationMessage, eventID: UUID, now: Date,
                             nonce: String) throws -> ChannelRequest {
        let json = ["Content-Type": "application/json"]
        switch kind {
        case .dingtalkApp, .wecomApp:
            guard let user = message.userIDs?.first else { throw BuildError.noUser }
            return AppMessages.messageRequest(kind: kind, baseURL: url, token: token ?? "", agentID: settings.agentId ?? 0, userID: user,
                                              text: message.plain)
        case .wechatMP:
            guard let follower = message.userIDs?.first else { throw BuildError.noUser }
            return AppMessages.templateRequest(baseURL: url, token: token ?? "", openID: follower,
                                               templateID: message.customer?.template ?? settings.templateCode ?? "",
                                               fields: message.templateParams, link: message.link)
        case .dingtalk, .wecom:
            return robotRequest(kind: kind, url: url, secret: secret, settings: settings, message: message, now: now)
        case .aliyunSMS:
            guard !message.mobiles.isEmpty else { throw BuildError.noRecipients }
            guard let secret, !secret.isEmpty else { throw BuildError.badSecret("the channel has no AccessKey secret") }
            let request = AliyunSMS.Request(accessKeyID: settings.accessKeyId ?? "", phoneNumbers: message.mobiles,
                                            signName: settings.signName ?? "",
                                            templateCode: message.customer?.template ?? settings.templateCode ?? "",
                                            templateParam: message.templateParams, outID: eventID.uuidString.lowercased())
            let query = AliyunSMS.query(AliyunSMS.parameters(request, nonce: nonce, timestamp: now), accessKeySecret: secret)
            let base = url.hasSuffix("/") ? url : url + "/"
            return ChannelRequest(method: "GET", url: base + "?" + query, headers: [:], body: [])
        case .tencentSMS:
            guard !message.mobiles.isEmpty else { throw BuildError.noRecipients }
            guard let secret, !secret.isEmpty else { throw BuildError.badSecret("the channel has no SecretKey") }
            // The template's {1}, {2} … in order: the parameters named by number.
            let ordered = message.templateParams.compactMap { key, value in Int(key).map { ($0, value) } }.sorted { $0.0 < $1.0 }.map(\.1)
            let request = TencentSMS.Request(secretID: settings.accessKeyId ?? "", sdkAppID: settings.sdkAppId ?? "", signName: settings.signName ?? "",
                                             templateID: message.customer?.template ?? settings.templateCode ?? "", phoneNumbers: message.mobiles,
                                             templateParams: ordered, sessionContext: eventID.uuidString.lowercased(),
                                             region: settings.region ?? "ap-guangzhou")
            return TencentSMS.request(request, url: url, secretKey: secret, now: now)
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
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
