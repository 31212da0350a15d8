import Crypto
import Foundation

/// Tencent Cloud's `SendSms` (API 3.0, version 2021-01-11): a JSON POST signed with
/// TC3-HMAC-SHA256, as its "签名方法 v3" defines it:
/// - the canonical request is the method, `/`, an empty query, the signed headers
///   (`content-type` and `host`, lower-case, each `name:value\n`), their names joined by `;`,
///   and the hex SHA-256 of the body, joined by newlines;
/// - the string to sign is `TC3-HMAC-SHA256`, the timestamp, the scope `date/sms/tc3_request`
///   (the UTC date of the timestamp) and the hex SHA-256 of the canonical request;
/// - the key is HMAC-SHA256 chained from `"TC3" + SecretKey` over the date, `sms` and
///   `tc3_request`, and the signature is the hex HMAC of the string to sign under it.
/// A timestamp more than five minutes from Tencent's clock is refused (`AuthFailure.SignatureExpire`).
///
/// Template parameters go as an ordered list: the template's `{1}`, `{2}` … Links are refused
/// in them, so a template holds its link as fixed text and takes the link's last part.
public enum TencentSMS {
    public static let version = "2021-01-11"
    static let service = "sms"
    static let contentType = "application/json; charset=utf-8"

    public struct Request: Sendable, Equatable {
        public var secretID: String
        public var sdkAppID: String
        public var signName: String
        public var templateID: String
        /// E.164, as Tencent takes them: `+86` and the mobile.
        public var phoneNumbers: [String]
        public var templateParams: [String]
        /// Returned as it is in the answer: the delivery's id.
        public var sessionContext: String?
        public var region: String

        public init(secretID: String, sdkAppID: String, signName: String, templateID: String, phoneNumbers: [String], templateParams: [String],
                    sessionContext: String? = nil, region: String = "ap-guangzhou") {
            self.secretID = secretID
            self.sdkAppID = sdkAppID
            self.signName = signName
            self.templateID = templateID
            self.phoneNumbers = phoneNumbers
            self.templateParams = templateParams
            self.sessionContext = sessionContext
            self.region = region
        }
    }

    public static func body(_ request: Request) -> [UInt8] {
        var fields: [String: Any] = ["PhoneNumberSet": request.phoneNumbers.map(e164), "SmsSdkAppId": request.sdkAppID,
                                     "SignName": request.signName, "TemplateId": request.templateID, "TemplateParamSet": request.templateParams]
        if let context = request.sessionContext { fields["SessionContext"] = context }
        return (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])).map(Array.init) ?? []
    }

    /// A stored mainland mobile (11 digits) as `+86…`; numbers abroad are stored in E.164 already.
    static func e164(_ phone: String) -> String { phone.hasPrefix("+") ? phone : "+86" + phone }

    /// The request to `url` (Tencent's `https://sms.tencentcloudapi.com`, or a proxy), signed.
    /// The signed host is the Host header the request carries: with its port, when the URL names one.
    public static func request(_ request: Request, url: String, secretKey: String, now: Date) -> ChannelRequest {
        let body = body(request)
        let parsed = URL(string: url)
        let host = (parsed?.host ?? "") + (parsed?.port.map { ":\($0)" } ?? "")
        let timestamp = Int64(now.timeIntervalSince1970)
        let authorization = authorization(secretID: request.secretID, secretKey: secretKey, host: host, body: body, timestamp: timestamp)
        return ChannelRequest(method: "POST", url: url, headers: [
            "Content-Type": contentType, "Authorization": authorization, "X-TC-Action": "SendSms", "X-TC-Version": version,
            "X-TC-Timestamp": String(timestamp), "X-TC-Region": request.region,
        ], body: body)
    }

    /// The `Authorization` header for a SendSms body to `host` at `timestamp`.
    public static func authorization(secretID: String, secretKey: String, host: String, body: [UInt8], timestamp: Int64) -> String {
        let date = utcDate(timestamp)
        let scope = "\(date)/\(service)/tc3_request"
        let canonical = ["POST", "/", "", "content-type:\(contentType)\nhost:\(host)\n", "content-type;host", Digest.sha256(body).hex]
            .joined(separator: "\n")
        let toSign = ["TC3-HMAC-SHA256", String(timestamp), scope, Digest.sha256(canonical).hex].joined(separator: "\n")
        let dated = Digest.hmacSHA256(key: Array(("TC3" + secretKey).utf8), message: Array(date.utf8))
        let serviced = Digest.hmacSHA256(key: dated, message: Array(service.utf8))
        let signing = Digest.hmacSHA256(key: serviced, message: Array("tc3_request".utf8))
        let signature = Digest.hmacSHA256(key: signing, message: Array(toSign.utf8)).hex
        return "TC3-HMAC-SHA256 Credential=\(secretID)/\(scope), SignedHeaders=content-type;host, Signature=\(signature)"
    }

    static func utcDate(_ timestamp: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(timestamp)))
    }

    /// What Tencent's answer means: HTTP 200 either way, with `Response.Error` for a refused call
    /// and a `SendStatusSet` entry per number otherwise (error codes from "错误码" of the SMS API
    /// 3.0, cloud.tencent.com/document/api/382/52075 and 59177).
    static func read(_ answer: [String: Any]?) -> ChannelAnswer {
        let response = answer?["Response"] as? [String: Any]
        if let error = response?["Error"] as? [String: Any] {
            let code = error["Code"] as? String ?? "missing"
            let said = "Code \(code): \(error["Message"] as? String ?? "no message")"
            switch code {
            case "RequestLimitExceeded", "RequestLimitExceeded.GlobalRegionUinLimitExceeded", "RequestLimitExceeded.IPLimitExceeded",
                 "RequestLimitExceeded.UinLimitExceeded":
                return .throttled(said, seconds: 5, channelWide: true)
            case _ where code.hasPrefix("AuthFailure") && code != "AuthFailure.SignatureExpire",
                 _ where code.hasPrefix("InvalidParameter") || code.hasPrefix("MissingParameter") || code.hasPrefix("UnauthorizedOperation"),
                 "FailedOperation.SignatureIncorrectOrUnapproved", "FailedOperation.TemplateIncorrectOrUnapproved",
                 "FailedOperation.InsufficientBalanceInSmsPackage", "FailedOperation.ContainSensitiveWord":
                return .rejected(said)
            default:
                // A signature expired by a clock gone wrong, an internal error: worth another try.
                return .failed(said)
            }
        }
        guard let statuses = response?["SendStatusSet"] as? [[String: Any]], let first = statuses.first else {
            return .failed("the answer has neither Error nor SendStatusSet")
        }
        let code = first["Code"] as? String ?? "missing"
        let said = "Code \(code): \(first["Message"] as? String ?? "no message")"
        switch code {
        case "Ok":
            return .accepted
        case "LimitExceeded.PhoneNumberThirtySecondLimit":
            return .throttled(said, seconds: 30, channelWide: false)
        case "LimitExceeded.PhoneNumberOneHourLimit", "LimitExceeded.DeliveryFrequencyLimit":
            return .throttled(said, seconds: 3600, channelWide: false)
        case "LimitExceeded.PhoneNumberDailyLimit":
            return .throttled(said, seconds: 86_400, channelWide: false)
        case "LimitExceeded.AppDailyLimit", "LimitExceeded.DailyLimit":
            return .throttled(said, seconds: 3600, channelWide: true)
        case _ where code.hasPrefix("InvalidParameterValue") || code.hasPrefix("FailedOperation"):
            // A wrong number, a template the parameters do not fit, a number that unsubscribed.
            return .rejected(said)
        default:
            return .failed(said)
        }
    }
}
