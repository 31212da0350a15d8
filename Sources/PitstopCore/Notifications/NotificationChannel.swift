import Foundation

/// Where a tenant's notifications go: a DingTalk or WeCom group robot, Aliyun SMS, a generic
/// HTTP SMS gateway, the tenant's own webhook endpoint, or the chain's own DingTalk or WeCom app,
/// which messages engineers one by one. The secret (robot signing secret, AccessKey secret,
/// gateway token, webhook signing key, app secret) is kept sealed and never shown.
public struct NotificationChannel: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case dingtalk
        case wecom
        case aliyunSMS = "aliyun_sms"
        /// Tencent Cloud SMS: SendSms with its SdkAppId, sign and template, signed TC3-HMAC-SHA256.
        case tencentSMS = "tencent_sms"
        case httpSMS = "http_sms"
        case webhook
        /// A DingTalk enterprise app: work notifications to one employee's DingTalk user id.
        case dingtalkApp = "dingtalk_app"
        /// A WeCom self-built app: application messages to one member's WeCom user id.
        case wecomApp = "wecom_app"
        /// A WeChat official account's API (AppID and AppSecret): template messages to one
        /// follower's openid.
        case wechatMP = "wechat_mp"

        /// Group robots, which take about 20 messages a minute: they get digests.
        public var isRobot: Bool { self == .dingtalk || self == .wecom }

        /// The chain's own apps and official account, which authenticate with an access token
        /// fetched from the app's key and secret.
        public var isApp: Bool { self == .dingtalkApp || self == .wecomApp || self == .wechatMP }

        /// Channels that can reach one engineer by name: the staff apps, by the engineer's user
        /// id there, and Aliyun SMS, by the engineer's phone.
        public var reachesEngineers: Bool { self == .dingtalkApp || self == .wecomApp || self == .aliyunSMS }
    }

    /// How a group robot shows a message: DingTalk and WeCom take markdown (headings, lists) or
    /// plain text (which every client shows, and WeCom can @-mention in).
    public enum MessageFormat: String, Sendable, Equatable, Codable, CaseIterable {
        case markdown
        case text
    }

    /// Non-secret settings; which apply depends on the kind.
    public struct Settings: Sendable, Equatable, Codable {
        /// Aliyun: the AccessKey id, the approved sign name (签名) and template code (模板);
        /// Tencent: the SecretId, the sign and the TemplateId.
        public var accessKeyId: String?
        public var signName: String?
        public var templateCode: String?
        /// Numbers always @-mentioned (robots) or texted (SMS), besides the assignee's.
        public var mobiles: [String]?
        /// Robots: markdown unless set to text.
        public var format: MessageFormat?
        /// Apps: DingTalk's AppKey or WeCom's CorpID, which with the secret fetch the access token.
        public var appKey: String?
        /// Apps: the app's AgentId, which the messages are sent as.
        public var agentId: Int?
        /// Tencent: the SMS application's SdkAppId (1400…) and the API region (ap-guangzhou).
        public var sdkAppId: String?
        public var region: String?

        public init(accessKeyId: String? = nil, signName: String? = nil, templateCode: String? = nil, mobiles: [String]? = nil,
                    format: MessageFormat? = nil, appKey: String? = nil, agentId: Int? = nil, sdkAppId: String? = nil, region: String? = nil) {
            self.accessKeyId = accessKeyId
            self.signName = signName
            self.templateCode = templateCode
            self.mobiles = mobiles
            self.format = format
            self.appKey = appKey
            self.agentId = agentId
            self.sdkAppId = sdkAppId
            self.region = region
        }
    }

    public var id: UUID
    public var name: String
    public var kind: Kind
    /// The robot webhook (with its access token or key), the SMS endpoint, or the tenant's URL.
    public var url: String
    public var hasSecret: Bool
    public var settings: Settings
    public var active: Bool
    /// For a webhook subscription, the event types it receives (`*` for all); nil for a channel
    /// that only escalations and alerts use.
    public var eventTypes: [String]?
    /// Whether the channel hears about operational trouble (a subscription disabled …).
    public var alerts: Bool
    /// Since when every attempt to reach it has failed.
    public var failingSince: Date?
    /// Why the worker switched it off, when it did.
    public var disabledReason: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int

    public init(id: UUID, name: String, kind: Kind, url: String, hasSecret: Bool, settings: Settings, active: Bool,
                eventTypes: [String]? = nil, alerts: Bool = false, failingSince: Date? = nil, disabledReason: String? = nil,
                createdAt: Date, updatedAt: Date, version: Int) {
        self.id = id
        self.name = name
        self.kind = kind
        self.url = url
        self.hasSecret = hasSecret
        self.settings = settings
        self.active = active
        self.eventTypes = eventTypes
        self.alerts = alerts
        self.failingSince = failingSince
        self.disabledReason = disabledReason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    /// Problems with a channel's configuration, by field. `newSecret` is one being set now;
    /// `hasSecret` says whether the channel will have one (new, or kept from before).
    public static func errors(kind: Kind, url: String, newSecret: String?, hasSecret: Bool, settings: Settings, alerts: Bool = false) -> [FieldError] {
        var errors: [FieldError] = []
        if !(url.hasPrefix("https://") || url.hasPrefix("http://")) || URL(string: url)?.host == nil || url.count > 2000 {
            errors.append(FieldError(field: "url", message: "must be an http(s) URL"))
        }
        switch kind {
        case .aliyunSMS:
            for (field, value) in [("settings.access_key_id", settings.accessKeyId), ("settings.sign_name", settings.signName),
                                   ("settings.template_code", settings.templateCode)] where (value ?? "").isEmpty {
                errors.append(FieldError(field: field, message: "is required for Aliyun SMS"))
            }
            if !hasSecret || newSecret?.isEmpty == true { errors.append(FieldError(field: "secret", message: "must be the AccessKey secret")) }
        case .tencentSMS:
            for (field, value) in [("settings.access_key_id", settings.accessKeyId), ("settings.sign_name", settings.signName),
                                   ("settings.template_code", settings.templateCode)] where (value ?? "").isEmpty {
                errors.append(FieldError(field: field, message: "is required for Tencent Cloud SMS (SecretId, sign, TemplateId)"))
            }
            if !(settings.sdkAppId.map { (5...20).contains($0.count) && $0.allSatisfy(\.isNumber) } ?? false) {
                errors.append(FieldError(field: "settings.sdk_app_id", message: "must be the SMS application's SdkAppId, such as 1400006666"))
            }
            if let region = settings.region, !(1...40).contains(region.count) || !region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
                errors.append(FieldError(field: "settings.region", message: "must be a Tencent Cloud region such as ap-guangzhou"))
            }
            if !hasSecret || newSecret?.isEmpty == true { errors.append(FieldError(field: "secret", message: "must be the SecretKey")) }
        case .webhook:
            if let newSecret, !newSecret.hasPrefix("whsec_") {
                errors.append(FieldError(field: "secret", message: "must be a whsec_ secret (leave it out to have one made)"))
            }
        case .wechatMP:
            if !(settings.appKey.map(WeChatAccount.isAppID) ?? false) {
                errors.append(FieldError(field: "settings.app_key", message: "must be the official account's AppID: wx and 16 hexadecimal digits"))
            }
            if !hasSecret || newSecret?.isEmpty == true { errors.append(FieldError(field: "secret", message: "must be the account's AppSecret")) }
            if settings.agentId != nil { errors.append(FieldError(field: "settings.agent_id", message: "applies to dingtalk_app and wecom_app channels only")) }
            if alerts {
                errors.append(FieldError(field: "alerts", message: "a wechat_mp channel messages customers one by one; send alerts to a robot, SMS or webhook channel"))
            }
        case .dingtalkApp, .wecomApp:
            let key = kind == .dingtalkApp ? "the DingTalk app's AppKey" : "the WeCom CorpID"
            if (settings.appKey ?? "").isEmpty || (settings.appKey?.count ?? 0) > 100 {
                errors.append(FieldError(field: "settings.app_key", message: "must be \(key), at most 100 characters"))
            }
            if (settings.agentId ?? 0) <= 0 { errors.append(FieldError(field: "settings.agent_id", message: "must be the app's AgentId, a positive number")) }
            if !hasSecret || newSecret?.isEmpty == true {
                errors.append(FieldError(field: "secret", message: kind == .dingtalkApp ? "must be the app's AppSecret" : "must be the app's Secret"))
            }
            if alerts {
                errors.append(FieldError(field: "alerts", message: "an app channel messages engineers one by one; send alerts to a robot, SMS or webhook channel"))
            }
        case .dingtalk, .wecom, .httpSMS:
            break
        }
        if !kind.isApp && (settings.appKey != nil || settings.agentId != nil) {
            errors.append(FieldError(field: settings.appKey != nil ? "settings.app_key" : "settings.agent_id",
                                     message: "applies to dingtalk_app, wecom_app and wechat_mp channels only"))
        }
        if kind != .tencentSMS && (settings.sdkAppId != nil || settings.region != nil) {
            errors.append(FieldError(field: settings.sdkAppId != nil ? "settings.sdk_app_id" : "settings.region",
                                     message: "applies to tencent_sms channels only"))
        }
        if settings.format != nil && !kind.isRobot {
            errors.append(FieldError(field: "settings.format", message: "applies to DingTalk and WeCom robots only"))
        }
        for (index, mobile) in (settings.mobiles ?? []).enumerated() where !mobile.allSatisfy(\.isNumber) || !(5...20).contains(mobile.count) {
            errors.append(FieldError(field: "settings.mobiles[\(index)]", message: "must be a phone number of digits"))
        }
        return errors
    }
}
