import Foundation
import PitstopCore

/// The chain's own DingTalk and WeCom apps, which message one person by their user id: an access
/// token fetched with the app's key and secret, kept until it expires, then one text message per
/// request to one user.
///
/// DingTalk (enterprise internal app, "工作通知"):
/// - `GET {base}/gettoken?appkey=…&appsecret=…` → `{"errcode":0,"access_token":"…","expires_in":7200}`;
///   within its lifetime the same token comes back.
/// - `POST {base}/topapi/message/corpconversation/asyncsend_v2?access_token=…` with
///   `{"agent_id":…,"userid_list":"a,b","msg":{"msgtype":"text","text":{"content":"…"}}}` →
///   `{"errcode":0,"task_id":…}`. `userid_list` takes at most 100 ids; one app may send one user
///   the same content only once a day and at most 500 messages a day, and past those limits the
///   call still answers success but nothing arrives (DingTalk's "发送工作通知" notes, as quoted on
///   blog.csdn.net/zhangfeijava/article/details/120429182) — so every text names its order and
///   the minute it was written, and no two messages of one day read the same.
/// - A stale token is answered with errcode 40014 ("不合法的access_token") or 42001.
///
/// WeCom (self-built app, "发送应用消息"):
/// - `GET {base}/cgi-bin/gettoken?corpid=…&corpsecret=…` → `{"errcode":0,"access_token":"…","expires_in":7200}`;
///   the same token within its lifetime, though WeCom may end one early, and a token may be up
///   to 512 bytes (developer.work.weixin.qq.com/document/path/91039).
/// - `POST {base}/cgi-bin/message/send?access_token=…` with
///   `{"touser":"a|b","msgtype":"text","agentid":…,"text":{"content":"…"}}` →
///   `{"errcode":0,"invaliduser":"…"}`: ids WeCom could not reach come back in `invaliduser`,
///   and when none could be reached the call fails with 81013 (or 82001). `text.content` takes
///   at most 2,048 bytes; WeCom cuts what is longer.
/// - A stale token: 40014 ("invalid access_token") or 42001 ("access_token expired"), as
///   NotFound403/wecom-sdk#22 found both in use.
///
/// WeChat official account (a verified 服务号's template messages, "模板消息"):
/// - `POST {base}/cgi-bin/stable_token` with `{"grant_type":"client_credential","appid":…,"secret":…}`
///   → `{"access_token":"…","expires_in":7200}`: the stable token, which, unlike `/cgi-bin/token`,
///   does not end the one another worker holds; a wrong AppID or AppSecret is 40013 or 40125, a
///   server outside the account's IP whitelist 40164.
/// - `POST {base}/cgi-bin/message/template/send?access_token=…` with
///   `{"touser":openid,"template_id":…,"url":…,"data":{"thing1":{"value":…},…}}` →
///   `{"errcode":0,"msgid":…}`. A stale token is 40001, 40014 or 42001; 43004 a reader who no
///   longer follows; 40003 an openid of another account; 40037 an unknown template; 47003 a
///   value that breaks its field's rule; 45009 the account's daily quota spent.
/// - Each field takes what its type's prefix allows (the parameter rules WeChat publishes for
///   its category templates, as quoted on blog.bitefu.net/post/660.html): `thing` 20
///   characters, `character_string`, `number` and `letter` 32, `phrase` and `symbol` 5,
///   `car_number` 8, `name` 10, `phone_number` 17; longer values are shortened here.
public enum AppMessages {
    /// A token is replaced this long before the provider says it expires (or halfway through a
    /// shorter life), so none runs out between being read and being used.
    public static let tokenMargin: TimeInterval = 300

    /// How long a token the provider says lasts `lifetime` seconds is used.
    public static func useFor(lifetime: TimeInterval) -> TimeInterval {
        max(lifetime - tokenMargin, lifetime / 2)
    }
    /// DingTalk advises keeping a text notification within 500 characters.
    public static let dingTalkTextLimit = 500
    public static let weComTextBytes = 2048
    /// The longest token either provider hands out, as WeCom documents it.
    public static let tokenBytes = 512

    /// The request that fetches the app's access token.
    public static func tokenRequest(kind: NotificationChannel.Kind, baseURL: String, appKey: String, secret: String) -> ChannelRequest {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        if kind == .wechatMP {
            let body = (try? JSONSerialization.data(withJSONObject: ["grant_type": "client_credential", "appid": appKey, "secret": secret],
                                                    options: [.sortedKeys])).map(Array.init) ?? []
            return ChannelRequest(method: "POST", url: base + "/cgi-bin/stable_token", headers: ["Content-Type": "application/json"], body: body)
        }
        let query = kind == .dingtalkApp
            ? "/gettoken?appkey=\(PercentEncoding.encode(appKey))&appsecret=\(PercentEncoding.encode(secret))"
            : "/cgi-bin/gettoken?corpid=\(PercentEncoding.encode(appKey))&corpsecret=\(PercentEncoding.encode(secret))"
        return ChannelRequest(method: "GET", url: base + query, headers: [:], body: [])
    }

    /// A fetched token and how long the provider says it lasts, or why there is none.
    public enum TokenAnswer: Sendable, Equatable {
        case token(String, expiresIn: TimeInterval)
        case refused(ChannelAnswer)
    }

    public static func readToken(status: Int, retryAfter: String?, body: [UInt8]) -> TokenAnswer {
        guard (200..<300).contains(status) else {
            // A 429 or a failure, as any HTTP service's.
            return .refused(ChannelAnswer.read(kind: .webhook, status: status, retryAfter: retryAfter, body: body))
        }
        let answer = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        let code = (answer?["errcode"] as? NSNumber)?.intValue
        if code == 0 || code == nil, let token = answer?["access_token"] as? String, !token.isEmpty, token.utf8.count <= tokenBytes {
            let lifetime = (answer?["expires_in"] as? NSNumber)?.doubleValue ?? 7200
            return .token(token, expiresIn: max(0, lifetime))
        }
        let said = "gettoken: errcode \(code.map(String.init) ?? "missing"): \(answer?["errmsg"] as? String ?? "no token in the answer")"
        // Anything but a token is the key or secret (or the app) being wrong, which will not mend by
        // itself; only a busy provider (-1, "system busy") or its rate limit (45009) is worth a retry.
        return .refused(code == 45009 || code == -1 ? .failed(said) : .rejected(said))
    }

    /// One text message to one user of the app.
    public static func messageRequest(kind: NotificationChannel.Kind, baseURL: String, token: String, agentID: Int, userID: String,
                                      text: String) -> ChannelRequest {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        let object: [String: Any]
        let path: String
        if kind == .dingtalkApp {
            path = "/topapi/message/corpconversation/asyncsend_v2"
            let content = AliyunSMS.shortened(text, to: dingTalkTextLimit)
            object = ["agent_id": agentID, "userid_list": userID, "msg": ["msgtype": "text", "text": ["content": content]]]
        } else {
            path = "/cgi-bin/message/send"
            object = ["touser": userID, "msgtype": "text", "agentid": agentID,
                      "text": ["content": WeComRobot.truncate(text, toBytes: weComTextBytes)]]
        }
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])).map(Array.init) ?? []
        return ChannelRequest(method: "POST", url: base + path + "?access_token=" + PercentEncoding.encode(token),
                              headers: ["Content-Type": "application/json"], body: body)
    }

    /// One template message to one follower; `fields` by the template's keys, `link` the page
    /// it opens.
    public static func templateRequest(baseURL: String, token: String, openID: String, templateID: String, fields: [String: String],
                                       link: String?) -> ChannelRequest {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        var object: [String: Any] = ["touser": openID, "template_id": templateID,
                                     "data": Dictionary(uniqueKeysWithValues: fields.map { ($0.key, ["value": fitted($0.value, key: $0.key)]) })]
        if let link { object["url"] = link }
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])).map(Array.init) ?? []
        return ChannelRequest(method: "POST", url: base + "/cgi-bin/message/template/send?access_token=" + PercentEncoding.encode(token),
                              headers: ["Content-Type": "application/json"], body: body)
    }

    /// The longest value each template field type takes, by the key's prefix (`thing2` is a `thing`).
    public static let fieldLimits: [(prefix: String, characters: Int)] = [
        ("character_string", 32), ("thing", 20), ("number", 32), ("letter", 32), ("symbol", 5), ("phrase", 5), ("car_number", 8),
        ("name", 10), ("phone_number", 17),
    ]

    static func fitted(_ value: String, key: String) -> String {
        guard let limit = fieldLimits.first(where: { key.hasPrefix($0.prefix) })?.characters else { return value }
        return AliyunSMS.shortened(value, to: limit)
    }

    /// What an app's answer to a message means (HTTP 200 with an errcode).
    static func read(kind: NotificationChannel.Kind, answer: [String: Any]?) -> ChannelAnswer {
        let code = (answer?["errcode"] as? NSNumber)?.intValue
        let said = "errcode \(code.map(String.init) ?? "missing"): \(answer?["errmsg"] as? String ?? "no message")"
        if kind == .wechatMP {
            switch code {
            case 0: return .accepted
            case 40001, 40014, 42001: return .tokenInvalid(said)
            case 45009: return .throttled(said, seconds: 3600, channelWide: true)
            case 43004: return .rejected("the customer no longer follows the official account (\(said))")
            case 40003, 40037, 47003, 40036: return .rejected(said)
            default: return .failed(said)
            }
        }
        switch code {
        case 0:
            // One recipient per message: an id WeCom could not reach means nobody was.
            if let invalid = answer?["invaliduser"] as? String, !invalid.isEmpty {
                return .rejected("the app cannot reach user \(invalid): check the engineer's user id and the app's visible range")
            }
            return .accepted
        case 40014, 42001:
            return .tokenInvalid(said)
        case 45009:
            return .throttled(said, seconds: 60, channelWide: true)
        // No recipient the app may reach (WeCom); the app's agent id wrong (WeCom 40056).
        case 81013, 82001, 40056:
            return .rejected(said)
        default:
            return .failed(said)
        }
    }
}
