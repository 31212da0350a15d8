import Foundation
import HTTPServer
import Logging
import Notifications

/// A DingTalk enterprise app and a WeCom self-built app on 127.0.0.1, judging requests as the
/// real services do (see `AppMessages` for the protocols and where their limits come from):
///
/// - `GET /gettoken?appkey&appsecret` (DingTalk) and `GET /cgi-bin/gettoken?corpid&corpsecret`
///   (WeCom) hand out a token for the right key and secret (else DingTalk 40089, WeCom 40013 or
///   40001), the same one while it lives, lasting `tokenLifetime` seconds.
/// - `POST /topapi/message/corpconversation/asyncsend_v2?access_token=` and
///   `POST /cgi-bin/message/send?access_token=`: an unknown token is 40014, an expired one 42001;
///   the body must name the app's agent id and a text message for known users (DingTalk: at
///   most 100, comma-separated; WeCom: `|`-separated, unknown ones listed in `invaliduser`, all
///   unknown 81013). DingTalk answers success but drops a message whose content the user already
///   got that day, as the real app does; those are counted in `dropped`. WeCom cuts text over
///   2,048 bytes; those are counted in `cut`.
///
/// And a WeChat official account's API: `POST /cgi-bin/stable_token` (40013 for another AppID,
/// 40125 for a wrong AppSecret) and `POST /cgi-bin/message/template/send` (40014 for a token it
/// did not hand out, 42001 for an expired one, 43004 for an openid that does not follow, 40037
/// for an unknown template, 47003 for a value over its field's limit; a sent message's content
/// is its body as JSON).
///
/// `down` answers every message with HTTP 503; `revokeTokens(expired:)` ends every token early,
/// as both providers may.
public final class AppMessageReceivers: @unchecked Sendable {
    public static let dingTalkKey = "dingapp-key"
    public static let dingTalkSecret = "dingapp-secret"
    public static let dingTalkAgent = 2_001
    public static let weComCorp = "ww-corp"
    public static let weComSecret = "wecom-app-secret"
    public static let weComAgent = 1_000_002
    public static let weChatAppID = "wx0123456789abcdef"
    public static let weChatSecret = "wechat-app-secret"

    public struct Message: Sendable {
        public var service: String
        public var user: String
        public var content: String
        public var at: Date
    }

    private let lock = NSLock()
    private var tokens: [String: (service: String, expires: Date)] = [:]
    private var messages: [Message] = []
    private var counts: [String: Int] = [:]
    private var knownUsers: Set<String> = []
    private var knownFollowers: Set<String> = []
    private var knownTemplates: Set<String> = []
    private var isDown = false
    private var lifetime: TimeInterval = 7200
    public private(set) var server: HTTPServer!

    public var base: String { "http://127.0.0.1:\(server.port)" }

    public init() throws {
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.workerThreads = 8
        server = HTTPServer(configuration: configuration, router: Router([
            Router.route("GET", "/gettoken") { [unowned self] in token($0, service: "dingtalk") },
            Router.route("GET", "/cgi-bin/gettoken") { [unowned self] in token($0, service: "wecom") },
            Router.route("POST", "/topapi/message/corpconversation/asyncsend_v2") { [unowned self] in dingTalk($0) },
            Router.route("POST", "/cgi-bin/message/send") { [unowned self] in weCom($0) },
            Router.route("POST", "/cgi-bin/stable_token") { [unowned self] in weChatToken($0) },
            Router.route("POST", "/cgi-bin/message/template/send") { [unowned self] in weChatTemplate($0) },
        ]), logger: Logger(component: "app-receiver", minimumLevel: .error, sink: { _ in }))
        try server.start()
    }

    public func stop() {
        server.shutdown(grace: .seconds(1))
    }

    /// Users the apps know, by user id.
    public var users: Set<String> {
        get { lock.withLock { knownUsers } }
        set { lock.withLock { knownUsers = newValue } }
    }
    /// The official account's followers, by openid, and its templates, by template_id.
    public var followers: Set<String> {
        get { lock.withLock { knownFollowers } }
        set { lock.withLock { knownFollowers = newValue } }
    }
    public var templates: Set<String> {
        get { lock.withLock { knownTemplates } }
        set { lock.withLock { knownTemplates = newValue } }
    }
    public var down: Bool {
        get { lock.withLock { isDown } }
        set { lock.withLock { isDown = newValue } }
    }
    /// How long tokens handed out from now on last.
    public var tokenLifetime: TimeInterval {
        get { lock.withLock { lifetime } }
        set { lock.withLock { lifetime = newValue } }
    }

    /// Ends every token early: forgotten (answered 40014), or with `expired`, run out (42001).
    public func revokeTokens(expired: Bool = false) {
        lock.withLock {
            if expired {
                for (token, issued) in tokens { tokens[token] = (issued.service, Date.distantPast) }
            } else {
                tokens.removeAll()
            }
        }
    }

    /// Messages that reached a user, in arrival order.
    public func received(_ service: String) -> [Message] { lock.withLock { messages.filter { $0.service == service } } }
    /// How often each thing happened: "dingtalk token", "wecom 42001", "dingtalk dropped", "wecom cut" …
    public var counted: [String: Int] { lock.withLock { counts } }

    private func count(_ what: String) {
        lock.withLock { counts[what, default: 0] += 1 }
    }

    private func answer(_ object: [String: Any]) -> HTTPResponse {
        ProviderReceivers.answer(object)
    }

    private func weChatToken(_ request: HTTPRequest) -> HTTPResponse {
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
        guard body["grant_type"] as? String == "client_credential", body["appid"] as? String == Self.weChatAppID else {
            count("wechat 40013")
            return answer(["errcode": 40013, "errmsg": "invalid appid"])
        }
        guard body["secret"] as? String == Self.weChatSecret else {
            count("wechat 40125")
            return answer(["errcode": 40125, "errmsg": "invalid appsecret"])
        }
        return issue("wechat")
    }

    private func weChatTemplate(_ request: HTTPRequest) -> HTTPResponse {
        if down { return HTTPResponse(status: 503, headers: HTTPHeaders([]), body: []) }
        if let refused = refusedToken(request, service: "wechat") { return refused }
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
        let follower = body["touser"] as? String ?? ""
        guard followers.contains(follower) else { count("wechat 43004"); return answer(["errcode": 43004, "errmsg": "require subscribe"]) }
        guard templates.contains(body["template_id"] as? String ?? "") else {
            count("wechat 40037")
            return answer(["errcode": 40037, "errmsg": "invalid template_id"])
        }
        let data = body["data"] as? [String: [String: String]] ?? [:]
        for (key, field) in data {
            let limit = AppMessages.fieldLimits.first { key.hasPrefix($0.prefix) }?.characters ?? 200
            guard let value = field["value"], !value.isEmpty, value.count <= limit else {
                count("wechat 47003")
                return answer(["errcode": 47003, "errmsg": "argument invalid! data.\(key).value invalid"])
            }
        }
        let content = String(decoding: (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data(),
                             as: UTF8.self)
        lock.withLock { messages.append(Message(service: "wechat", user: follower, content: content, at: Date())) }
        return answer(["errcode": 0, "errmsg": "ok", "msgid": Int.random(in: 1...1_000_000_000)])
    }

    private func token(_ request: HTTPRequest, service: String) -> HTTPResponse {
        let dingTalk = service == "dingtalk"
        let key = request.queryValue(dingTalk ? "appkey" : "corpid")
        let secret = request.queryValue(dingTalk ? "appsecret" : "corpsecret")
        if dingTalk, key != Self.dingTalkKey || secret != Self.dingTalkSecret {
            count("dingtalk 40089")
            return answer(["errcode": 40089, "errmsg": "不合法的appkey或appsecret"])
        }
        if !dingTalk {
            if key != Self.weComCorp { count("wecom 40013"); return answer(["errcode": 40013, "errmsg": "invalid corpid"]) }
            if secret != Self.weComSecret { count("wecom 40001"); return answer(["errcode": 40001, "errmsg": "invalid credential"]) }
        }
        return issue(service)
    }

    /// The same token while it lives, as every provider documents.
    private func issue(_ service: String) -> HTTPResponse {
        count("\(service) token")
        let issued = lock.withLock { () -> (String, TimeInterval) in
            let now = Date()
            if let live = tokens.first(where: { $0.value.service == service && $0.value.expires > now }) {
                return (live.key, live.value.expires.timeIntervalSince(now))
            }
            let token = "\(service)-token-\(UUID().uuidString.prefix(8))"
            tokens[token] = (service, now.addingTimeInterval(lifetime))
            return (token, lifetime)
        }
        return answer(["errcode": 0, "errmsg": "ok", "access_token": issued.0, "expires_in": Int(issued.1)])
    }

    /// Nil when the token is good; else the answer for an unknown (40014) or expired (42001) one.
    private func refusedToken(_ request: HTTPRequest, service: String) -> HTTPResponse? {
        let token = request.queryValue("access_token") ?? ""
        let known = lock.withLock { tokens[token] }
        guard let known, known.service == service else {
            count("\(service) 40014")
            return answer(["errcode": 40014, "errmsg": service == "dingtalk" ? "不合法的access_token" : "invalid access_token"])
        }
        guard known.expires > Date() else {
            count("\(service) 42001")
            return answer(["errcode": 42001, "errmsg": "access_token expired"])
        }
        return nil
    }

    private func dingTalk(_ request: HTTPRequest) -> HTTPResponse {
        if down { return HTTPResponse(status: 503, headers: HTTPHeaders([]), body: []) }
        if let refused = refusedToken(request, service: "dingtalk") { return refused }
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
        let msg = body["msg"] as? [String: Any]
        let content = (msg?["text"] as? [String: Any])?["content"] as? String ?? ""
        let users = (body["userid_list"] as? String ?? "").split(separator: ",").map(String.init)
        guard (body["agent_id"] as? NSNumber)?.intValue == Self.dingTalkAgent, msg?["msgtype"] as? String == "text", !content.isEmpty,
              !users.isEmpty, users.count <= 100 else {
            count("dingtalk 40035")
            return answer(["errcode": 40035, "errmsg": "不合法的参数"])
        }
        let known = self.users
        let today = Calendar(identifier: .gregorian).startOfDay(for: Date())
        for user in users where known.contains(user) {
            let repeated = received("dingtalk").contains { $0.user == user && $0.content == content && $0.at >= today }
            if repeated { count("dingtalk dropped"); continue }
            lock.withLock { messages.append(Message(service: "dingtalk", user: user, content: content, at: Date())) }
        }
        return answer(["errcode": 0, "errmsg": "ok", "task_id": Int.random(in: 1...1_000_000), "request_id": UUID().uuidString])
    }

    private func weCom(_ request: HTTPRequest) -> HTTPResponse {
        if down { return HTTPResponse(status: 503, headers: HTTPHeaders([]), body: []) }
        if let refused = refusedToken(request, service: "wecom") { return refused }
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
        var content = (body["text"] as? [String: Any])?["content"] as? String ?? ""
        let users = (body["touser"] as? String ?? "").split(separator: "|").map(String.init)
        guard (body["agentid"] as? NSNumber)?.intValue == Self.weComAgent, body["msgtype"] as? String == "text", !content.isEmpty,
              users.count <= 1000 else {
            count("wecom 40008")
            return answer(["errcode": 40008, "errmsg": "invalid message type"])
        }
        if content.utf8.count > AppMessages.weComTextBytes {
            count("wecom cut")
            content = String(decoding: Array(content.utf8.prefix(AppMessages.weComTextBytes)), as: UTF8.self)
        }
        let known = self.users
        let invalid = users.filter { !known.contains($0) }
        guard invalid.count < users.count else {
            count("wecom 81013")
            return answer(["errcode": 81013, "errmsg": "user & party & tag all invalid"])
        }
        for user in users where known.contains(user) {
            lock.withLock { messages.append(Message(service: "wecom", user: user, content: content, at: Date())) }
        }
        return answer(["errcode": 0, "errmsg": "ok", "invaliduser": invalid.joined(separator: "|"), "msgid": UUID().uuidString])
    }
}
