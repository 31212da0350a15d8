import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

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
                return try database.withTenant(token.tenantID) { scope in
                    guard let account = try scope.weChat.active(secret: token.secret) else { throw StoreError.notFound("WeChat account") }
                    try Self.checkWeChatSignature(request, token: try weChatToken(account, tenant: token.tenantID, sealingIn: scope))
                    let message: WeChatMessage
                    do throws(WeChatMessage.ParseError) {
                        message = try WeChatMessage(xml: request.body)
                    } catch {
                        throw Problem.badRequest(error.description)
                    }
                    guard message.toUserName == account.originalID else {
                        throw Problem.badRequest("the message is addressed to \(message.toUserName), not to this account (\(account.originalID))",
                                                 field: "ToUserName")
                    }
                    // "success" tells WeChat there is nothing to show the follower.
                    guard let reply = try answer(message, to: account, in: scope) else { return .text("success") }
                    return .text(message.textReply(reply, at: Int(Date().timeIntervalSince1970)), contentType: "application/xml; charset=utf-8")
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
    func answer(_ message: WeChatMessage, to account: WeChatAccount, in scope: TenantScope) throws -> String? {
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
        case "event" where message.event == "subscribe":
            return "您好，这里是\(account.name)。直接发文字描述车辆的问题（可附车牌号），我们会为您创建维修工单。"
        default:
            return nil
        }
    }

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
