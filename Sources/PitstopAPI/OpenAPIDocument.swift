import Foundation
import HTTPServer

/// The OpenAPI 3.1 description of every route. A test checks that it names exactly the routes
/// the router serves; CI also runs openapi-spec-validator over it.
enum OpenAPIDocument {
    static let json: [UInt8] = {
        // A fixed tree of plain values: serialising it cannot fail.
        (try? Array(JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes]))) ?? []
    }()

    typealias Object = [String: Any]

    static var document: Object {
        [
            "openapi": "3.1.0",
            "info": [
                "title": "Pitstop API",
                "version": "1",
                "description": "Work orders for auto-repair chains. Authenticate with `Authorization: Bearer <key>`. Errors are application/problem+json.",
            ] as Object,
            "servers": [["url": "/"]],
            "security": [["bearerAuth": [String]()]],
            "paths": paths,
            "components": [
                "securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer"] as Object],
                "schemas": schemas,
                "responses": [
                    "Problem": ["description": "An error", "content": problemContent] as Object,
                ] as Object,
            ] as Object,
        ]
    }

    static var problemContent: Object { ["application/problem+json": ["schema": ref("Problem")]] }

    static func ref(_ name: String) -> Object { ["$ref": "#/components/schemas/\(name)"] }

    static func json(_ schema: Object) -> Object { ["application/json": ["schema": schema]] }

    static func operation(_ id: String, _ summary: String, tags: [String], public isPublic: Bool = false,
                          parameters: [Object] = [], body: Object? = nil, responses: [String: Object]) -> Object {
        var all = responses
        all["default"] = ["$ref": "#/components/responses/Problem"]
        var operation: Object = ["operationId": id, "summary": summary, "tags": tags, "responses": all]
        if isPublic { operation["security"] = [Object]() }
        if !parameters.isEmpty { operation["parameters"] = parameters }
        if let body { operation["requestBody"] = ["required": true, "content": json(body)] as Object }
        return operation
    }

    static var paths: Object {
        [
            "/healthz": ["get": operation("health", "The process is alive", tags: ["operations"], public: true,
                                          responses: ["200": ["description": "Alive", "content": json(["type": "object"])]])],
            "/readyz": ["get": operation("ready", "The database is reachable and the schema current", tags: ["operations"], public: true,
                                         responses: ["200": ["description": "Ready", "content": json(["type": "object"])],
                                                     "503": ["description": "Not ready", "content": problemContent]])],
            "/metrics": ["get": operation("metrics", "Prometheus metrics", tags: ["operations"], public: true,
                                          responses: ["200": ["description": "Prometheus text format",
                                                              "content": ["text/plain": ["schema": ["type": "string"]]]] as Object])],
            "/v1/openapi.json": ["get": operation("openapi", "This document", tags: ["operations"], public: true,
                                                  responses: ["200": ["description": "OpenAPI 3.1", "content": json(["type": "object"])]])],
            "/v1/tenant": ["get": operation("getTenant", "The caller's tenant", tags: ["tenants"],
                                            responses: ["200": ["description": "The tenant", "content": json(ref("Tenant"))]])],
            "/v1/api-keys": [
                "post": operation("createAPIKey", "Create an API key (admin); the secret is returned once", tags: ["api-keys"],
                                  body: ref("CreateAPIKey"),
                                  responses: ["201": ["description": "Created, with its secret", "content": json(ref("APIKey"))]]),
                "get": operation("listAPIKeys", "List the tenant's API keys, newest first (admin)", tags: ["api-keys"],
                                 parameters: pageParameters,
                                 responses: ["200": ["description": "A page of keys", "content": json(pageOf("APIKey"))]]),
            ] as Object,
            "/v1/api-keys/{id}": [
                "delete": operation("revokeAPIKey", "Revoke an API key (admin)", tags: ["api-keys"],
                                    parameters: [idParameter],
                                    responses: ["204": ["description": "Revoked"]]),
            ] as Object,
            "/v1/shops": [
                "post": operation("createShop", "Create a shop (admin)", tags: ["shops"], parameters: [idempotencyKey],
                                  body: ref("ShopInput"),
                                  responses: ["201": ["description": "Created", "content": json(ref("Shop"))]]),
                "get": operation("listShops", "List shops, newest first", tags: ["shops"], parameters: pageParameters,
                                 responses: ["200": ["description": "A page of shops", "content": json(pageOf("Shop"))]]),
            ] as Object,
            "/v1/shops/{id}": [
                "get": operation("getShop", "A shop, with its version as ETag", tags: ["shops"], parameters: [idParameter],
                                 responses: ["200": ["description": "The shop", "content": json(ref("Shop"))]]),
                "patch": operation("updateShop", "Change some of a shop's fields (admin); null clears location or phone",
                                   tags: ["shops"], parameters: [idParameter, ifMatch], body: ref("ShopInput"),
                                   responses: ["200": ["description": "The changed shop", "content": json(ref("Shop"))]]),
            ] as Object,
            "/v1/platform/tenants": [
                "post": operation("createTenant", "Create a tenant and its first admin key (platform key)", tags: ["platform"],
                                  body: ref("CreateTenant"),
                                  responses: ["201": ["description": "Created", "content": json([
                                      "type": "object", "required": ["tenant", "admin_key"],
                                      "properties": ["tenant": ref("Tenant"), "admin_key": ref("APIKey")] as Object,
                                  ])]]),
            ] as Object,
        ]
    }

    static func pageOf(_ schema: String) -> Object {
        ["type": "object", "required": ["items"],
         "properties": ["items": ["type": "array", "items": ref(schema)] as Object, "next_cursor": ["type": ["string", "null"]]] as Object]
    }

    static var idParameter: Object {
        ["name": "id", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"] as Object]
    }

    static var idempotencyKey: Object {
        ["name": "Idempotency-Key", "in": "header", "required": false, "schema": ["type": "string", "maxLength": 255] as Object,
         "description": "Retrying with the same key and body returns the first response; another body is a 422."]
    }

    static var ifMatch: Object {
        ["name": "If-Match", "in": "header", "required": true, "schema": ["type": "string"],
         "description": "The ETag of the version you read; a stale one is a 412."]
    }

    static var pageParameters: [Object] { [
        ["name": "limit", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 100, "default": 50] as Object],
        ["name": "cursor", "in": "query", "schema": ["type": "string"], "description": "next_cursor of the previous page"],
    ] }

    static var schemas: Object {
        let timestamp: Object = ["type": "string", "format": "date-time"]
        let nullableTimestamp: Object = ["type": ["string", "null"], "format": "date-time"]
        return [
            "Problem": [
                "type": "object", "required": ["type", "title", "status", "detail"],
                "properties": [
                    "type": ["type": "string", "format": "uri"], "title": ["type": "string"], "status": ["type": "integer"],
                    "detail": ["type": "string"], "request_id": ["type": "string"],
                    "errors": ["type": "array", "items": [
                        "type": "object", "required": ["field", "message"],
                        "properties": ["field": ["type": "string"], "message": ["type": "string"]],
                    ] as Object] as Object,
                ] as Object,
            ] as Object,
            "Tenant": [
                "type": "object", "required": ["id", "name", "timezone", "created_at", "updated_at", "version"],
                "properties": [
                    "id": ["type": "string", "format": "uuid"], "name": ["type": "string"],
                    "timezone": ["type": "string", "examples": ["Asia/Shanghai"]] as Object,
                    "created_at": timestamp, "updated_at": timestamp, "version": ["type": "integer"],
                ] as Object,
            ] as Object,
            "CreateTenant": [
                "type": "object", "required": ["name"], "additionalProperties": false,
                "properties": ["name": ["type": "string", "minLength": 1, "maxLength": 200] as Object,
                               "timezone": ["type": "string", "default": "Asia/Shanghai"]] as Object,
            ] as Object,
            "APIKey": [
                "type": "object", "required": ["id", "name", "role", "prefix", "created_at"],
                "properties": [
                    "id": ["type": "string", "format": "uuid"], "name": ["type": "string"],
                    "role": ["type": "string", "enum": ["admin", "dispatcher", "engineer", "integration", "readonly"]] as Object,
                    "prefix": ["type": "string", "description": "Shown to tell keys apart; not usable as a key"],
                    "created_at": timestamp, "last_used_at": nullableTimestamp, "revoked_at": nullableTimestamp,
                    "secret": ["type": "string", "description": "The key itself; only in the response that creates it"],
                ] as Object,
            ] as Object,
            "GeoPoint": [
                "type": "object", "required": ["latitude", "longitude"], "additionalProperties": false,
                "properties": ["latitude": ["type": "number", "minimum": -90, "maximum": 90] as Object,
                               "longitude": ["type": "number", "minimum": -180, "maximum": 180] as Object] as Object,
            ] as Object,
            "OpeningHours": [
                "type": "object", "description": "Intervals by weekday in the shop's zone; an absent day is closed.",
                "propertyNames": ["enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]],
                "additionalProperties": ["type": "array", "items": [
                    "type": "array", "minItems": 2, "maxItems": 2,
                    "items": ["type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"] as Object,
                ] as Object] as Object,
                "examples": [["mon": [["08:30", "18:00"]]]],
            ] as Object,
            "Shop": [
                "type": "object", "required": ["id", "name", "address", "timezone", "opening_hours", "created_at", "updated_at", "version"],
                "properties": [
                    "id": ["type": "string", "format": "uuid"], "name": ["type": "string"], "address": ["type": "string"],
                    "location": ref("GeoPoint"), "timezone": ["type": "string"], "phone": ["type": "string"],
                    "opening_hours": ref("OpeningHours"), "created_at": timestamp, "updated_at": timestamp,
                    "version": ["type": "integer"],
                ] as Object,
            ] as Object,
            "ShopInput": [
                "type": "object", "additionalProperties": false, "description": "name is required when creating",
                "properties": [
                    "name": ["type": "string", "minLength": 1, "maxLength": 200] as Object,
                    "address": ["type": "string", "maxLength": 500] as Object,
                    "location": ["oneOf": [ref("GeoPoint"), ["type": "null"]]] as Object,
                    "timezone": ["type": "string", "examples": ["Asia/Shanghai"]] as Object,
                    "phone": ["type": ["string", "null"], "maxLength": 32] as Object,
                    "opening_hours": ref("OpeningHours"),
                ] as Object,
            ] as Object,
            "CreateAPIKey": [
                "type": "object", "required": ["name", "role"], "additionalProperties": false,
                "properties": ["name": ["type": "string", "minLength": 1, "maxLength": 100] as Object,
                               "role": ["type": "string", "enum": ["admin", "dispatcher", "engineer", "integration", "readonly"]] as Object] as Object,
            ] as Object,
        ]
    }

    /// Every (method, path) the document describes, for the test that compares it with the router.
    static var operations: Set<String> {
        var found = Set<String>()
        for (path, value) in paths {
            guard let methods = value as? Object else { continue }
            for method in methods.keys { found.insert("\(method.uppercased()) \(path)") }
        }
        return found
    }
}

extension APIApplication {
    func openAPIResponse() -> HTTPResponse {
        HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), body: OpenAPIDocument.json)
    }

    /// The OpenAPI document as served at /v1/openapi.json.
    public static var openAPIJSON: [UInt8] { OpenAPIDocument.json }

    /// The operations the OpenAPI document describes, as `METHOD /path`.
    public static var documentedOperations: Set<String> { OpenAPIDocument.operations }
}
