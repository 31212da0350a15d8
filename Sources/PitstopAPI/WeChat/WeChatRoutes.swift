import Crypto
import Foundation
import HTTPClient
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore
import Notifications

/// The server URL of a connected official account, as WeChat calls it: the GET handshake when the
/// URL is saved in the console, then a POST for every message a follower sends. Every call must
/// carry WeChat's signature over the account's Token; nothing is read or written for one that
/// does not.
extension APIApplication {
    var weChatRoutes: [Router.Route] {
        [
            Router.route("GET", "/v1/public/wechat/{token}", ErrorMapping.wrap { [self] request in
                let token = try Self.publicToken(request, kind: .wechat, what: "WeChat account")
                let account = try database.withTenant(token.tenantID, readOnly: true) { try $0.weChat.active(secret: token.secret) }
                guard let account else { throw StoreError.notFound("WeChat account") }
                try Self.checkWeChatSignature(request, token: try weChatToken(account, tenant: token.tenantID, sealingIn: nil))
                guard let echo = request.queryValue("echostr"), !echo.isEmpty else {
                    throw Problem.badQuery("echostr", "is required: WeChat sends it to be echoed")
                }
                return .text(echo)
            }),
            // WeChat posts XML, whatever Content-Type it declares.
            Router.route("POST", "/v1/public/wechat/{token}", body: .any, ErrorMapping.wrap { [self] request in
                let token = try Self.publicToken(request, kind: .wechat, what: "WeChat account")
                // Checked and read in a short read-only transaction first, so that a photo is
                // fetched with no transaction open; nothing is written for a call that fails here.
                let (account, consoleToken) = try database.withTenant(token.tenantID, readOnly: true) { scope in
                    guard let account = try scope.weChat.active(secret: token.secret) else { throw StoreError.notFound("WeChat account") }
                    return (account, try weChatToken(account, tenant: token.tenantID, sealingIn: nil))
                }
                try Self.checkWeChatSignature(request, token: consoleToken)
                let cipher = try request.queryValue("encrypt_type").map { try weChatCipher(account, mode: $0, tenant: token.tenantID) }
                let message = try Self.weChatMessage(request, cipher: cipher, token: consoleToken)
                guard message.toUserName == account.originalID else {
                    throw Problem.badRequest("the message is addressed to \(message.toUserName), not to this account (\(account.originalID))",
                                             field: "ToUserName")
                }
                let photo = message.msgType == "image" ? fetchPhoto(message.picURL) : nil
                return try database.withTenant(token.tenantID) { scope in
                    // A Token still in the clear is sealed by the first accepted message.
                    _ = try weChatToken(account, tenant: token.tenantID, sealingIn: scope)
                    // "success" tells WeChat there is nothing to show the follower; it is never encrypted.
                    guard let reply = try answer(message, to: account, photo: photo, in: scope) else { return .text("success") }
                    let now = Int(Date().timeIntervalSince1970)
                    var xml = message.textReply(reply, at: now)
                    if let cipher {
                        xml = cipher.reply(xml, token: consoleToken, timestamp: now, nonce: String(UInt32.random(in: 100_000_000...UInt32.max)))
                    }
                    return .text(xml, contentType: "application/xml; charset=utf-8")
                }
            }),
        ]
    }

    /// The account's Token in the clear, to check a signature with. A Token still stored in the
    /// clear (connected before Tokens were sealed) is sealed in `sealingIn`'s transaction, when
    /// given and this server has the key.
    func weChatToken(_ account: WeChatAccount, tenant: UUID, sealingIn scope: TenantScope?) throws -> String {
        switch account.token {
        case .sealed(let box):
            guard let secrets else {
                throw Problem.serviceUnavailable(retryAfter: 3600, "this server cannot open the WeChat Token: the operator must set PITSTOP_SECRET_KEY")
            }
            guard let token = secrets.open(box, tenant: tenant) else {
                throw Problem.serviceUnavailable(retryAfter: 3600, "this server's PITSTOP_SECRET_KEY cannot open the WeChat Token: give it the key that sealed it")
            }
            return token
        case .plain(let token):
            if let scope, let secrets { try scope.weChat.sealToken(account: account.id, box: secrets.seal(token, tenant: tenant)) }
            return token
        }
    }

    /// The cipher for a call in safe or compatible mode (`encrypt_type=aes`): the account must
    /// have its EncodingAESKey, which this server must be able to open.
    func weChatCipher(_ account: WeChatAccount, mode: String, tenant: UUID) throws -> WeChatCipher {
        guard mode == "aes" else { throw Problem.badQuery("encrypt_type", "must be aes, the only encryption WeChat uses") }
        guard let box = account.aesKeyBox, let appID = account.appID else {
            throw Problem.badQuery("encrypt_type", "is aes, but this account was connected without its EncodingAESKey: connect it again with app_id and encoding_aes_key, or choose plain-text mode in the WeChat console")
        }
        guard let secrets else {
            throw Problem.serviceUnavailable(retryAfter: 3600, "this server cannot open the EncodingAESKey: the operator must set PITSTOP_SECRET_KEY")
        }
        guard let key = secrets.open(box, tenant: tenant), let cipher = WeChatCipher(encodingAESKey: key, appID: appID) else {
            throw Problem.serviceUnavailable(retryAfter: 3600, "this server's PITSTOP_SECRET_KEY cannot open the EncodingAESKey: give it the key that sealed it")
        }
        return cipher
    }

    /// The message in the body: as sent in plain-text mode, or decrypted from `Encrypt` after its
    /// `msg_signature` is checked. In compatible mode the body also carries the message in the
    /// clear, which no signature covers, so only the encrypted copy is read.
    static func weChatMessage(_ request: HTTPRequest, cipher: WeChatCipher?, token: String) throws -> WeChatMessage {
        guard let cipher else { return try parsed { () throws(WeChatMessage.ParseError) in try WeChatMessage(xml: request.body) } }
        guard let encrypt = try parsed({ () throws(WeChatMessage.ParseError) in try WeChatMessage.encrypted(xml: request.body) }) else {
            throw Problem.badRequest("a message in safe or compatible mode must carry Encrypt", field: "Encrypt")
        }
        guard let signature = request.queryValue("msg_signature"), let timestamp = request.queryValue("timestamp"),
              let nonce = request.queryValue("nonce"),
              Digest.constantTimeEquals(Array(WeChatCipher.signature(token: token, timestamp: timestamp, nonce: nonce, encrypt: encrypt).utf8),
                                        Array(signature.lowercased().utf8)) else {
            throw Problem(status: 401, type: "bad-signature", title: "Bad signature",
                          detail: "msg_signature does not match Encrypt under this account's Token; check the Token in the WeChat console",
                          errors: [.init(field: "msg_signature", message: "does not match")])
        }
        let inner: [UInt8]
        do throws(WeChatCipher.Failure) {
            inner = try cipher.decrypt(encrypt)
        } catch {
            throw Problem.badRequest(error.description, field: "Encrypt")
        }
        return try parsed { () throws(WeChatMessage.ParseError) in try WeChatMessage(xml: inner) }
    }

    private static func parsed<T>(_ parse: () throws(WeChatMessage.ParseError) -> T) throws -> T {
        do throws(WeChatMessage.ParseError) {
            return try parse()
        } catch {
            throw Problem.badRequest(error.description)
        }
    }

    static func checkWeChatSignature(_ request: HTTPRequest, token: String) throws {
        guard let signature = request.queryValue("signature"), let timestamp = request.queryValue("timestamp"),
              let nonce = request.queryValue("nonce"),
              WeChatSignature.isValid(signature, token: token, timestamp: timestamp, nonce: nonce) else {
            throw Problem(status: 401, type: "bad-signature", title: "Bad signature",
                          detail: "signature, timestamp and nonce do not match this account's Token; check the Token in the WeChat console",
                          errors: [.init(field: "signature", message: "does not match")])
        }
        if let stale = WeChatSignature.staleness(timestamp, now: Date()) {
            throw Problem(status: 401, type: "stale-timestamp", title: "Stale timestamp", detail: "timestamp \(stale)",
                          errors: [.init(field: "timestamp", message: stale)])
        }
    }

    /// The passive reply to `message`, or nil for none. A text opens an order, or joins the
    /// follower's open one; a MsgId seen before gets the reply it got then and changes nothing.
    func answer(_ message: WeChatMessage, to account: WeChatAccount, photo: FetchedPhoto?, in scope: TenantScope) throws -> String? {
        /// A message with a MsgId is handled once; a retry gets the reply it got then.
        func once(_ handle: () throws -> (String, UUID?)) throws -> String {
            guard let msgID = message.msgID, !msgID.isEmpty, msgID.count <= 20, msgID.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw Problem.badRequest("a \(message.msgType) message must carry its numeric MsgId", field: "MsgId")
            }
            if case .answered(let reply) = try scope.weChat.claim(account: account.id, msgID: msgID, from: message.fromUserName) {
                return reply
            }
            let (reply, order) = try handle()
            try scope.weChat.answer(account: account.id, msgID: msgID, reply: reply, workOrder: order)
            return reply
        }
        switch message.msgType {
        case "text":
            return try once { try report(message.content ?? "", from: message.fromUserName, to: account, in: scope) }
        case "voice":
            // Recognition is on when the account enabled it (接收语音识别结果); without it there is no text.
            return try once {
                guard let heard = message.recognition, !heard.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                    return ("暂时无法识别这段语音，请发文字描述车辆的问题。", nil)
                }
                return try report(heard, from: message.fromUserName, to: account, in: scope)
            }
        case "location":
            guard let place = message.location else { throw Problem.badRequest("a location message must carry Location_X and Location_Y", field: "Location_X") }
            return try once {
                let site = WorkOrder.Site(latitude: place.latitude, longitude: place.longitude, address: place.label.map { String($0.prefix(500)) })
                let order: WorkOrder?
                do {
                    order = try WorkOrderIntake(scope: scope, tenant: try scope.tenant.get(), by: .customer(via: nil))
                        .locate(weChatSite: site, from: message.fromUserName)
                } catch is ValidationError {
                    // Nothing was written (the edit checks first); WeChat would only retry an error.
                    return ("无法识别这个位置，请重新发送。", nil)
                }
                guard let order else { return ("已收到您的位置。请再发文字描述车辆的问题，我们会为您创建维修工单。", nil) }
                return ("已收到位置，已更新到您的工单 \(order.number)。", order.id)
            }
        case "image":
            return try once {
                guard case .fetched(let bytes, let type, let sha256) = photo else {
                    // WeChat keeps a picture for a while: asking again is better than failing the call.
                    return ("图片接收失败，请稍后重新发送。", nil)
                }
                guard let (order, _) = try WorkOrderIntake(scope: scope, tenant: try scope.tenant.get(), by: .customer(via: nil))
                    .attach(weChatPhoto: type, sizeBytes: bytes.count, sha256: sha256, from: message.fromUserName) else {
                    return ("已收到图片。请再发文字描述车辆的问题，我们会为您创建维修工单。", nil)
                }
                // Into the store before COMMIT, as an upload is: a row never names a missing file.
                try mediaStore.keep(bytes, sha256: sha256, tenant: scope.tenantID)
                return ("已收到图片，已添加到您的工单 \(order.number)。", order.id)
            }
        case "event" where message.event == "unsubscribe":
            // The follower left: the chain's WeChat messages stop for them (WeChat shows no reply).
            try scope.customers.weChatFollowing(openID: message.fromUserName, following: false)
            return nil
        case "event" where message.event == "subscribe":
            try scope.customers.weChatFollowing(openID: message.fromUserName, following: true)
            return "您好，这里是\(account.name)。直接发文字描述车辆的问题（可附车牌号），我们会为您创建维修工单。"
        case "event" where message.event == "CLICK":
            return try menuClick(message.eventKey ?? "", from: message.fromUserName, in: scope)
        default:
            return nil
        }
    }

    /// A button of the account's custom menu. `PITSTOP_ORDERS` (我的工单) answers with the
    /// follower's open order and a fresh tracking link; any other key, `PITSTOP_REPORT` (我要报修)
    /// among them, says how to report, so no button is ever met with silence.
    private func menuClick(_ key: String, from openID: String, in scope: TenantScope) throws -> String {
        let howTo = "请直接发文字描述车辆的问题（可附车牌号），也可以发送图片和位置，我们会为您创建维修工单。"
        guard key == Self.ordersMenuKey else { return howTo }
        guard let order = try WorkOrderIntake(scope: scope, tenant: try scope.tenant.get(), by: .customer(via: nil)).followersOpenOrder(openID) else {
            return "您目前没有进行中的工单。" + howTo
        }
        let secret = try scope.workOrders.newTrackingLink(id: order.id)
        return "您的工单 \(order.number)：\(order.status.customerLabel)。查看进度：\(configuration.publicBaseURL)/v1/public/track/"
            + PublicToken(kind: .tracking, tenantID: scope.tenantID, secret: secret).text
    }

    /// The menu key that asks for the follower's order (set it on a CLICK button in the console).
    static let ordersMenuKey = "PITSTOP_ORDERS"

    private func report(_ content: String, from openID: String, to account: WeChatAccount, in scope: TenantScope) throws -> (String, UUID?) {
        let text = content.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return ("请用文字描述车辆的问题，我们会为您创建维修工单。", nil) }
        guard !ChatText.isGreeting(text) else { return ("您好！请告诉我们车辆出了什么问题（可附车牌号），我们会为您创建维修工单。", nil) }
        let outcome: IntakeOutcome
        do {
            outcome = try WorkOrderIntake(scope: scope, tenant: try scope.tenant.get(), by: .customer(via: nil)).open(weChatText: text, from: openID, to: account)
        } catch let refusal where refusal is ValidationError || refusal is StoreError {
            // A job type retired or needing fields a chat message cannot give: say so rather than
            // fail the call, which WeChat would only retry. Nothing was written: intake checks first.
            return ("抱歉，这类问题暂时无法通过微信受理，请直接致电门店。", nil)
        }
        let order = outcome.order
        guard case .opened = outcome else { return ("已收到，已补充到您的工单 \(order.number)（\(order.status.customerLabel)）。", order.id) }
        var reply = "已为您创建维修工单 \(order.number)，我们会尽快联系您。"
        if let secret = order.trackingSecret {
            reply += "查看进度：\(configuration.publicBaseURL)/v1/public/track/\(PublicToken(kind: .tracking, tenantID: scope.tenantID, secret: secret).text)"
        }
        return (reply, order.id)
    }
}

/// A follower's picture, fetched from the URL WeChat gives in the message.
enum FetchedPhoto: Sendable {
    case fetched([UInt8], MediaType, sha256: String)
    case failed(String)
}

extension APIApplication {
    /// How long a picture may take to fetch: WeChat waits five seconds for the reply.
    static let photoFetchTimeout: TimeInterval = 3

    /// The picture at `url`, if it is one (a JPEG or PNG by its bytes, within the photo limit),
    /// from an address this server may reach.
    func fetchPhoto(_ url: String?) -> FetchedPhoto {
        guard let url, url.hasPrefix("http://") || url.hasPrefix("https://") else { return .failed("the image message has no PicUrl") }
        if let refusal = OutboundGuard(allowPrivate: configuration.allowPrivateURLs).refusal(url) { return .failed(refusal) }
        let limit = configuration.mediaLimits.limit(for: .photo)
        let answer = HTTPClient.perform(HTTPClient.Request(method: "GET", url: url, headers: [], body: [], timeout: Self.photoFetchTimeout,
                                                           bodyLimit: limit), cancellation: HTTPClient.Cancellation())
        guard answer.status == 200 else { return .failed(answer.error ?? "HTTP \(answer.status ?? 0)") }
        guard !answer.truncated else { return .failed("the picture is larger than \(limit) bytes") }
        guard let type = MediaType.sniff(Array(answer.body.prefix(32))), type.kind == .photo else { return .failed("the bytes are not a picture") }
        return .fetched(answer.body, type, sha256: Digest.sha256(answer.body).hex)
    }
}
