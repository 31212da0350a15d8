import Crypto
import Foundation

/// Aliyun's `SendSms` (dysmsapi, RPC style): the request is a GET whose query carries every
/// parameter and a signature over them (HMAC-SHA1 with the AccessKey secret and "&").
///
/// Template variables of notification templates take 1 to 35 characters each (Aliyun's answer
/// on developer.aliyun.com/ask/220871: "自2018年01月10日后申请的通知类模板,变量限制为1至35个字符");
/// a longer value is refused with `isv.PARAM_LENGTH_LIMIT`, so long values (a fleet's name, a
/// customer's) are shortened with "…" here rather than lose the whole message.
public enum AliyunSMS {
    public static let variableLimit = 35

    public struct Request: Sendable, Equatable {
        public var accessKeyID: String
        public var phoneNumbers: [String]
        public var signName: String
        public var templateCode: String
        /// The template's variables, sent as a JSON object.
        public var templateParam: [String: String]
        public var outID: String?

        public init(accessKeyID: String, phoneNumbers: [String], signName: String, templateCode: String,
                    templateParam: [String: String], outID: String? = nil) {
            self.accessKeyID = accessKeyID
            self.phoneNumbers = phoneNumbers
            self.signName = signName
            self.templateCode = templateCode
            self.templateParam = templateParam
            self.outID = outID
        }
    }

    /// Every parameter of the request, common ones included, without the signature.
    public static func parameters(_ request: Request, nonce: String, timestamp: Date) -> [String: String] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let values = request.templateParam.mapValues { shortened($0, to: variableLimit) }
        let param = (try? JSONSerialization.data(withJSONObject: values, options: [.sortedKeys, .withoutEscapingSlashes]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        var parameters = [
            "AccessKeyId": request.accessKeyID, "Action": "SendSms", "Format": "JSON", "PhoneNumbers": request.phoneNumbers.joined(separator: ","),
            "RegionId": "cn-hangzhou", "SignName": request.signName, "SignatureMethod": "HMAC-SHA1", "SignatureNonce": nonce,
            "SignatureVersion": "1.0", "TemplateCode": request.templateCode, "TemplateParam": param,
            "Timestamp": formatter.string(from: timestamp), "Version": "2017-05-25",
        ]
        if let outID = request.outID { parameters["OutId"] = outID }
        return parameters
    }

    /// `value` if it has at most `limit` characters, else its first `limit - 1` and "…" (Aliyun
    /// counts a Chinese character, a letter or a digit as one).
    public static func shortened(_ value: String, to limit: Int) -> String {
        value.count <= limit ? value : String(value.prefix(limit - 1)) + "…"
    }

    /// The signature of `parameters` for a GET: Base64(HMAC-SHA1(secret + "&",
    /// "GET&%2F&" + encode(sorted, encoded "k=v" pairs joined by "&"))).
    public static func signature(_ parameters: [String: String], accessKeySecret: String, method: String = "GET") -> String {
        let canonical = parameters.filter { $0.key != "Signature" }.sorted { $0.key < $1.key }
            .map { PercentEncoding.encode($0.key) + "=" + PercentEncoding.encode($0.value) }.joined(separator: "&")
        let stringToSign = method + "&" + PercentEncoding.encode("/") + "&" + PercentEncoding.encode(canonical)
        return Data(Digest.hmacSHA1(key: Array((accessKeySecret + "&").utf8), message: Array(stringToSign.utf8))).base64EncodedString()
    }

    /// The query string to send: the signature first, then the parameters.
    public static func query(_ parameters: [String: String], accessKeySecret: String) -> String {
        (["Signature=" + PercentEncoding.encode(signature(parameters, accessKeySecret: accessKeySecret))]
            + parameters.sorted { $0.key < $1.key }.map { PercentEncoding.encode($0.key) + "=" + PercentEncoding.encode($0.value) })
            .joined(separator: "&")
    }
}
