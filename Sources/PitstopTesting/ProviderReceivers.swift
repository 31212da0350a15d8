import Crypto
import Foundation
import HTTPServer
import Logging
import Notifications

/// Receivers on 127.0.0.1 that judge requests the way the real services do, so a test passes only
/// if the real service would have taken the message:
///
/// - DingTalk robots (`POST /robot/send?access_token=ding-…`): the signature and a timestamp
///   within an hour; a body of at most 20,000 bytes (else errcode 460101); at most 20 messages a
///   minute per robot, after which the robot is blocked for ten minutes (errcode 130101).
/// - WeCom robots (`POST /cgi-bin/webhook/send?key=wecom-…`): markdown content of at most 4,096
///   bytes and text of at most 2,048 (else 40058); 20 messages a minute per robot (else 45009).
/// - Aliyun SMS (`GET /sms/?…`): the RPC signature; every template value at most 35 characters
///   (else `isv.PARAM_LENGTH_LIMIT`); mainland mobile numbers only (else
///   `isv.MOBILE_NUMBER_ILLEGAL`, also for numbers put in `illegalNumbers`, as for a number the
///   carrier does not know); numbers put in `limitedNumbers` answer `isv.BUSINESS_LIMIT_CONTROL`
///   as Aliyun does for a number's per-minute flow control.
/// - A Standard Webhooks endpoint (`POST /hooks`): the signature over id, timestamp and body,
///   de-duplicated on `webhook-id`; it can be made to fail (`webhookDown`) or to take its time
///   (`webhookDelay`).
///
/// Every accepted message is kept by service, with when it arrived; every refusal is counted by
/// the code answered.
public final class ProviderReceivers: @unchecked Sendable {
    public static let dingTalkSecret = "SECabc123dingtalk"
    public static let aliyunSecret = "aliyun-secret"
    public static let tencentSecretID = "AKIDpitstoptest"
    public static let tencentSecretKey = "tencent-secret-key"
    public static let tencentAppID = "1400006666"
    /// DingTalk's and WeCom's limits as the receivers enforce them.
    public static let robotMessagesPerMinute = 20

    public struct Arrival: @unchecked Sendable {
        public var robot: String
        public var body: [String: Any]
        public var at: Date
    }

    private let lock = NSLock()
    private var log: [String: [Arrival]] = [:]
    private var refusals: [String: Int] = [:]
    private var seen: Set<String> = []
    private var arrivals: [String] = []
    private var blockedUntil: [String: Date] = [:]
    private var state = Switches()
    public private(set) var server: HTTPServer!

    struct Switches {
        var webhookDown = false
        var webhookDelay: TimeInterval = 0
        var webhookSecret = ""
        var limitedNumbers: Set<String> = []
        var illegalNumbers: Set<String> = []
        var dingTalkThrottled = false
        var picture: [UInt8] = []
    }

    public var webhookDown: Bool {
        get { lock.withLock { state.webhookDown } }
        set { lock.withLock { state.webhookDown = newValue } }
    }
    public var webhookDelay: TimeInterval {
        get { lock.withLock { state.webhookDelay } }
        set { lock.withLock { state.webhookDelay = newValue } }
    }
    public var webhookSecret: String {
        get { lock.withLock { state.webhookSecret } }
        set { lock.withLock { state.webhookSecret = newValue } }
    }
    public var limitedNumbers: Set<String> {
        get { lock.withLock { state.limitedNumbers } }
        set { lock.withLock { state.limitedNumbers = newValue } }
    }
    public var illegalNumbers: Set<String> {
        get { lock.withLock { state.illegalNumbers } }
        set { lock.withLock { state.illegalNumbers = newValue } }
    }
    /// Answers every DingTalk message as if the robot had sent too many (errcode 130101).
    /// What `GET /mmbiz/pic` serves.
    public var picture: [UInt8] {
        get { lock.withLock { state.picture } }
        set { lock.withLock { state.picture = newValue } }
    }
    public var dingTalkThrottled: Bool {
        get { lock.withLock { state.dingTalkThrottled } }
        set { lock.withLock { state.dingTalkThrottled = newValue } }
    }

    public var base: String { "http://127.0.0.1:\(server.port)" }

    /// Accepted messages of `service` ("dingtalk", "wecom", "sms", "webhook"), in arrival order.
    public func received(_ service: String) -> [[String: Any]] { lock.withLock { (log[service] ?? []).map(\.body) } }
    public func arrivalsOf(_ service: String) -> [Arrival] { lock.withLock { log[service] ?? [] } }
    /// How often a receiver refused, by "service code" ("dingtalk 130101").
    public var refused: [String: Int] { lock.withLock { refusals } }
    /// Every webhook-id that arrived signed, repeats included.
    public var webhookArrivals: [String] { lock.withLock { arrivals } }

    public init(workerThreads: Int = 16) throws {
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.workerThreads = workerThreads
        server = HTTPServer(configuration: configuration, router: Router([
            Router.route("POST", "/robot/send") { [unowned self] in dingTalk($0) },
            Router.route("POST", "/cgi-bin/webhook/send") { [unowned self] in weCom($0) },
            Router.route("GET", "/sms/") { [unowned self] in aliyun($0) },
            // A picture as WeChat's image server (mmbiz.qpic.cn) serves a message's PicUrl.
            Router.route("GET", "/mmbiz/pic") { [unowned self] _ in
                HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "image/jpeg")]), body: picture)
            },
            Router.route("POST", "/hooks") { [unowned self] in webhook($0) },
            Router.route("POST", "/") { [unowned self] in tencent($0) },
        ]), logger: Logger(component: "receiver", minimumLevel: .error, sink: { _ in }))
        try server.start()
    }

    public func stop() {
        server.shutdown(grace: .seconds(1))
    }

    static func answer(_ object: [String: Any], status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]),
                     body: Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data()))
    }

    private func refuse(_ service: String, _ code: String, _ answer: HTTPResponse) -> HTTPResponse {
        lock.withLock { refusals["\(service) \(code)", default: 0] += 1 }
        return answer
    }

    /// Whether `robot` may take another message now: under 20 in the last minute. A DingTalk
    /// robot over it is blocked for ten minutes.
    private func admit(_ service: String, robot: String, blockFor block: TimeInterval?) -> Bool {
        lock.withLock {
            let now = Date()
            if let until = blockedUntil[robot], until > now { return false }
            let recent = (log[service] ?? []).filter { $0.robot == robot && now.timeIntervalSince($0.at) < 60 }.count
            guard recent < Self.robotMessagesPerMinute else {
                if let block { blockedUntil[robot] = now.addingTimeInterval(block) }
                return false
            }
            return true
        }
    }

    private func keep(_ service: String, robot: String, _ body: [String: Any]) {
        lock.withLock { log[service, default: []].append(Arrival(robot: robot, body: body, at: Date())) }
    }

    private func dingTalk(_ request: HTTPRequest) -> HTTPResponse {
        guard let token = request.queryValue("access_token"), token.hasPrefix("ding-"),
              let timestamp = request.queryValue("timestamp").flatMap(Int64.init),
              abs(Double(timestamp) / 1000 - Date().timeIntervalSince1970) < 3600 else {
            return refuse("dingtalk", "310000", Self.answer(["errcode": 310000, "errmsg": "keywords not in content, timestamp or token invalid"]))
        }
        let expected = Data(Digest.hmacSHA256(key: Array(Self.dingTalkSecret.utf8), message: Array("\(timestamp)\n\(Self.dingTalkSecret)".utf8)))
            .base64EncodedString()
        guard request.queryValue("sign") == expected else {
            return refuse("dingtalk", "310000", Self.answer(["errcode": 310000, "errmsg": "sign not match"]))
        }
        guard request.body.count <= DingTalkRobot.bodyLimit else {
            return refuse("dingtalk", "460101", Self.answer(["errcode": 460101, "errmsg": "message too long, exceed 20000 bytes"]))
        }
        guard !dingTalkThrottled, admit("dingtalk", robot: token, blockFor: 600) else {
            return refuse("dingtalk", "130101", Self.answer(["errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"]))
        }
        keep("dingtalk", robot: token, (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:])
        return Self.answer(["errcode": 0, "errmsg": "ok"])
    }

    private func weCom(_ request: HTTPRequest) -> HTTPResponse {
        guard let key = request.queryValue("key"), key.hasPrefix("wecom-") else {
            return refuse("wecom", "93000", Self.answer(["errcode": 93000, "errmsg": "invalid webhook url"]))
        }
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
        let type = body["msgtype"] as? String ?? ""
        let content = (body[type] as? [String: Any])?["content"] as? String ?? ""
        let limit = type == "markdown" ? WeComRobot.markdownLimit : WeComRobot.textLimit
        guard content.utf8.count <= limit else {
            return refuse("wecom", "40058", Self.answer(["errcode": 40058, "errmsg": "\(type).content exceed max length \(limit)"]))
        }
        guard admit("wecom", robot: key, blockFor: nil) else {
            return refuse("wecom", "45009", Self.answer(["errcode": 45009, "errmsg": "api freq out of limit"]))
        }
        keep("wecom", robot: key, body)
        return Self.answer(["errcode": 0, "errmsg": "ok"])
    }

    private func aliyun(_ request: HTTPRequest) -> HTTPResponse {
        var parameters: [String: String] = [:]
        for (name, value) in request.query { parameters[name] = value }
        guard let signature = parameters["Signature"], signature == AliyunSMS.signature(parameters, accessKeySecret: Self.aliyunSecret) else {
            return refuse("sms", "SignatureDoesNotMatch", Self.answer(["Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"]))
        }
        let values = (try? JSONSerialization.jsonObject(with: Data((parameters["TemplateParam"] ?? "").utf8))) as? [String: String] ?? [:]
        if let long = values.first(where: { $0.value.count > AliyunSMS.variableLimit }) {
            return refuse("sms", "isv.PARAM_LENGTH_LIMIT", Self.answer(["Code": "isv.PARAM_LENGTH_LIMIT", "Message": "参数超出长度限制: \(long.key)"]))
        }
        let numbers = (parameters["PhoneNumbers"] ?? "").split(separator: ",").map(String.init)
        let illegal = illegalNumbers
        guard !numbers.isEmpty, numbers.allSatisfy({ $0.count == 11 && $0.hasPrefix("1") && $0.allSatisfy(\.isNumber) && !illegal.contains($0) }) else {
            return refuse("sms", "isv.MOBILE_NUMBER_ILLEGAL", Self.answer(["Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"]))
        }
        if numbers.contains(where: limitedNumbers.contains) {
            return refuse("sms", "isv.BUSINESS_LIMIT_CONTROL", Self.answer(["Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"]))
        }
        keep("sms", robot: "sms", parameters)
        return Self.answer(["Code": "OK", "Message": "OK", "BizId": "1"])
    }

    /// Tencent Cloud's SendSms as it judges a call: the TC3-HMAC-SHA256 signature over the headers
    /// as sent, a timestamp within five minutes, the action and version, the SdkAppId, and no
    /// link in a template parameter; then a status per number.
    private func tencent(_ request: HTTPRequest) -> HTTPResponse {
        func error(_ code: String, _ message: String) -> HTTPResponse {
            refuse("tencent", code, Self.answer(["Response": ["Error": ["Code": code, "Message": message], "RequestId": UUID().uuidString]]))
        }
        guard let authorization = request.headers["Authorization"], let host = request.headers["Host"],
              let contentType = request.headers["Content-Type"], let timestamp = request.headers["X-TC-Timestamp"].flatMap(Int64.init) else {
            return error("AuthFailure.InvalidAuthorization", "Authorization, Host, Content-Type and X-TC-Timestamp are required")
        }
        guard abs(Date().timeIntervalSince1970 - TimeInterval(timestamp)) <= 300 else {
            return error("AuthFailure.SignatureExpire", "Signature expired")
        }
        guard contentType == "application/json; charset=utf-8" else { return error("AuthFailure.SignatureFailure", "unexpected Content-Type") }
        guard authorization == TencentSMS.authorization(secretID: Self.tencentSecretID, secretKey: Self.tencentSecretKey, host: host,
                                                        body: request.body, timestamp: timestamp) else {
            return error("AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct.")
        }
        guard request.headers["X-TC-Action"] == "SendSms", request.headers["X-TC-Version"] == TencentSMS.version else {
            return error("InvalidAction", "the action or version is not SendSms 2021-01-11")
        }
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
        guard body["SmsSdkAppId"] as? String == Self.tencentAppID else {
            return error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId does not exist")
        }
        let parameters = body["TemplateParamSet"] as? [String] ?? []
        if parameters.contains(where: { $0.contains("http") || $0.contains("www.") }) {
            return error("InvalidParameterValue.ProhibitedUseUrlInTemplateParameter", "links are not allowed in template parameters")
        }
        let numbers = body["PhoneNumberSet"] as? [String] ?? []
        guard (1...200).contains(numbers.count) else { return error("InvalidParameterValue.IncorrectPhoneNumber", "1 to 200 numbers") }
        let (illegal, limited) = lock.withLock { (state.illegalNumbers, state.limitedNumbers) }
        let statuses = numbers.map { number -> [String: Any] in
            let local = String(number.dropFirst(3))
            let code = !number.hasPrefix("+861") || number.count != 14 || illegal.contains(local) ? "InvalidParameterValue.IncorrectPhoneNumber"
                : limited.contains(local) ? "LimitExceeded.PhoneNumberThirtySecondLimit" : "Ok"
            return ["Code": code, "Message": code == "Ok" ? "send success" : code, "PhoneNumber": number, "SerialNo": UUID().uuidString,
                    "SessionContext": body["SessionContext"] as? String ?? ""]
        }
        if statuses.allSatisfy({ $0["Code"] as? String == "Ok" }) { keep("tencent", robot: "tencent", body) }
        return Self.answer(["Response": ["SendStatusSet": statuses, "RequestId": UUID().uuidString]])
    }

    private func webhook(_ request: HTTPRequest) -> HTTPResponse {
        let (down, delay, secret) = lock.withLock { (state.webhookDown, state.webhookDelay, state.webhookSecret) }
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        if down { return Self.answer(["error": "down for maintenance"], status: 503) }
        guard let id = request.headers["webhook-id"], let timestamp = request.headers["webhook-timestamp"].flatMap(Int64.init),
              let key = StandardWebhooks.key(of: secret),
              request.headers["webhook-signature"]?.split(separator: " ").contains(where: {
                  String($0) == StandardWebhooks.signature(key: key, id: id, timestamp: timestamp, body: request.body)
              }) == true else {
            return refuse("webhook", "401", Self.answer(["error": "bad signature"], status: 401))
        }
        let first = lock.withLock { () -> Bool in
            arrivals.append(id)
            return seen.insert(id).inserted
        }
        if first { keep("webhook", robot: "webhook", (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]) }
        return .noContent()
    }
}
