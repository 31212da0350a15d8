import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    /// Customers' replies to the chain's texts. The admin makes an SMS channel's reply URL and sets
    /// it in the provider's console; the provider pushes each reply there, with no signature of
    /// its own (so the URL's secret is the only key, and a new URL ends the old):
    /// - Aliyun SmsUp, "HTTP 批量推送": a JSON array of `{phone_number, content, send_time,
    ///   dest_code, sequence_id}`, answered `{"code":0,"msg":"接收成功"}`; any other status is
    ///   pushed again after 1, 5 and 10 minutes (help.aliyun.com, SmsUp HTTP).
    /// - Tencent Cloud 短信回复回调: one `{extend, mobile, nationcode, sign, text, time}`, answered
    ///   `{"result":0,"errmsg":"OK"}` (cloud.tencent.com/document/api/382/5809).
    var smsReplyRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/notification-channels/{id}/reply-url", roles: [.admin]) { [self] request, caller, scope in
                let id = try Self.pathID(request, "notification channel")
                let channel = try scope.notifications.channel(id: id, subscription: false).channel
                guard channel.kind == .aliyunSMS || channel.kind == .tencentSMS else {
                    throw Problem.conflict("replies come from aliyun_sms and tencent_sms channels; this one is \(channel.kind.rawValue)")
                }
                let secret = try scope.notifications.newReplySecret(channel: id)
                let token = PublicToken(kind: .smsReplies, tenantID: caller.tenant.id, secret: secret).text
                return try .json(ReplyURLBody(url: "\(configuration.publicBaseURL)/v1/public/sms-replies/\(token)"), status: 201)
            },
            Router.route("POST", "/v1/public/sms-replies/{token}", ErrorMapping.wrap { [self] request in
                try publicLimits.admitLookup(address: request.clientAddress)
                let token = try Self.publicToken(request, kind: .smsReplies, what: "reply URL")
                return try database.withTenant(token.tenantID) { scope in
                    guard let channel = try scope.notifications.channel(replySecret: token.secret) else { throw StoreError.notFound("reply URL") }
                    let tencent = channel.kind == .tencentSMS
                    _ = try SMSReplies(scope: scope).received(try Self.smsReplies(request.body, tencent: tencent))
                    return .text(tencent ? #"{"result":0,"errmsg":"OK"}"# : #"{"code":0,"msg":"接收成功"}"#, contentType: "application/json")
                }
            }),
        ]
    }

    /// The replies in a provider's push. Numbers that are not mainland mobiles (another country's,
    /// or masked) cannot be a customer's and are passed over; a body of another shape is a 400.
    static func smsReplies(_ body: [UInt8], tencent: Bool) throws -> [SMSReply] {
        let parsed = try? JSONSerialization.jsonObject(with: Data(body))
        let items: [[String: Any]]
        if tencent, let one = parsed as? [String: Any] {
            items = [one]
        } else if !tencent, let many = parsed as? [[String: Any]] {
            items = many
        } else {
            throw Problem.badRequest(tencent ? "send the reply as Tencent Cloud does: a JSON object with mobile, nationcode and text"
                                         : "send replies as Aliyun SmsUp does: a JSON array of objects with phone_number and content")
        }
        let (phoneField, textField) = tencent ? ("mobile", "text") : ("phone_number", "content")
        return try items.enumerated().compactMap { index, item in
            guard let phone = item[phoneField] as? String, let text = item[textField] as? String else {
                throw Problem.badRequest("reply \(index) has no \(phoneField) and \(textField) strings", field: "\(index)")
            }
            if tencent, (item["nationcode"] as? String).map({ $0 != "86" }) ?? false { return nil }
            return (try? MobileNumber(phone)).map { SMSReply(phone: $0, text: text) }
        }
    }
}

struct ReplyURLBody: Encodable {
    /// Set it in the provider's console as where replies are pushed.
    var url: String
}
