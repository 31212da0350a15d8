import Foundation
import PitstopCore

/// The OpenAPI description of the changes feed and of the event catalogue it shares with webhooks.
extension OpenAPIDocument {
    static var eventPaths: Object {
        [
            "/v1/events": [
                "get": operation("listEvents",
                                 "Every event of the tenant, oldest first, in an order that never changes (admin, dispatcher, integration, "
                                     + "readonly). Poll with the previous answer's next_cursor as `after`; an empty page returns the same cursor. "
                                     + "An event appears once every transaction that began before its own has ended",
                                 tags: ["events"],
                                 parameters: [
                                     query("after", "next_cursor of the previous answer; from the first event without it", cursorSchema),
                                     ["name": "limit", "in": "query",
                                      "schema": ["type": "integer", "minimum": 1, "maximum": FeedQuery.maximumLimit, "default": 100] as Object],
                                     query("type", "comma-separated event types to keep (see the Event schema)"),
                                 ],
                                 responses: ["200": ["description": "Events", "content": json([
                                     "type": "object", "required": ["items"],
                                     "properties": ["items": ["type": "array", "items": ref("Event")] as Object,
                                                    "next_cursor": ["type": "string"]] as Object,
                                 ])]]),
            ] as Object,
        ]
    }

    static var eventSchemas: Object {
        let catalogue = EventType.allCases.map { "- `\($0.rawValue)`: \($0.summary)" }.joined(separator: "\n")
        return [
            "EventType": [
                "type": "string", "enum": EventType.allCases.map(\.rawValue),
                "description": "The catalogue of events. Receivers should ignore types they do not know: new ones are added.\n\n" + catalogue,
            ] as Object,
            "Event": [
                "type": "object", "required": ["id", "type", "timestamp", "data"],
                "properties": [
                    "id": ["type": "string", "format": "uuid", "description": "Stable across retries and replays: de-duplicate on it"] as Object,
                    "type": ref("EventType"),
                    "timestamp": ["type": "string", "format": "date-time"],
                    "data": ["type": "object", "description": "What happened: work_order_id and number, and per type from/to, target …"] as Object,
                ] as Object,
            ] as Object,
        ]
    }
}
