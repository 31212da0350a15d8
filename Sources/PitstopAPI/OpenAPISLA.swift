import Foundation
import PitstopCore
import PitstopStore

/// The OpenAPI description of SLA calendars, policies and an order's clocks.
extension OpenAPIDocument {
    static var slaPaths: Object {
        [
            "/v1/sla-calendars": [
                "post": operation("createSLACalendar", "A business calendar: weekly hours in a time zone, holidays and make-up working days (admin)",
                                  tags: ["sla"], parameters: [idempotencyKey], body: ref("SLACalendarInput"),
                                  responses: ["201": ["description": "Created", "content": json(ref("SLACalendar"))]]),
                "get": operation("listSLACalendars", "Every calendar (admin, dispatcher)", tags: ["sla"],
                                 responses: ["200": ["description": "The calendars", "content": json(itemsOf("SLACalendar"))]]),
            ] as Object,
            "/v1/sla-calendars/{id}": [
                "get": operation("getSLACalendar", "A calendar, with its version as ETag", tags: ["sla"], parameters: [idParameter],
                                 responses: ["200": ["description": "The calendar", "content": json(ref("SLACalendar"))]]),
                "put": operation("replaceSLACalendar", "Replace a calendar (admin); running clocks follow at their order's next change",
                                 tags: ["sla"], parameters: [idParameter, ifMatch], body: ref("SLACalendarInput"),
                                 responses: ["200": ["description": "The calendar", "content": json(ref("SLACalendar"))]]),
                "delete": operation("deleteSLACalendar", "Remove a calendar no policy uses (admin)", tags: ["sla"], parameters: [idParameter],
                                    responses: ["204": ["description": "Removed"],
                                                "409": ["description": "A policy uses it", "content": problemContent]]),
            ] as Object,
            "/v1/sla-policies": [
                "post": operation("createSLAPolicy",
                                  "A policy: which orders (first match by position, else the one default) and what it promises (admin)",
                                  tags: ["sla"], parameters: [idempotencyKey], body: ref("SLAPolicyInput"),
                                  responses: ["201": ["description": "Created", "content": json(ref("SLAPolicy"))]]),
                "get": operation("listSLAPolicies", "Every policy in the order they are tried, the default last (admin, dispatcher)",
                                 tags: ["sla"], responses: ["200": ["description": "The policies", "content": json(itemsOf("SLAPolicy"))]]),
            ] as Object,
            "/v1/sla-policies/{id}": [
                "get": operation("getSLAPolicy", "A policy, with its version as ETag", tags: ["sla"], parameters: [idParameter],
                                 responses: ["200": ["description": "The policy", "content": json(ref("SLAPolicy"))]]),
                "put": operation("replaceSLAPolicy", "Replace a policy (admin); orders follow at their next change", tags: ["sla"],
                                 parameters: [idParameter, ifMatch], body: ref("SLAPolicyInput"),
                                 responses: ["200": ["description": "The policy", "content": json(ref("SLAPolicy"))]]),
                "delete": operation("deleteSLAPolicy", "Remove a policy no order's clock uses (admin)", tags: ["sla"], parameters: [idParameter],
                                    responses: ["204": ["description": "Removed"],
                                                "409": ["description": "Orders have clocks under it", "content": problemContent]]),
            ] as Object,
            "/v1/work-orders/{id}/sla": [
                "get": operation("workOrderSLA", "The order's SLA clocks and the pause ledger of its resolution clock", tags: ["work-orders"],
                                 parameters: [idParameter],
                                 responses: ["200": ["description": "Clocks and pauses", "content": json([
                                     "type": "object", "required": ["items", "pauses"],
                                     "properties": ["items": ["type": "array", "items": ref("SLAClock")] as Object,
                                                    "pauses": ["type": "array", "items": ref("SLAPause")] as Object] as Object,
                                 ])]]),
            ] as Object,
        ]
    }

    static var slaSchemas: Object {
        let uuid: Object = ["type": "string", "format": "uuid"]
        let nullableUUID: Object = ["type": ["string", "null"], "format": "uuid"]
        let timestamp: Object = ["type": "string", "format": "date-time"]
        let nullableTimestamp: Object = ["type": ["string", "null"], "format": "date-time"]
        let hours: Object = ["type": "array", "items": ref("WorkingHours")]
        let weekly: Object = ["type": "object", "additionalProperties": false,
                              "properties": Object(uniqueKeysWithValues: BusinessCalendar.weekdayNames.map { ($0, hours as Any) })]
        let date: Object = ["type": "array", "maxItems": 1000, "items": ["type": "string", "format": "date"] as Object]
        let goal: Object = ["type": "object", "required": ["minutes"], "additionalProperties": false,
                            "properties": ["minutes": ["type": "integer", "minimum": 1, "maximum": 525600] as Object,
                                           "business_time": ["type": "boolean", "default": true,
                                                             "description": "On the policy's calendar; false counts every minute"] as Object] as Object]
        let match: Object = ["type": "object", "additionalProperties": false,
                             "properties": ["priorities": ["type": "array", "minItems": 1, "items": prioritySchema] as Object,
                                            "type_id": uuid, "shop_id": uuid,
                                            "customer_tag": ["type": "string", "maxLength": 50] as Object] as Object]
        let statuses: Object = ["type": "array", "items": statusSchema]
        let policyFields: Object = [
            "name": ["type": "string", "minLength": 1, "maxLength": 100] as Object,
            "position": ["type": "integer", "minimum": 0, "maximum": 10000, "default": 100] as Object,
            "is_default": ["type": "boolean", "default": false] as Object,
            "match": match, "calendar_id": uuid, "first_response": goal, "arrival": goal, "resolution": goal,
            "warn_at": ["type": "array", "maxItems": 5, "items": ["type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1] as Object,
                        "default": [0.5, 0.75, 0.9]] as Object,
            "paused_statuses": statuses,
            "escalation": ["type": "array", "maxItems": 5, "items": ref("Escalation")] as Object,
        ]
        return [
            "WorkingHours": [
                "type": "object", "required": ["from", "to"], "additionalProperties": false,
                "properties": ["from": ["type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"] as Object,
                               "to": ["type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "description": "24:00 ends the day"] as Object] as Object,
            ] as Object,
            "SLACalendarInput": [
                "type": "object", "required": ["name", "timezone", "weekly"], "additionalProperties": false,
                "properties": ["name": ["type": "string", "minLength": 1, "maxLength": 100] as Object,
                               "timezone": ["type": "string", "examples": ["Asia/Shanghai"]] as Object, "weekly": weekly,
                               "holidays": date, "make_up_days": date,
                               "make_up_hours": ["type": "array", "items": ref("WorkingHours"),
                                                 "description": "Hours of a make-up working day; Monday's when left out"] as Object] as Object,
            ] as Object,
            "SLACalendar": [
                "type": "object", "required": ["id", "name", "timezone", "weekly", "holidays", "make_up_days", "created_at", "updated_at", "version"],
                "properties": ["id": uuid, "name": ["type": "string"], "timezone": ["type": "string"], "weekly": weekly, "holidays": date,
                               "make_up_days": date, "make_up_hours": ["type": ["array", "null"], "items": ref("WorkingHours")] as Object,
                               "created_at": timestamp, "updated_at": timestamp, "version": ["type": "integer"]] as Object,
            ] as Object,
            "SLAPolicyInput": [
                "type": "object", "required": ["name"], "additionalProperties": false, "properties": policyFields,
            ] as Object,
            "SLAPolicy": [
                "type": "object", "required": ["id", "name", "position", "is_default", "match", "warn_at", "paused_statuses", "created_at",
                                               "updated_at", "version"],
                "properties": policyFields.merging(["id": uuid, "calendar_id": nullableUUID, "created_at": timestamp, "updated_at": timestamp,
                                                    "version": ["type": "integer"]]) { _, new in new },
            ] as Object,
            "SLAClock": [
                "type": "object", "required": ["target", "policy_id", "state", "started_at", "warnings", "warnings_sent"],
                "properties": ["target": ["type": "string", "enum": SLARules.Target.allCases.map(\.rawValue)] as Object, "policy_id": uuid,
                               "state": ["type": "string", "enum": SLAClockRepository.Clock.State.allCases.map(\.rawValue)] as Object, "started_at": timestamp,
                               "due_at": nullableTimestamp, "original_due_at": nullableTimestamp,
                               "warnings": ["type": "array", "items": timestamp] as Object, "warnings_sent": ["type": "integer"],
                               "met_at": nullableTimestamp, "breached_at": nullableTimestamp,
                               "minutes_left": ["type": ["integer", "null"], "description": "Negative when overdue"] as Object] as Object,
            ] as Object,
            "SLAPause": [
                "type": "object", "required": ["started_at", "status"],
                "properties": ["started_at": timestamp, "ended_at": nullableTimestamp,
                               "status": ["type": "string", "description": "The status that stopped the clock, or extra_work while the customer decides on extra work"] as Object] as Object,
            ] as Object,
        ]
    }
}
