import Foundation
import PitstopCore

/// What a service's answer means for the deliveries its request carried. DingTalk and WeCom
/// answer HTTP 200 with an `errcode`, Aliyun with a `Code`; webhooks and SMS gateways by status.
///
/// Three kinds of "no" are told apart, because they want opposite handling: a failure may pass
/// (retry with back-off, counting the attempt); a throttle says "not now" (wait until the block
/// lifts, without using up attempts); a rejection will never change (dead at once, and the alert
/// channels hear, instead of hours of retries).
public enum ChannelAnswer: Sendable, Equatable {
    case accepted
    case failed(String)
    /// Wait `seconds`; `channelWide` when the whole channel is blocked (a robot, an endpoint)
    /// rather than this one message (an SMS recipient's number).
    case throttled(String, seconds: TimeInterval, channelWide: Bool)
    case rejected(String)
    /// The access token the app's message was sent with is no longer taken: fetch another and
    /// send again at once.
    case tokenInvalid(String)

    /// The longest any throttle is waited out before trying again.
    static let longestWait: TimeInterval = 86_400

    public static func read(kind: NotificationChannel.Kind, status: Int, retryAfter: String?, body: [UInt8]) -> ChannelAnswer {
        let detail = { "HTTP \(status)" + (body.isEmpty ? "" : ": " + String(decoding: body.prefix(300), as: UTF8.self)) }
        if status == 429 {
            // RFC 9110 §10.2.3: seconds (an HTTP date is rarer; a minute stands in for it).
            let seconds = retryAfter.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } ?? 60
            return .throttled(detail(), seconds: min(longestWait, max(1, seconds)), channelWide: true)
        }
        guard (200..<300).contains(status) else { return .failed(detail()) }
        let answer = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        switch kind {
        case .dingtalk:
            let code = (answer?["errcode"] as? NSNumber)?.intValue
            let said = "errcode \(code.map(String.init) ?? "missing"): \(answer?["errmsg"] as? String ?? "no message")"
            switch code {
            case 0: return .accepted
            // Over 20 a minute: DingTalk blocks the robot for ten minutes.
            case 130101, 410100: return .throttled(said, seconds: 600, channelWide: true)
            // Token, signature, keyword or IP settings wrong; robot or group gone; body too long.
            case 300001, 310000, 400013, 400101, 460101: return .rejected(said)
            default: return .failed(said)
            }
        case .wecom:
            let code = (answer?["errcode"] as? NSNumber)?.intValue
            let said = "errcode \(code.map(String.init) ?? "missing"): \(answer?["errmsg"] as? String ?? "no message")"
            switch code {
            case 0: return .accepted
            // 20 a minute: the next minute is free again.
            case 45009: return .throttled(said, seconds: 60, channelWide: true)
            // Invalid webhook key or robot removed; content too long or malformed.
            case 93000, 93004, 40008, 40058: return .rejected(said)
            default: return .failed(said)
            }
        case .aliyunSMS:
            let code = answer?["Code"] as? String ?? "missing"
            let message = answer?["Message"] as? String ?? "no message"
            return aliyun(code: code, message: message)
        case .tencentSMS:
            return TencentSMS.read(answer)
        case .dingtalkApp, .wecomApp, .wechatMP:
            return AppMessages.read(kind: kind, answer: answer)
        case .httpSMS, .webhook:
            return .accepted
        }
    }

    /// Aliyun's codes (help.aliyun.com "API错误码" for SendSms).
    static func aliyun(code: String, message: String) -> ChannelAnswer {
        let said = "Code \(code): \(message)"
        switch code {
        case "OK":
            return .accepted
        case "isv.BUSINESS_LIMIT_CONTROL":
            // Per recipient number: "触发分钟级流控", "触发小时级流控" or "触发天级流控" (a day
            // counted back 24 hours from now).
            let seconds: TimeInterval = message.contains("天级") ? 86_400 : message.contains("小时级") ? 3600 : 60
            return .throttled(said, seconds: seconds, channelWide: false)
        case "isv.DAY_LIMIT_CONTROL", "isv.MONTH_LIMIT_CONTROL":
            // The account's own daily or monthly cap: looked at again every hour.
            return .throttled(said, seconds: 3600, channelWide: true)
        case "Throttling", "Throttling.User", "Throttling.Api":
            return .throttled(said, seconds: 5, channelWide: true)
        case "isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT", "isv.TEMPLATE_MISSING_PARAMETERS", "isv.PARAM_LENGTH_LIMIT",
             "isv.INVALID_PARAMETERS", "isv.INVALID_JSON_PARAM", "isv.PARAM_NOT_SUPPORT_URL", "isv.SMS_TEMPLATE_ILLEGAL",
             "isv.SMS_SIGNATURE_ILLEGAL", "isv.SMS_SIGN_ILLEGAL", "isv.SIGN_STATE_ILLEGAL", "isv.SMS_SIGNATURE_SCENE_ILLEGAL",
             "isv.SMS_CONTENT_ILLEGAL", "isv.BLACK_KEY_CONTROL_LIMIT", "isv.DOMESTIC_NUMBER_NOT_SUPPORTED", "isv.DENY_IP_RANGE",
             "isv.OUT_OF_SERVICE", "isv.AMOUNT_NOT_ENOUGH", "isv.ACCOUNT_NOT_EXISTS", "isv.ACCOUNT_ABNORMAL", "isv.PRODUCT_UN_SUBSCRIPT",
             "isv.PRODUCT_UNSUBSCRIBE", "isp.RAM_PERMISSION_DENY", "SignatureDoesNotMatch", "InvalidAccessKeyId.NotFound",
             "InvalidAccessKeyId.Inactive":
            return .rejected(said)
        default:
            return .failed(said)
        }
    }
}
