import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    /// Admins connect official accounts; each answer carries the server URL to paste into the
    /// WeChat console next to the same Token. The Token is never shown back.
    var weChatAccountRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/wechat-accounts", roles: [.admin]) { [self] request, caller, scope in
                try idempotent(request, scope) {
                    let body = try JSONCoding.decode(NewWeChatAccountBody.self, from: request.body, allowedFields: NewWeChatAccountBody.fields)
                    let new = NewWeChatAccount(name: body.name, originalID: body.originalId, token: body.token, typeID: body.typeId,
                                               shopID: body.shopId, appID: body.appId, encodingAESKey: body.encodingAesKey)
                    let account = try ChainSetup(scope: scope).createWeChatAccount(new) { secret in
                        // `seal` answers 503 when the server has no PITSTOP_SECRET_KEY; the rules
                        // checked both values non-empty.
                        guard let box = try seal(secret, tenant: caller.tenant.id) else { throw Problem.badRequest("the Token is required", field: "token") }
                        return box
                    }
                    var response = try HTTPResponse.json(weChatAccountBody(account, tenantID: caller.tenant.id), status: 201)
                    response.headers.add("Location", "/v1/wechat-accounts/\(account.id.lowercasedText)")
                    return response
                }
            },
            tenantRoute("GET", "/v1/wechat-accounts", roles: [.admin]) { [self] request, caller, scope in
                let page = try PageRequest(request)
                let accounts = try scope.weChat.list(limit: page.limit + 1, after: page.cursor)
                return try .page(accounts, limit: page.limit, cursor: { PageCursor(createdAt: $0.createdAt, id: $0.id) },
                                 body: { weChatAccountBody($0, tenantID: caller.tenant.id) })
            },
            tenantRoute("GET", "/v1/wechat-accounts/{id}", roles: [.admin]) { [self] request, caller, scope in
                let account = try scope.weChat.get(id: try Self.pathID(request, "WeChat account"))
                return try .record(weChatAccountBody(account, tenantID: caller.tenant.id), version: account.version)
            },
            // The server URL stays: only the console's Token or key, when changed, changes there too.
            tenantRoute("PATCH", "/v1/wechat-accounts/{id}", roles: [.admin]) { [self] request, caller, scope in
                let id = try Self.pathID(request, "WeChat account")
                let version = try Self.ifMatchVersion(request)
                let changes = try JSONCoding.decode(WeChatAccountChangesBody.self, from: request.body, allowedFields: WeChatAccountChangesBody.fields).changes
                let account = try ChainSetup(scope: scope).updateWeChatAccount(id: id, expectedVersion: version, changes) { secret in
                    guard let box = try seal(secret, tenant: caller.tenant.id) else { throw Problem.badRequest("the Token is required", field: "token") }
                    return box
                }
                return try .record(weChatAccountBody(account, tenantID: caller.tenant.id), version: account.version)
            },
            tenantRoute("DELETE", "/v1/wechat-accounts/{id}", roles: [.admin]) { request, _, scope in
                _ = try scope.weChat.revoke(id: try Self.pathID(request, "WeChat account"))
                return .noContent()
            },
        ]
    }

    func weChatAccountBody(_ account: WeChatAccount, tenantID: UUID) -> WeChatAccountBody {
        WeChatAccountBody(id: account.id.lowercasedText, name: account.name, originalId: account.originalID,
                          typeId: account.typeID.lowercasedText, shopId: account.shopID?.lowercasedText, appId: account.appID,
                          hasEncodingAesKey: account.aesKeyBox != nil,
                          serverUrl: "\(configuration.publicBaseURL)/v1/public/wechat/\(account.urlToken(tenantID: tenantID).text)",
                          createdAt: account.createdAt, revokedAt: account.revokedAt)
    }
}

struct NewWeChatAccountBody: Decodable {
    var name: String
    var originalId: String
    var token: String
    var typeId: UUID
    var shopId: UUID?
    var appId: String?
    var encodingAesKey: String?

    static let fields: Set<String> = ["name", "original_id", "token", "type_id", "shop_id", "app_id", "encoding_aes_key"]
}

struct WeChatAccountChangesBody: Decodable, ReadsNulls {
    var changes: WeChatAccountChanges

    static let fields: Set<String> = ["name", "token", "type_id", "shop_id", "app_id", "encoding_aes_key"]

    enum CodingKeys: String, CodingKey {
        case name, token, typeId, shopId, appId, encodingAesKey
    }

    init(from decoder: Decoder) throws {
        let read = FieldReader(container: try decoder.container(keyedBy: CodingKeys.self))
        changes = WeChatAccountChanges(name: try read.value(.name), token: try read.value(.token), typeID: try read.value(.typeId),
                                       shopID: try read.update(.shopId), appID: try read.update(.appId),
                                       encodingAESKey: try read.update(.encodingAesKey))
    }
}

struct WeChatAccountBody: Encodable {
    var id: String
    var name: String
    var originalId: String
    var typeId: String
    var shopId: String?
    var appId: String?
    /// Whether safe and compatible mode are open to this account (the key itself is never shown).
    var hasEncodingAesKey: Bool
    /// The 服务器地址(URL) to configure in the WeChat console.
    var serverUrl: String
    var createdAt: Date
    var revokedAt: Date?
}
