import Foundation
import PitstopStore

/// The OpenAPI description of webhook subscriptions and replays.
extension OpenAPIDocument {
    static var webhookPaths: Object {
        [
            "/v1/webhooks": [
                "post": operation("createWebhook",
                                  "Subscribe an endpoint to event types (admin, integration). Each event is POSTed as the Event schema, signed as "
                                      + "Standard Webhooks (webhook-id = the event id, webhook-timestamp, webhook-signature), at least once. Without a "
                                      + "secret one is made and shown once. URLs reaching loopback, private or link-local addresses are refused",
                                  tags: ["webhooks"], parameters: [idempotencyKey], body: ref("WebhookInput"),
                                  responses: ["201": ["description": "Created", "content": json(ref("Webhook"))],
                                              "503": ["description": "The server has no PITSTOP_SECRET_KEY to keep secrets with",
                                                      "content": problemContent]]),
                "get": operation("listWebhooks", "Every subscription (admin, integration)", tags: ["webhooks"],
                                 responses: ["200": ["description": "The subscriptions", "content": json(itemsOf("Webhook"))]]),
            ] as Object,
            "/v1/webhooks/{id}": [
                "get": operation("getWebhook", "A subscription, with its version as ETag", tags: ["webhooks"], parameters: [idParameter],
                                 responses: ["200": ["description": "The subscription", "content": json(ref("Webhook"))]]),
                "put": operation("replaceWebhook",
                                 "Replace a subscription; without a secret the stored one is kept. Saving it active switches it on again "
                                     + "and restarts its failure clock",
                                 tags: ["webhooks"], parameters: [idParameter, ifMatch], body: ref("WebhookInput"),
                                 responses: ["200": ["description": "The subscription", "content": json(ref("Webhook"))]]),
                "delete": operation("deleteWebhook", "Remove a subscription with no deliveries on record", tags: ["webhooks"],
                                    parameters: [idParameter],
                                    responses: ["204": ["description": "Removed"],
                                                "409": ["description": "It has deliveries; deactivate it instead", "content": problemContent]]),
            ] as Object,
            "/v1/webhooks/{id}/replay": [
                "post": operation("replayWebhook",
                                  "Send events again, with their ids: one event, or those in [from, to) of the types the subscription takes "
                                      + "(at most \(EventRepository.replayLimit))",
                                  tags: ["webhooks"], parameters: [idParameter], body: ref("WebhookReplay"),
                                  responses: ["202": ["description": "Queued", "content": json([
                                      "type": "object", "required": ["queued"], "properties": ["queued": ["type": "integer"]] as Object,
                                  ])],
                                              "404": ["description": "No such event of the subscription's types", "content": problemContent],
                                              "409": ["description": "The subscription is switched off", "content": problemContent]]),
            ] as Object,
        ]
    }

    static var webhookSchemas: Object {
        let timestamp: Object = ["type": "string", "format": "date-time"]
        let types: Object = ["type": "array", "minItems": 1, "maxItems": 64, "uniqueItems": true,
                             "items": ["anyOf": [ref("EventType"), ["const": "*", "description": "every type"] as Object]] as Object]
        return [
            "WebhookInput": [
                "type": "object", "required": ["url", "event_types"], "additionalProperties": false,
                "properties": ["name": ["type": "string", "minLength": 1, "maxLength": 100, "description": "Defaults to the URL's host"] as Object,
                               "url": ["type": "string", "format": "uri"] as Object, "event_types": types,
                               "secret": ["type": "string", "pattern": "^whsec_", "writeOnly": true] as Object,
                               "active": ["type": "boolean", "default": true] as Object] as Object,
            ] as Object,
            "Webhook": [
                "type": "object", "required": ["id", "name", "url", "event_types", "active", "created_at", "updated_at", "version"],
                "properties": ["id": ["type": "string", "format": "uuid"] as Object, "name": ["type": "string"], "url": ["type": "string"],
                               "event_types": types,
                               "secret": ["type": "string", "description": "Only in the answer that made it"] as Object,
                               "active": ["type": "boolean"],
                               "failing_since": ["type": "string", "format": "date-time",
                                                 "description": "Since when every attempt has failed; a day of it switches the subscription off"] as Object,
                               "disabled_reason": ["type": "string"], "created_at": timestamp, "updated_at": timestamp,
                               "version": ["type": "integer"]] as Object,
            ] as Object,
            "WebhookReplay": [
                "type": "object", "additionalProperties": false,
                "description": "event_id alone, or from and to together",
                "oneOf": [["required": ["event_id"], "not": ["anyOf": [["required": ["from"]], ["required": ["to"]]]]] as Object,
                          ["required": ["from", "to"], "not": ["required": ["event_id"]]] as Object],
                "properties": ["event_id": ["type": "string", "format": "uuid"] as Object, "from": timestamp, "to": timestamp] as Object,
            ] as Object,
        ]
    }
}
