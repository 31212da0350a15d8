import Foundation
import PitstopCore
import PitstopStore

/// The OpenAPI description of notification channels and the delivery log.
extension OpenAPIDocument {
    static var notificationPaths: Object {
        [
            "/v1/notification-channels/{id}/reply-url": [
                "post": operation("makeSMSReplyURL",
                                  "A new URL for an aliyun_sms or tencent_sms channel's provider to push customers' replies to (admin): set it in the "
                                  + "provider's console (Aliyun: 上行消息 HTTP 批量推送; Tencent: 短信回复回调). A new one ends the old. A reply of TD, T, R, N, "
                                  + "退订, 退, 取消 or 拒收 opts that number out of SMS",
                                  tags: ["notifications"], parameters: [idParameter],
                                  responses: ["201": ["description": "The URL, shown once", "content": json([
                                      "type": "object", "required": ["url"], "properties": ["url": ["type": "string"]] as Object,
                                  ])],
                                              "409": ["description": "Not an SMS channel with replies", "content": problemContent]]),
            ] as Object,
            "/v1/public/sms-replies/{token}": [
                "post": operation("receiveSMSReplies",
                                  "Customers' replies as the provider pushes them (no key; the URL is the secret): Aliyun SmsUp's JSON array of "
                                  + "{phone_number, content, …} or Tencent's {mobile, nationcode, text, …}; answered in the provider's own form",
                                  tags: ["public"], public: true, parameters: [tokenParameter], body: ["oneOf": [
                                      ["type": "array", "items": ["type": "object", "required": ["phone_number", "content"],
                                                                  "properties": ["phone_number": ["type": "string"], "content": ["type": "string"]] as Object] as Object] as Object,
                                      ["type": "object", "required": ["mobile", "nationcode", "text"],
                                       "properties": ["mobile": ["type": "string"], "nationcode": ["type": "string"], "text": ["type": "string"]] as Object] as Object,
                                  ]] as Object,
                                  responses: ["200": ["description": "Received: {\"code\":0,…} to Aliyun, {\"result\":0,…} to Tencent",
                                                      "content": json(["type": "object"])],
                                              "400": ["description": "Not the provider's shape", "content": problemContent],
                                              "404": ["description": "Unknown or replaced URL", "content": problemContent]]),
            ] as Object,
            "/v1/notification-channels": [
                "post": operation("createNotificationChannel",
                                  "A channel (admin): DingTalk or WeCom robot, Aliyun SMS, HTTP SMS gateway or webhook. The secret is write-only; "
                                      + "a webhook without one gets a whsec_ secret, shown once in the answer",
                                  tags: ["notifications"], parameters: [idempotencyKey], body: ref("NotificationChannelInput"),
                                  responses: ["201": ["description": "Created", "content": json(ref("NotificationChannel"))],
                                              "503": ["description": "The server has no PITSTOP_SECRET_KEY to keep secrets with",
                                                      "content": problemContent]]),
                "get": operation("listNotificationChannels", "Every channel (admin, dispatcher)", tags: ["notifications"],
                                 responses: ["200": ["description": "The channels", "content": json(itemsOf("NotificationChannel"))]]),
            ] as Object,
            "/v1/notification-channels/{id}": [
                "get": operation("getNotificationChannel", "A channel, with its version as ETag", tags: ["notifications"], parameters: [idParameter],
                                 responses: ["200": ["description": "The channel", "content": json(ref("NotificationChannel"))]]),
                "put": operation("replaceNotificationChannel", "Replace a channel (admin); without a secret the stored one is kept",
                                 tags: ["notifications"], parameters: [idParameter, ifMatch], body: ref("NotificationChannelInput"),
                                 responses: ["200": ["description": "The channel", "content": json(ref("NotificationChannel"))]]),
                "delete": operation("deleteNotificationChannel", "Remove a channel with no deliveries on record (admin)", tags: ["notifications"],
                                    parameters: [idParameter],
                                    responses: ["204": ["description": "Removed"],
                                                "409": ["description": "It has deliveries; deactivate it instead", "content": problemContent]]),
            ] as Object,
            "/v1/notification-deliveries": [
                "get": operation("listNotificationDeliveries", "The newest 100 deliveries (admin, dispatcher)", tags: ["notifications"],
                                 parameters: [query("state", "pending, delivered, dead or skipped (a warning whose clock breached or was met before it went out)",
                                                    enumQuery(NotificationRepository.Delivery.State.allCases.map(\.rawValue))), query("channel_id", "one channel's or subscription's", uuidQuery)],
                                 responses: ["200": ["description": "Deliveries", "content": json(itemsOf("NotificationDelivery"))]]),
            ] as Object,
            "/v1/notification-deliveries/{id}": [
                "get": operation("getNotificationDelivery", "A delivery with every attempt (status, latency, error)", tags: ["notifications"],
                                 parameters: [idParameter],
                                 responses: ["200": ["description": "The delivery", "content": json(ref("NotificationDelivery"))]]),
            ] as Object,
            "/v1/notification-deliveries/{id}/retry": [
                "post": operation("retryNotificationDelivery", "Send a dead or waiting delivery again now (admin, dispatcher)",
                                  tags: ["notifications"], parameters: [idParameter],
                                  responses: ["200": ["description": "Queued", "content": json(ref("NotificationDelivery"))],
                                              "409": ["description": "Delivered already", "content": problemContent]]),
            ] as Object,
        ]
    }

    static var notificationSchemas: Object {
        let uuid: Object = ["type": "string", "format": "uuid"]
        let timestamp: Object = ["type": "string", "format": "date-time"]
        let nullable: Object = ["type": ["string", "null"]]
        let settings: Object = ["type": "object", "additionalProperties": false,
                                "properties": ["access_key_id": ["type": "string"], "sign_name": ["type": "string"],
                                               "template_code": ["type": "string"],
                                               "mobiles": ["type": "array", "items": ["type": "string", "pattern": "^[0-9]{5,20}$"] as Object] as Object,
                                               "format": ["type": "string", "enum": NotificationChannel.MessageFormat.allCases.map(\.rawValue),
                                                          "default": "markdown", "description": "Robots only"] as Object,
                                               "app_key": ["type": "string", "minLength": 1, "maxLength": 100,
                                                           "description": "dingtalk_app: the app's AppKey; wecom_app: the CorpID; wechat_mp: the official account's AppID"] as Object,
                                               "agent_id": ["type": "integer", "minimum": 1, "description": "Apps only: the app's AgentId"] as Object,
                                               "sdk_app_id": ["type": "string", "pattern": "^[0-9]{5,20}$", "description": "tencent_sms only: the SdkAppId"] as Object,
                                               "region": ["type": "string", "pattern": "^[A-Za-z0-9-]{1,40}$", "default": "ap-guangzhou",
                                                          "description": "tencent_sms only: the API region"] as Object]
                                    as Object]
        let kind: Object = ["type": "string", "enum": NotificationChannel.Kind.allCases.map(\.rawValue)]
        return [
            "NotificationChannelInput": [
                "type": "object", "required": ["name", "kind", "url"], "additionalProperties": false,
                "properties": ["name": ["type": "string", "minLength": 1, "maxLength": 100] as Object, "kind": kind,
                               "url": ["type": "string", "description": "Robot webhook with its token or key, SMS endpoint, or your URL"] as Object,
                               "secret": ["type": "string", "maxLength": 500, "writeOnly": true] as Object, "settings": settings,
                               "active": ["type": "boolean", "default": true] as Object,
                               "alerts": ["type": "boolean", "default": false,
                                          "description": "Also hears operational alerts: a webhook subscription switched off"] as Object] as Object,
            ] as Object,
            "NotificationChannel": [
                "type": "object", "required": ["id", "name", "kind", "url", "has_secret", "settings", "active", "alerts", "created_at", "updated_at",
                                               "version"],
                "properties": ["id": uuid, "name": ["type": "string"], "kind": kind, "url": ["type": "string"], "has_secret": ["type": "boolean"],
                               "secret": ["type": "string", "description": "Only when the server made a webhook's secret"] as Object,
                               "settings": settings, "active": ["type": "boolean"], "alerts": ["type": "boolean"],
                               "failing_since": ["type": "string", "format": "date-time", "description": "Since when every attempt has failed"] as Object,
                               "created_at": timestamp, "updated_at": timestamp, "version": ["type": "integer"]] as Object,
            ] as Object,
            "NotificationDelivery": [
                "type": "object", "required": ["id", "event_id", "channel_id", "topic", "title", "state", "attempts", "next_attempt_at", "created_at"],
                "properties": ["id": uuid, "event_id": ["type": "string", "format": "uuid", "description": "Sent as webhook-id; de-duplicate on it"] as Object,
                               "channel_id": uuid, "topic": ["type": "string"], "title": ["type": "string"],
                               "state": ["type": "string", "enum": NotificationRepository.Delivery.State.allCases.map(\.rawValue)] as Object,
                               "attempts": ["type": "integer", "description": "Tries counted against the limit of eight"] as Object, "next_attempt_at": timestamp, "last_error": nullable, "created_at": timestamp,
                               "delivered_at": ["type": ["string", "null"], "format": "date-time"] as Object,
                               "log": ["type": "array", "items": [
                                   "type": "object", "required": ["attempt", "started_at", "latency_ms"],
                                   "properties": ["attempt": ["type": "integer"], "started_at": timestamp,
                                                  "status_code": ["type": ["integer", "null"]] as Object, "latency_ms": ["type": "integer"],
                                                  "error": nullable,
                                                  "outcome": ["type": ["string", "null"],
                                                              "enum": ["delivered", "failed", "throttled", "rejected", "abandoned", NSNull()],
                                                              "description": "throttled and abandoned tries do not count against the attempts"] as Object] as Object,
                               ] as Object] as Object] as Object,
            ] as Object,
            "Escalation": [
                "type": "object", "required": ["on", "channels"], "additionalProperties": false,
                "properties": ["on": ["type": "string", "enum": SLARules.Escalation.Trigger.allCases.map(\.rawValue)] as Object,
                               "channels": ["type": "array", "minItems": 1, "maxItems": 5, "items": uuid] as Object,
                               "mention_assignee": ["type": "boolean", "default": false,
                                                    "description": "@-mention (robots) or text (SMS) the order's engineer"] as Object,
                               "after_minutes": ["type": "integer", "minimum": 0, "maximum": 10080, "default": 0,
                                                 "description": "Breach levels: minutes after the due time; none is sent once the target is met"]
                                   as Object] as Object,
            ] as Object,
        ]
    }
}
