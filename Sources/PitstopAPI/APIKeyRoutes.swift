import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    var apiKeyRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/api-keys", roles: [.admin]) { [self] request, _, scope in
                try idempotent(request, scope, secrets: ["secret"]) {
                    let input = try JSONCoding.decode(CreateKeyBody.self, from: request.body, allowedFields: ["name", "role", "engineer_id"])
                    let created = try ChainSetup(scope: scope).createKey(name: input.name, role: input.role, engineerID: input.engineerId)
                    var response = try HTTPResponse.json(KeyBody(created.key, secret: created.secret), status: 201)
                    response.headers.add("Location", "/v1/api-keys/\(created.key.id.lowercasedText)")
                    response.headers.add("Cache-Control", "no-store")
                    return response
                }
            },
            tenantRoute("GET", "/v1/api-keys", roles: [.admin]) { request, _, scope in
                let page = try PageRequest(request)
                let keys = try scope.apiKeys.list(limit: page.limit + 1, after: page.cursor)
                return try .page(keys, limit: page.limit, cursor: { PageCursor(createdAt: $0.createdAt, id: $0.id) },
                                 body: { KeyBody($0, secret: nil) })
            },
            tenantRoute("GET", "/v1/api-keys/{id}", roles: [.admin]) { request, _, scope in
                try .json(KeyBody(try scope.apiKeys.get(id: try Self.pathID(request, "API key")), secret: nil))
            },
            tenantRoute("DELETE", "/v1/api-keys/{id}", roles: [.admin]) { request, _, scope in
                let id = try Self.pathID(request, "API key")
                // The tenant's last admin key would leave nobody able to make keys, change the
                // settings or revoke a stolen key: refused until another admin key exists.
                if try scope.apiKeys.activeAdminKeys() == [id] {
                    throw Problem.conflict("this is the tenant's last admin key: create another (POST /v1/api-keys with \"role\": \"admin\"), "
                                           + "then revoke this one")
                }
                _ = try scope.apiKeys.revoke(id: id)
                return .noContent()
            },
        ]
    }
}

struct CreateKeyBody: Decodable {
    var name: String
    var role: String
    var engineerId: UUID?
}

struct KeyBody: Encodable {
    /// Lower-case, as PostgreSQL prints it (JSONEncoder would upper-case a UUID).
    var id: String
    var name: String
    var role: String
    var engineerId: String?
    var prefix: String
    var createdAt: Date
    var lastUsedAt: Date?
    var revokedAt: Date?
    /// Only in the response that creates the key.
    var secret: String?

    init(_ key: APIKey, secret: String?) {
        id = key.id.lowercasedText
        name = key.name
        role = key.role.rawValue
        engineerId = key.engineerID?.lowercasedText
        prefix = key.displayPrefix
        createdAt = key.createdAt
        lastUsedAt = key.lastUsedAt
        revokedAt = key.revokedAt
        self.secret = secret
    }
}

/// `limit` (1–100, default 50) and `cursor` from the query string.
struct PageRequest {
    var limit: Int
    var cursor: PageCursor?

    init(_ request: HTTPRequest) throws {
        var errors: [Problem.FieldIssue] = []
        limit = 50
        if let text = request.queryValue("limit") {
            if let value = Int(text), (1...100).contains(value) { limit = value } else {
                errors.append(.init(field: "limit", message: "must be a whole number from 1 to 100"))
            }
        }
        if let text = request.queryValue("cursor") {
            cursor = PageCursor(encoded: text)
            if cursor == nil { errors.append(.init(field: "cursor", message: "is not a cursor this API returned")) }
        }
        if !errors.isEmpty {
            throw Problem.badQuery(errors)
        }
    }
}

struct Page<Item: Encodable>: Encodable {
    var items: [Item]
    var nextCursor: String?
}
