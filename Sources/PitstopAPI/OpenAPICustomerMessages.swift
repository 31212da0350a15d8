import Foundation
import PitstopCore

/// The OpenAPI description of the tenant's rules for messages to customers.
extension OpenAPIDocument {
    static var customerMessagePaths: Object {
        [
            "/v1/customer-messages": [
                "get": operation("getCustomerMessagePolicy",
                                 "Which moments customers hear of, by which channels, and the quiet hours (admin, dispatcher); version 0 and no ETag before the first is set",
                                 tags: ["notifications"],
                                 responses: ["200": ["description": "The policy", "content": json(ref("CustomerMessagePolicy"))]]),
                "put": operation("setCustomerMessagePolicy",
                                 "Replace the policy (admin): the first needs no If-Match, later ones the version they replace",
                                 tags: ["notifications"],
                                 parameters: [["name": "If-Match", "in": "header", "required": false, "schema": etagSchema,
                                               "description": "The ETag of the policy replaced; leave it out for the first"] as Object],
                                 body: ref("CustomerMessagePolicyInput"),
                                 responses: ["200": ["description": "The policy", "content": json(ref("CustomerMessagePolicy"))]]),
            ] as Object,
        ]
    }

    static var customerMessageSchemas: Object {
        let route: Object = [
            "type": "object", "required": ["channel_id"], "additionalProperties": false,
            "properties": [
                "channel_id": ["type": "string", "format": "uuid", "description": "An aliyun_sms or http_sms channel of the tenant"] as Object,
                "template": ["type": ["string", "null"], "minLength": 1, "maxLength": 100,
                             "description": "Aliyun's TemplateCode for this moment; leave it out for the channel's own"] as Object,
                "variables": ["type": ["object", "null"], "propertyNames": ["pattern": "^[A-Za-z0-9_]{1,40}$"],
                              "additionalProperties": ["type": "string", "enum": CustomerNotice.variables] as Object,
                              "description": "The template's fields, each filled from one of Pitstop's variables; leave it out to send every variable under its own name"] as Object,
            ] as Object,
        ]
        let moments: Object = [
            "type": "object", "additionalProperties": false,
            "description": "For each moment, the routes tried in order: the first that reaches the customer (a phone, not opted out of SMS) is used",
            "properties": Object(uniqueKeysWithValues: CustomerMoment.allCases.map {
                ($0.rawValue, ["type": "array", "maxItems": 5, "items": route] as Object)
            }),
        ]
        let quietHours: Object = [
            "type": ["object", "null"], "required": ["start", "end"], "additionalProperties": false,
            "description": "A daily window in the tenant's zone (it may span midnight) in which nothing is sent; what falls due waits for its end",
            "properties": ["start": ["type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "examples": ["21:00"]] as Object,
                           "end": ["type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "examples": ["08:00"]] as Object] as Object,
        ]
        // A PUT leaves the window out for none: null is refused there, as in every body.
        var quietHoursInput = quietHours
        quietHoursInput["type"] = "object"
        return [
            "CustomerMessagePolicyInput": [
                "type": "object", "additionalProperties": false,
                "properties": ["moments": moments, "quiet_hours": quietHoursInput] as Object,
            ] as Object,
            "CustomerMessagePolicy": [
                "type": "object", "required": ["moments", "link_prefixes", "variables", "version"],
                "properties": [
                    "moments": moments, "quiet_hours": quietHours,
                    "link_prefixes": ["type": "object", "required": ["tracking", "signing"],
                                      "description": "The fixed text an SMS template puts before the link_secret variable (providers take no links in variables)",
                                      "properties": ["tracking": ["type": "string"], "signing": ["type": "string"]] as Object] as Object,
                    "variables": ["type": "array", "items": ["type": "string"]] as Object,
                    "version": ["type": "integer"], "updated_at": ["type": "string", "format": "date-time"] as Object,
                ] as Object,
            ] as Object,
        ]
    }
}
