import Foundation
import HTTPServer
import PitstopCore
import PitstopStore

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
            "paths": allPaths,
            "components": [
                "securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer"] as Object],
                "schemas": union([schemas, intakeSchemas, dispatchSchemas, mediaSchemas, slaSchemas, notificationSchemas, customerMessageSchemas, extraWorkSchemas, eventSchemas,
                                  webhookSchemas, knowledgeSchemas, partSchemas, externalIDSchemas, reportSchemas, recordSchemas], of: "schema"),
                "responses": [
                    "Problem": ["description": "An error", "content": problemContent] as Object,
                ] as Object,
            ] as Object,
        ]
    }

    static var problemContent: Object { ["application/problem+json": ["schema": ref("Problem")]] }

    static func ref(_ name: String) -> Object { ["$ref": "#/components/schemas/\(name)"] }

    /// An amount in yuan, as `Money.errors` takes it.
    static func money(_ description: String) -> Object {
        ["type": "number", "minimum": 0, "maximum": Money.maximum, "multipleOf": 0.01, "description": description]
    }

    static func json(_ schema: Object) -> Object { ["application/json": ["schema": schema]] }

    static func operation(_ id: String, _ summary: String, tags: [String], public isPublic: Bool = false,
                          parameters: [Object] = [], body: Object? = nil, responses: [String: Object]) -> Object {
        var all = responses
        all["default"] = ["$ref": "#/components/responses/Problem"]
        var operation: Object = ["operationId": id, "summary": summary, "tags": tags, "responses": all]
        if isPublic { operation["security"] = [Object]() }
        if !parameters.isEmpty { operation["parameters"] = parameters }
        if let body {
            operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": body, "example": example(id)]]] as Object
        }
        return operation
    }

    /// The example body of an operation; every operation with a JSON, NDJSON or XML body has one.
    static func example(_ operationID: String) -> Any {
        guard let example = OpenAPIExample.bodies[operationID] else { preconditionFailure("the operation \(operationID) has a body but no example") }
        return example
    }

    static var allPaths: Object {
        union([paths, intakePaths, dispatchPaths, mediaPaths, slaPaths, notificationPaths, customerMessagePaths, extraWorkPaths, eventPaths, webhookPaths, knowledgePaths,
               partPaths, externalIDPaths, reportPaths], of: "path")
    }

    /// The parts of the document, which must not name a schema or path twice: a second "Report"
    /// once replaced the repair report silently with the report table.
    static func union(_ parts: [Object], of what: String) -> Object {
        parts.reduce(into: Object()) { whole, part in
            let twice = Set(whole.keys).intersection(part.keys)
            precondition(twice.isEmpty, "the OpenAPI document defines a \(what) twice: \(twice.sorted())")
            whole.merge(part) { first, _ in first }
        }
    }

    static var paths: Object {
        [
            "/dashboard": ["get": operation("dashboard", "A page showing the key's tenant's main report charts (the key is typed in)",
                                            tags: ["reports"], public: true,
                                            responses: ["200": ["description": "The page", "content": [
                                                "text/html": ["schema": ["type": "string"]] as Object] as Object]])],
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
            "/v1/tenant": [
                "get": operation("getTenant", "The caller's tenant, with its version as ETag", tags: ["tenants"],
                                 responses: ["200": ["description": "The tenant", "content": json(ref("Tenant"))]]),
                "patch": operation("updateTenant", "Change the tenant's name, zone or settings (admin)", tags: ["tenants"],
                                   parameters: [ifMatch], body: ref("TenantChanges"),
                                   responses: ["200": ["description": "The changed tenant", "content": json(ref("Tenant"))]]),
            ] as Object,
            "/v1/api-keys": [
                "post": operation("createAPIKey", "Create an API key (admin); the secret is returned once", tags: ["api-keys"],
                                  body: ref("CreateAPIKey"),
                                  responses: ["201": ["description": "Created, with its secret", "content": json(ref("APIKey"))]]),
                "get": operation("listAPIKeys", "List the tenant's API keys, newest first (admin)", tags: ["api-keys"],
                                 parameters: pageParameters,
                                 responses: ["200": ["description": "A page of keys", "content": json(pageOf("APIKey"))]]),
            ] as Object,
            "/v1/api-keys/{id}": [
                "get": operation("getAPIKey", "One API key, without its secret (admin)", tags: ["api-keys"], parameters: [idParameter],
                                 responses: ["200": ["description": "The key", "content": json(ref("APIKey"))]]),
                "delete": operation("revokeAPIKey", "Revoke an API key (admin); the tenant's last admin key is refused with 409", tags: ["api-keys"],
                                    parameters: [idParameter],
                                    responses: ["204": ["description": "Revoked"]]),
            ] as Object,
            "/v1/shops": [
                "post": operation("createShop", "Create a shop (admin)", tags: ["shops"], parameters: [idempotencyKey],
                                  body: ref("NewShop"),
                                  responses: ["201": ["description": "Created", "content": json(ref("Shop"))]]),
                "get": operation("listShops", "List shops, newest first", tags: ["shops"], parameters: pageParameters,
                                 responses: ["200": ["description": "A page of shops", "content": json(pageOf("Shop"))]]),
            ] as Object,
            "/v1/shops/{id}": [
                "get": operation("getShop", "A shop, with its version as ETag", tags: ["shops"], parameters: [idParameter],
                                 responses: ["200": ["description": "The shop", "content": json(ref("Shop"))]]),
                "patch": operation("updateShop", "Change some of a shop's fields (admin); null clears location or phone",
                                   tags: ["shops"], parameters: [idParameter, ifMatch], body: ref("ShopChanges"),
                                   responses: ["200": ["description": "The changed shop", "content": json(ref("Shop"))]]),
            ] as Object,
            "/v1/customers": [
                "post": operation("createCustomer", "Create a customer (admin, dispatcher, integration)", tags: ["customers"],
                                  parameters: [idempotencyKey], body: ref("NewCustomer"),
                                  responses: ["201": ["description": "Created", "content": json(ref("Customer"))]]),
                "get": operation("listCustomers", "List customers, newest first, optionally matching a phone, openid or CRM id (not an engineer key)",
                                 tags: ["customers"],
                                 parameters: pageParameters + [query("phone", "a phone number in any common form"),
                                                               query("wechat_openid", "the follower's openid"),
                                                               query("external_id", "the customer's id in your CRM")],
                                 responses: ["200": ["description": "A page of customers", "content": json(pageOf("Customer"))]]),
            ] as Object,
            "/v1/customers/{id}": [
                "get": operation("getCustomer", "A customer, with its version as ETag (an engineer key: the customers of its open orders only)", tags: ["customers"], parameters: [idParameter],
                                 responses: ["200": ["description": "The customer", "content": json(ref("Customer"))]]),
                "patch": operation("updateCustomer", "Change some of a customer's fields; null clears the optional ones",
                                   tags: ["customers"], parameters: [idParameter, ifMatch], body: ref("CustomerChanges"),
                                   responses: ["200": ["description": "The changed customer", "content": json(ref("Customer"))]]),
            ] as Object,
            "/v1/customers/{id}/export": [
                "get": operation("exportCustomer",
                                 "Everything held about the customer, for their own access request under PIPL (admin): the record, vehicles, and each order with its timeline (messages to them included), signer and rating",
                                 tags: ["customers"], parameters: [idParameter],
                                 responses: ["200": ["description": "The customer's data", "content": json(ref("CustomerExport"))]]),
            ] as Object,
            "/v1/customers/{id}/erase": [
                "post": operation("eraseCustomer",
                                  "Forget the customer at their request (admin): name, phones, WeChat ids, e-mail, CRM id, plates and VINs, and what they wrote, removed or replaced with *** everywhere (timelines, stored events, messages, delivery logs); orders, times and counts stay for the reports. Cannot be undone",
                                  tags: ["customers"], parameters: [idParameter],
                                  responses: ["200": ["description": "The emptied customer, erased_at set", "content": json(ref("Customer"))]]),
            ] as Object,
            "/v1/vehicles": [
                "post": operation("createVehicle", "Register a customer's vehicle (admin, dispatcher, integration)", tags: ["vehicles"],
                                  parameters: [idempotencyKey], body: ref("NewVehicle"),
                                  responses: ["201": ["description": "Created", "content": json(ref("Vehicle"))]]),
                "get": operation("listVehicles", "List vehicles, newest first, optionally by customer, VIN or plate (not an engineer key)", tags: ["vehicles"],
                                 parameters: pageParameters + [query("customer_id", "a customer id", uuidQuery), query("vin", "a VIN"),
                                                               query("plate", "a plate in any common form")],
                                 responses: ["200": ["description": "A page of vehicles", "content": json(pageOf("Vehicle"))]]),
            ] as Object,
            "/v1/vehicles/{id}/history": [
                "get": operation("vehicleHistory", "The vehicle's repair history: its work orders, newest first (not an engineer key)", tags: ["vehicles"],
                                 parameters: [idParameter] + pageParameters,
                                 responses: ["200": ["description": "A page of work orders", "content": json(pageOf("WorkOrder"))]]),
            ] as Object,
            "/v1/vehicles/{id}": [
                "get": operation("getVehicle", "A vehicle, with its version as ETag", tags: ["vehicles"], parameters: [idParameter],
                                 responses: ["200": ["description": "The vehicle", "content": json(ref("Vehicle"))]]),
                "patch": operation("updateVehicle", "Change some of a vehicle's fields; null clears the optional ones",
                                   tags: ["vehicles"], parameters: [idParameter, ifMatch], body: ref("VehicleChanges"),
                                   responses: ["200": ["description": "The changed vehicle", "content": json(ref("Vehicle"))]]),
            ] as Object,
            "/v1/engineers": [
                "post": operation("createEngineer", "Add an engineer with skills and shops (admin, dispatcher)", tags: ["engineers"],
                                  parameters: [idempotencyKey], body: ref("NewEngineer"),
                                  responses: ["201": ["description": "Created", "content": json(ref("Engineer"))]]),
                "get": operation("listEngineers", "List engineers, newest first (not an engineer key)", tags: ["engineers"], parameters: pageParameters,
                                 responses: ["200": ["description": "A page of engineers", "content": json(pageOf("Engineer"))]]),
            ] as Object,
            "/v1/engineers/{id}": [
                "get": operation("getEngineer", "An engineer, with its version as ETag (an engineer key: its own only)", tags: ["engineers"], parameters: [idParameter],
                                 responses: ["200": ["description": "The engineer", "content": json(ref("Engineer"))]]),
                "patch": operation("updateEngineer", "Change an engineer; skills and shop_ids, when sent, replace the whole set",
                                   tags: ["engineers"], parameters: [idParameter, ifMatch], body: ref("EngineerChanges"),
                                   responses: ["200": ["description": "The changed engineer", "content": json(ref("Engineer"))]]),
            ] as Object,
            "/v1/work-orders": [
                "post": operation("createWorkOrder", "Open a work order (admin, dispatcher, integration); custom fields are checked against the type's template",
                                  tags: ["work-orders"], parameters: [idempotencyKey], body: ref("NewWorkOrder"),
                                  responses: ["201": ["description": "Created", "content": json(ref("WorkOrder"))],
                                              "200": ["description": "Linked to the vehicle's open order instead (duplicate guard)",
                                                      "content": json(ref("WorkOrder"))]]),
                "get": operation("listWorkOrders", "List work orders, newest first, with filters (an engineer key: its own orders only)", tags: ["work-orders"],
                                 parameters: pageParameters + [
                                     query("status", "a status", enumQuery(WorkOrderStatus.allCases.map(\.rawValue))), query("priority", "P1 to P4", enumQuery(WorkOrder.Priority.allCases.map(\.rawValue))), query("channel", "the intake channel", enumQuery(WorkOrder.Channel.allCases.map(\.rawValue))),
                                     query("type_id", "a work-order type id", uuidQuery), query("shop_id", "a shop id", uuidQuery),
                                     query("assignee_id", "an engineer id", uuidQuery), query("customer_id", "a customer id", uuidQuery),
                                     query("vehicle_id", "a vehicle id", uuidQuery), query("created_after", "ISO-8601, inclusive", dateTimeQuery),
                                     query("created_before", "ISO-8601, exclusive", dateTimeQuery),
                                     query("q", "text in the description or a timeline note (Chinese included)", ["type": "string", "minLength": 1, "maxLength": 100]),
                                     query("updated_after", "ISO-8601, inclusive: what changed since a sync", dateTimeQuery),
                                     query("updated_before", "ISO-8601, exclusive", dateTimeQuery),
                                     query("sla", "breached: orders with an SLA clock past its due time and not met", enumQuery(["breached"])),
                                     query("breaching_within", "minutes (1 to 10080): orders with a running SLA clock due within them", ["type": "integer", "minimum": 1, "maximum": 10_080]),
                                     query("sort", "created (newest first, the default), priority (P1 first) or due (soonest first, undated last); ties newest first", enumQuery(["created", "priority", "due"])),
                                 ],
                                 responses: ["200": ["description": "A page of work orders", "content": json(pageOf("WorkOrder"))]]),
            ] as Object,
            "/v1/work-orders/{id}": [
                "get": operation("getWorkOrder", "A work order, with its version as ETag", tags: ["work-orders"], parameters: [idParameter],
                                 responses: ["200": ["description": "The work order", "content": json(ref("WorkOrder"))]]),
                "patch": operation("updateWorkOrder", "Change an order's details (admin, dispatcher, integration); status moves use /transitions",
                                   tags: ["work-orders"], parameters: [idParameter, ifMatch], body: ref("WorkOrderChanges"),
                                   responses: ["200": ["description": "The changed order", "content": json(ref("WorkOrder"))]]),
            ] as Object,
            "/v1/work-orders/{id}/transitions": [
                "post": operation("transitionWorkOrder",
                                  "Move an order along its lifecycle. Any key may ask; the step table decides: the desk (admin, dispatcher) "
                                      + "makes every step the state allows, the assigned engineer their own (accepted → diagnosing → "
                                      + "awaiting_parts / repairing → quality_check), an inspector the quality check. Only the desk assigns here",
                                  tags: ["work-orders"], parameters: [idParameter, ifMatch], body: ref("Transition"),
                                  responses: ["200": ["description": "The order after the change", "content": json(ref("WorkOrder"))],
                                              "403": ["description": "The step is not the caller's: names who may make it", "content": problemContent],
                                              "409": ["description": "The state does not allow the step: names the allowed next statuses",
                                                      "content": problemContent]]),
            ] as Object,
            "/v1/work-orders/{id}/timeline": [
                "get": operation("workOrderTimeline", "Every change of an order, oldest first", tags: ["work-orders"], parameters: [idParameter],
                                 responses: ["200": ["description": "The timeline", "content": json([
                                     "type": "object", "required": ["items"],
                                     "properties": ["items": ["type": "array", "items": ref("TimelineEntry")] as Object] as Object,
                                 ])]]),
            ] as Object,
            "/v1/work-order-types": [
                "post": operation("createWorkOrderType", "Create a work-order type and its custom fields (admin)", tags: ["work-order-types"],
                                  parameters: [idempotencyKey], body: ref("NewWorkOrderType"),
                                  responses: ["201": ["description": "Created", "content": json(ref("WorkOrderType"))]]),
                "get": operation("listWorkOrderTypes", "List work-order types, newest first", tags: ["work-order-types"],
                                 parameters: pageParameters,
                                 responses: ["200": ["description": "A page of types", "content": json(pageOf("WorkOrderType"))]]),
            ] as Object,
            "/v1/work-order-types/{id}": [
                "get": operation("getWorkOrderType", "A work-order type, with its version as ETag", tags: ["work-order-types"],
                                 parameters: [idParameter],
                                 responses: ["200": ["description": "The type", "content": json(ref("WorkOrderType"))]]),
                "patch": operation("updateWorkOrderType", "Change a type or its template (admin); existing orders keep their values",
                                   tags: ["work-order-types"], parameters: [idParameter, ifMatch], body: ref("WorkOrderTypeChanges"),
                                   responses: ["200": ["description": "The changed type", "content": json(ref("WorkOrderType"))]]),
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

    static var statusSchema: Object {
        ["type": "string", "enum": ["new", "assigned", "accepted", "diagnosing", "awaiting_parts", "repairing", "quality_check",
                                    "awaiting_acceptance", "completed", "cancelled", "reopened"]]
    }

    static var prioritySchema: Object { ["type": "string", "enum": ["P1", "P2", "P3", "P4"], "default": "P3"] }

    static var channelSchema: Object { ["type": "string", "enum": ["phone", "app", "wechat", "web", "qr", "api"]] }

    /// Skill code → level 1 to 5.
    static var skillsSchema: Object {
        ["type": "object", "propertyNames": ["pattern": "^[a-z][a-z0-9_]{0,63}$"],
         "additionalProperties": ["type": "integer", "minimum": 1, "maximum": 5] as Object,
         "examples": [["engine": 4, "bodywork": 2]]]
    }

    /// A query parameter and the values the server takes: a client that sends anything else gets
    /// a 400 naming it, so the schema says so too.
    static func query(_ name: String, _ description: String, _ schema: Object = ["type": "string"]) -> Object {
        ["name": name, "in": "query", "required": false, "schema": schema, "description": description]
    }

    static var uuidQuery: Object { ["type": "string", "format": "uuid"] }
    static var dateQuery: Object { ["type": "string", "format": "date"] }
    static var dateTimeQuery: Object { ["type": "string", "format": "date-time"] }
    static func enumQuery(_ values: [String]) -> Object { ["type": "string", "enum": values] }

    static var idempotencyKey: Object {
        ["name": "Idempotency-Key", "in": "header", "required": false, "schema": ["type": "string", "pattern": "^[!-~]{1,255}$"] as Object,
         "description": "Retrying with the same key and body returns the first response; another body is a 422."]
    }

    static var ifMatch: Object {
        ["name": "If-Match", "in": "header", "required": true, "schema": etagSchema,
         "description": "The ETag of the version you read; a stale one is a 412, a missing one a 428."]
    }

    /// An ETag as this API sends it: the record's version (1 to 2147483647) in quotes, weak or strong.
    static var etagSchema: Object { ["type": "string", "pattern": "^(W/)?\"[1-9][0-9]{0,8}\"$"] }

    /// A cursor is base64url text this API made; anything else is a 400.
    static var cursorSchema: Object { ["type": "string", "pattern": "^[A-Za-z0-9_=-]{1,128}$"] }

    static var pageParameters: [Object] { [
        ["name": "limit", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 100, "default": 50] as Object],
        ["name": "cursor", "in": "query", "schema": cursorSchema, "description": "next_cursor of the previous page"],
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
                    "duplicate_window_minutes": ["type": "integer"], "reopen_window_days": ["type": "integer"],
                    "order_link": ["type": "string", "description": "Link to an order in the chain's console, used in notifications"] as Object,
                    "trail_retention_days": ["type": "integer"], "wechat_message_retention_days": ["type": "integer"],
                    "notification_retention_days": ["type": "integer"], "media_retention_days": ["type": "integer"],
                ] as Object,
            ] as Object,
            "TenantChanges": [
                "type": "object", "additionalProperties": false, "minProperties": 1,
                "properties": [
                    "name": ["type": "string", "minLength": 1, "maxLength": 200] as Object,
                    "timezone": ["type": "string", "examples": ["Asia/Shanghai"]] as Object,
                    "duplicate_window_minutes": ["type": "integer", "minimum": 0, "maximum": 43200,
                                                 "description": "A report for a vehicle with an open order opened this recently joins it; 0 turns the guard off"] as Object,
                    "reopen_window_days": ["type": "integer", "minimum": 0, "maximum": 365,
                                           "description": "How long after completion an order may be reopened for rework"] as Object,
                    "order_link": ["type": ["string", "null"], "maxLength": 500, "examples": ["https://console.example.com/orders/{number}"],
                                   "description": "Where staff open an order in the chain's console; {id} and {number} stand for the order's. "
                                       + "Notifications carry it; null removes it"] as Object,
                    "trail_retention_days": ["type": "integer", "minimum": 1, "maximum": 3650, "default": 30,
                                             "description": "Days engineers' GPS trails on orders are kept"] as Object,
                    "wechat_message_retention_days": ["type": "integer", "minimum": 1, "maximum": 3650, "default": 180,
                                                      "description": "Days WeChat message rows (who wrote, when) are kept"] as Object,
                    "notification_retention_days": ["type": "integer", "minimum": 7, "maximum": 3650, "default": 90,
                                                    "description": "Days notifications no longer pending (and their attempts) are kept"] as Object,
                    "media_retention_days": ["type": "integer", "minimum": 30, "maximum": 3650, "default": 365,
                                             "description": "Days photos and videos of closed orders are kept, from the upload; then they answer 410"] as Object,
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
                    "role": ["type": "string", "enum": Role.allCases.map(\.rawValue)] as Object,
                    "engineer_id": ["type": "string", "format": "uuid", "description": "The engineer an engineer key acts as"] as Object,
                    "prefix": ["type": "string", "description": "Shown to tell keys apart; not usable as a key"],
                    "created_at": timestamp, "last_used_at": nullableTimestamp, "revoked_at": nullableTimestamp,
                    "secret": ["type": "string", "description": "The key itself; only in the response that creates it"],
                ] as Object,
            ] as Object,
            "GeoPoint": [
                "type": "object", "required": ["latitude", "longitude"], "additionalProperties": false,
                "description": "A position in GCJ-02, the datum AMap, Tencent Maps and WeChat use; every stored position is GCJ-02",
                "properties": ["latitude": ["type": "number", "minimum": -90, "maximum": 90] as Object,
                               "longitude": ["type": "number", "minimum": -180, "maximum": 180] as Object] as Object,
            ] as Object,
            "PositionInput": [
                "type": "object", "required": ["latitude", "longitude"], "additionalProperties": false,
                "description": "A position as sent; a wgs84 one (a phone's raw GPS) is converted to GCJ-02 inside mainland China before it is kept",
                "properties": ["latitude": ["type": "number", "minimum": -90, "maximum": 90] as Object,
                               "longitude": ["type": "number", "minimum": -180, "maximum": 180] as Object,
                               "datum": ["type": "string", "enum": CoordinateDatum.allCases.map(\.rawValue), "default": "gcj02"] as Object] as Object,
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
            "Customer": [
                "type": "object", "required": ["id", "name", "phones", "tags", "created_at", "updated_at", "version"],
                "properties": [
                    "id": ["type": "string", "format": "uuid"], "name": ["type": "string"],
                    "phones": ["type": "array", "items": ["type": "string"], "description": "11-digit mainland mobiles or +E.164"] as Object,
                    "wechat_openid": ["type": "string"], "wechat_unionid": ["type": "string"], "email": ["type": "string"],
                    "tags": ["type": "array", "items": ["type": "string"]] as Object, "external_id": ["type": "string"],
                    "sms_opted_out_at": ["type": "string", "format": "date-time", "description": "Since when the customer wants no SMS"] as Object,
                    "wechat_opted_out_at": ["type": "string", "format": "date-time",
                                            "description": "Since when the customer wants no WeChat messages (set when they unfollow)"] as Object,
                    "erased_at": ["type": "string", "format": "date-time", "description": "When the customer was forgotten at their request"] as Object,
                    "created_at": timestamp, "updated_at": timestamp, "version": ["type": "integer"],
                ] as Object,
            ] as Object,
            "Vehicle": [
                "type": "object", "required": ["id", "customer_id", "created_at", "updated_at", "version"],
                "properties": [
                    "id": ["type": "string", "format": "uuid"], "customer_id": ["type": "string", "format": "uuid"],
                    "vin": ["type": "string", "pattern": "^[0-9A-HJ-NPR-Z]{17}$"] as Object,
                    "plate": ["type": "string", "examples": ["粤B12345D"]] as Object,
                    "make": ["type": "string"], "model": ["type": "string"], "year": ["type": "integer"], "colour": ["type": "string"],
                    "mileage_km": ["type": "integer"], "mileage_read_on": ["type": "string", "format": "date"] as Object,
                    "external_id": ["type": "string"],
                    "sms_opted_out_at": ["type": "string", "format": "date-time", "description": "Since when the customer wants no SMS"] as Object,
                    "wechat_opted_out_at": ["type": "string", "format": "date-time",
                                            "description": "Since when the customer wants no WeChat messages (set when they unfollow)"] as Object,
                    "erased_at": ["type": "string", "format": "date-time", "description": "When the customer was forgotten at their request"] as Object,
                    "created_at": timestamp, "updated_at": timestamp, "version": ["type": "integer"],
                ] as Object,
            ] as Object,
            "Engineer": [
                "type": "object",
                "required": ["id", "name", "skills", "shop_ids", "certifications", "active", "status", "created_at", "updated_at", "version"],
                "properties": [
                    "id": ["type": "string", "format": "uuid"], "name": ["type": "string"], "phone": ["type": "string"],
                    "skills": skillsSchema,
                    "shop_ids": ["type": "array", "items": ["type": "string", "format": "uuid"] as Object] as Object,
                    "certifications": ["type": "array", "items": ["type": "string"]] as Object, "active": ["type": "boolean"],
                    "status": ["type": "string", "enum": Engineer.Status.allCases.map(\.rawValue)] as Object,
                    "location": ref("GeoPoint"), "located_at": timestamp, "external_id": ["type": "string"],
                    "sms_opted_out_at": ["type": "string", "format": "date-time", "description": "Since when the customer wants no SMS"] as Object,
                    "wechat_opted_out_at": ["type": "string", "format": "date-time",
                                            "description": "Since when the customer wants no WeChat messages (set when they unfollow)"] as Object,
                    "erased_at": ["type": "string", "format": "date-time", "description": "When the customer was forgotten at their request"] as Object,
                    "created_at": timestamp, "updated_at": timestamp, "version": ["type": "integer"],
                ] as Object,
            ] as Object,
            "WorkOrder": [
                "type": "object",
                "required": ["id", "number", "channel", "type_id", "priority", "status", "customer_id", "description", "symptoms",
                             "custom_fields", "created_at", "updated_at", "status_changed_at", "version"],
                "properties": [
                    "id": ["type": "string", "format": "uuid"], "number": ["type": "string", "examples": ["WO-20261125-0007"]] as Object,
                    "channel": channelSchema, "type_id": ["type": "string", "format": "uuid"], "priority": prioritySchema,
                    "status": statusSchema, "customer_id": ["type": "string", "format": "uuid"],
                    "vehicle_id": ["type": "string", "format": "uuid"], "shop_id": ["type": "string", "format": "uuid"],
                    "assignee_id": ["type": "string", "format": "uuid"], "description": ["type": "string"],
                    "symptoms": ["type": "array", "items": ["type": "string"]] as Object, "site": ref("Site"),
                    "custom_fields": ["type": "object"], "cancel_reason": ["type": "string"],
                    "created_at": timestamp, "updated_at": timestamp, "status_changed_at": timestamp,
                    "completed_at": timestamp, "cancelled_at": timestamp, "version": ["type": "integer"],
                    "due_at": ["type": ["string", "null"], "format": "date-time", "description": "When the order is due"] as Object,
                    "pooled_at": ["type": ["string", "null"], "format": "date-time", "description": "Since when it waits in the grab pool"] as Object,
                    "external_id": ["type": "string", "description": "The ticket's id in your CRM"] as Object,
                    "milestones": ["type": "object", "additionalProperties": timestamp,
                                   "description": "When the order first reached each status, by status",
                                   "examples": [["new": "2026-11-26T06:59:34.123Z", "assigned": "2026-11-26T07:02:10.481Z"]]] as Object,
                    "tracking_token": ["type": ["string", "null"],
                                       "description": "Give it to the customer: GET /v1/public/track/{token} shows the order's status"] as Object,
                ] as Object,
            ] as Object,
            "NewWorkOrder": [
                "type": "object", "required": ["type_id", "description"], "additionalProperties": false,
                "description": "Give customer_id or an inline customer (matched by external_id, wechat_openid, then phone, else created); vehicle_id or an inline vehicle (matched by VIN, then plate, else created).",
                "properties": [
                    "channel": ["type": "string", "enum": ["phone", "app", "api"], "default": "api"] as Object,
                    "type_id": ["type": "string", "format": "uuid"], "priority": prioritySchema,
                    "customer_id": ["type": "string", "format": "uuid"], "customer": ref("NewCustomer"),
                    "vehicle_id": ["type": "string", "format": "uuid"], "vehicle": ref("DescribedVehicle"),
                    "shop_id": ["type": "string", "format": "uuid"],
                    "description": ["type": "string", "minLength": 1, "maxLength": 5000] as Object,
                    "symptoms": ["type": "array", "maxItems": 20, "items": ["type": "string"]] as Object, "site": ref("Site"),
                    "custom_fields": ["type": "object", "description": "Values for the type's custom fields, by key"],
                    "due_at": ["type": "string", "format": "date-time", "description": "When the order is due (promised to the customer)"] as Object,
                    "insist": ["type": "boolean", "description": "Open a new order even if the vehicle has a recent open one; otherwise the report is linked to that order and the answer is 200 with it"] as Object,
                    "external_id": ["type": "string", "minLength": 1, "maxLength": 100,
                                    "description": "The ticket's id in your CRM, unique in the tenant; such an order is never linked to another"] as Object,
                    "dispatch": ["type": "boolean",
                                 "description": "Run the dispatch policy's mode (assign, offer or pool) on the new order. Default true, except for an order with external_id (a CRM ticket), which is dispatched only when this is true. Ignored when the report joins an open order or an upsert changes an existing one"] as Object,
                ] as Object,
            ] as Object,
            "WorkOrderChanges": [
                "type": "object", "additionalProperties": false, "minProperties": 1,
                "properties": [
                    "priority": prioritySchema, "shop_id": ["type": ["string", "null"], "format": "uuid"] as Object,
                    "description": ["type": "string", "minLength": 1, "maxLength": 5000] as Object,
                    "symptoms": ["type": "array", "maxItems": 20, "items": ["type": "string"]] as Object,
                    "site": ["oneOf": [ref("Site"), ["type": "null"]]] as Object,
                    "custom_fields": ["type": "object", "description": "Values merged into the stored ones; null removes one"],
                    "due_at": ["type": ["string", "null"], "format": "date-time", "description": "null clears it"] as Object,
                ] as Object,
            ] as Object,
            "Site": [
                "type": "object", "required": ["latitude", "longitude"],
                "properties": ["latitude": ["type": "number"], "longitude": ["type": "number"],
                               "address": ["type": "string", "maxLength": 500] as Object] as Object,
            ] as Object,
            "Transition": [
                "type": "object", "required": ["to"], "additionalProperties": false,
                "properties": ["to": statusSchema, "note": ["type": "string", "maxLength": 2000] as Object,
                               "reason": ["type": "string", "maxLength": 1000, "description": "Required to cancel"] as Object,
                               "assignee_id": ["type": "string", "format": "uuid", "description": "Required to assign; the engineer must pass the dispatch policy's hard rules (409 naming them) unless override is true"] as Object,
                               "override": ["type": "boolean", "default": false,
                                            "description": "With to: assigned, assign although the engineer fails a hard rule (not a deactivated one)"] as Object] as Object,
            ] as Object,
            "CustomerExport": [
                "type": "object", "required": ["customer", "vehicles", "work_orders", "exported_at"],
                "properties": [
                    "customer": ref("Customer"), "vehicles": ["type": "array", "items": ref("Vehicle")] as Object,
                    "work_orders": ["type": "array", "items": [
                        "type": "object", "required": ["work_order", "timeline", "extra_work"],
                        "properties": ["work_order": ref("WorkOrder"), "timeline": ["type": "array", "items": ref("TimelineEntry")] as Object,
                                       "extra_work": ["type": "array", "items": ref("CustomerExtraWork"),
                                                      "description": "The extra work put to the customer, with their answers"] as Object,
                                       "signed_by": ["type": "string"], "rating": ["type": "integer"], "rating_comment": ["type": "string"]] as Object,
                    ] as Object] as Object,
                    "exported_at": timestamp,
                ] as Object,
            ] as Object,
            "TimelineEntry": [
                "type": "object", "required": ["id", "occurred_at", "kind", "to_status"],
                "properties": ["id": ["type": "string", "format": "uuid"], "occurred_at": timestamp,
                               "actor_key_id": ["type": "string", "format": "uuid"],
                               "kind": ["type": "string", "enum": TimelineKind.allCases.map(\.rawValue)] as Object,
                               "from_status": statusSchema, "to_status": statusSchema, "note": ["type": "string"],
                               "delivery": [
                                   "type": "object", "description": "A message_to_customer entry's delivery, as it stands now",
                                   "required": ["channel_id", "moment", "state", "attempts"],
                                   "properties": [
                                       "channel_id": ["type": "string", "format": "uuid"], "moment": ["type": "string", "enum": CustomerMoment.allCases.map(\.rawValue)] as Object,
                                       "state": ["type": "string", "enum": NotificationRepository.Delivery.State.allCases.map(\.rawValue),
                                                 "description": "pending: queued, or held for quiet hours until next_attempt_at"] as Object,
                                       "attempts": ["type": "integer"], "next_attempt_at": timestamp, "delivered_at": timestamp,
                                       "last_error": ["type": "string"],
                                   ] as Object,
                               ] as Object] as Object,
            ] as Object,
            "CustomField": [
                "type": "object", "required": ["key", "label", "kind", "required"],
                "properties": [
                    "key": ["type": "string", "pattern": "^[a-z][a-z0-9_]{0,63}$"] as Object, "label": ["type": "string"],
                    "kind": ["type": "string", "enum": ["text", "number", "integer", "boolean", "date", "single_select", "multi_select", "photo"]] as Object,
                    "required": ["type": "boolean"], "min_length": ["type": "integer"], "max_length": ["type": "integer"],
                    "minimum": ["type": "number"], "maximum": ["type": "number"],
                    "options": ["type": "array", "items": ["type": "string"]] as Object,
                ] as Object,
            ] as Object,
            "WorkOrderTemplate": [
                "type": "object", "required": ["fields"],
                "properties": ["fields": ["type": "array", "maxItems": 100, "items": ref("CustomField")] as Object] as Object,
            ] as Object,
            "WorkOrderType": [
                "type": "object", "required": ["id", "code", "name", "template", "active", "created_at", "updated_at", "version"],
                "properties": [
                    "id": ["type": "string", "format": "uuid"], "code": ["type": "string"], "name": ["type": "string"],
                    "template": ref("WorkOrderTemplate"), "active": ["type": "boolean"],
                    "checklist": ["type": "array", "items": ["type": "string"], "description": "What its quality check goes through"] as Object,
                    "created_at": timestamp, "updated_at": timestamp, "version": ["type": "integer"],
                ] as Object,
            ] as Object,
            "CreateAPIKey": [
                "type": "object", "required": ["name", "role"], "additionalProperties": false,
                "properties": ["name": ["type": "string", "minLength": 1, "maxLength": 100] as Object,
                               "role": ["type": "string", "enum": Role.allCases.map(\.rawValue)] as Object,
                               "engineer_id": ["type": "string", "format": "uuid", "description": "Required for, and only for, engineer keys"] as Object] as Object,
            ] as Object,
        ]
    }

    /// Every (method, path) the document describes, for the test that compares it with the router.
    static var operations: Set<String> {
        var found = Set<String>()
        for (path, value) in allPaths {
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
