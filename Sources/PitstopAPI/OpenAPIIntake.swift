import Foundation

/// The OpenAPI description of intake links and the public routes (no key).
extension OpenAPIDocument {
    static var tokenParameter: Object {
        // Tokens are base32 text with a prefix; an unknown one is a 404, like a revoked one.
        ["name": "token", "in": "path", "required": true, "schema": ["type": "string", "pattern": "^[A-Za-z0-9_-]{1,200}$"] as Object]
    }

    static var intakePaths: Object {
        [
            "/v1/intake-links": [
                "post": operation("createIntakeLink", "Create a web-form or QR-code intake link (admin); the answer has the URL to print",
                                  tags: ["intake"], parameters: [idempotencyKey], body: ref("NewIntakeLink"),
                                  responses: ["201": ["description": "Created, with its token and URL, shown this once",
                                                     "content": json(["allOf": [ref("IntakeLink"), ["required": ["token", "url"]]]] as Object)]]),
                "get": operation("listIntakeLinks", "List intake links, newest first (admin, dispatcher)", tags: ["intake"],
                                 parameters: pageParameters,
                                 responses: ["200": ["description": "A page of links", "content": json(pageOf("IntakeLink"))]]),
            ] as Object,
            "/v1/intake-links/{id}": [
                "get": operation("getIntakeLink", "An intake link, without its secret URL (admin, dispatcher)", tags: ["intake"], parameters: [idParameter],
                                 responses: ["200": ["description": "The link", "content": json(ref("IntakeLink"))]]),
                "delete": operation("revokeIntakeLink", "Revoke a link (admin): it takes no more reports", tags: ["intake"],
                                    parameters: [idParameter], responses: ["204": ["description": "Revoked"]]),
            ] as Object,
            "/v1/public/intake/{token}": [
                "get": pageLimited(operation("describeIntakeLink", "What a form for this link shows: tenant, shop and the job's custom fields (no key)",
                                 tags: ["public"], public: true, parameters: [tokenParameter],
                                 responses: ["200": ["description": "The form's description; a browser (Accept: text/html) gets the form page itself",
                                                     "content": json(ref("IntakeForm")).merging(htmlContent) { first, _ in first }]])),
                "post": withForm(operation("submitPublicReport",
                                           "Report a problem through a link (no key; rate-limited per link and per address; at most 16 KiB); "
                                           + "the report page posts the same as a form, its request_key standing for the Idempotency-Key",
                                           tags: ["public"], public: true, parameters: [tokenParameter, idempotencyKey], body: ref("PublicReport"),
                                           responses: ["201": ["description": "An order was opened", "content": json(ref("PublicReceipt"))],
                                                       "200": ["description": "Added to the reporter's open order for this vehicle",
                                                               "content": json(ref("PublicReceipt"))],
                                                       "303": ["description": "From the page's form: reported, on to the order's tracking page"],
                                                       "404": ["description": "An unknown, forged or revoked link (the form: the one unknown-link page)",
                                                               "content": problemOrPage],
                                                       "409": ["description": "The link's job type is retired: call the shop (the form: the page saying so, without the form)",
                                                               "content": problemOrPage],
                                                       "413": ["description": "More than 16 KiB (the form: the page again, saying so)",
                                                               "content": problemOrPage],
                                                       "415": ["description": "Neither JSON nor a form", "content": problemContent],
                                                       "422": ["description": "A field the rules refuse (the form: the page, each problem beside its field, in Chinese)",
                                                               "content": problemOrPage],
                                                       "429": ["description": "Too many reports; see Retry-After (the form: the page again, saying so)",
                                                               "content": problemOrPage]]),
                                 schema: reportForm, example: "request_key=6f1c2e0a-report&name=%E6%9D%8E%E5%A5%B3%E5%A3%AB&phone=13900139000"
                                     + "&description=%E5%BC%82%E5%93%8D&f.mileage=52000"),
            ] as Object,
            "/v1/wechat-accounts": [
                "post": operation("connectWeChatAccount", "Connect an official account (admin); the answer has the server URL for the WeChat console",
                                  tags: ["wechat"], parameters: [idempotencyKey], body: ref("NewWeChatAccount"),
                                  responses: ["201": ["description": "Connected", "content": json(ref("WeChatAccount"))],
                                              "503": ["description": "The server has no PITSTOP_SECRET_KEY to keep the Token sealed with",
                                                      "content": problemContent]]),
                "get": operation("listWeChatAccounts", "List connected accounts, newest first (admin)", tags: ["wechat"],
                                 parameters: pageParameters,
                                 responses: ["200": ["description": "A page of accounts", "content": json(pageOf("WeChatAccount"))]]),
            ] as Object,
            "/v1/wechat-accounts/{id}": [
                "get": operation("getWeChatAccount", "A connected account (admin), with its version as ETag", tags: ["wechat"], parameters: [idParameter],
                                 responses: ["200": ["description": "The account", "content": json(ref("WeChatAccount"))]]),
                "patch": operation("updateWeChatAccount",
                                   "Change a connected account in place (admin, If-Match): name, Token, job type, shop, or safe mode (AppID and "
                                   + "EncodingAESKey; null clears). The server URL stays; a new Token ends calls signed with the old",
                                   tags: ["wechat"], parameters: [idParameter, ifMatch], body: ref("WeChatAccountChanges"),
                                   responses: ["200": ["description": "The account", "content": json(ref("WeChatAccount"))],
                                               "404": ["description": "Unknown or disconnected", "content": problemContent]]),
                "delete": operation("disconnectWeChatAccount", "Disconnect an account (admin): its server URL answers 404", tags: ["wechat"],
                                    parameters: [idParameter], responses: ["204": ["description": "Disconnected"]]),
            ] as Object,
            "/v1/public/wechat/{token}": [
                "get": operation("weChatHandshake", "WeChat's server-URL check: echoes echostr when the signature is right",
                                 tags: ["wechat"], public: true, parameters: [tokenParameter] + weChatSignatureParameters
                                     + [["name": "echostr", "in": "query", "required": true, "schema": ["type": "string", "pattern": "^[!-~]{1,256}$"]] as Object],
                                 responses: ["200": ["description": "echostr", "content": ["text/plain": ["schema": ["type": "string"]]]] as Object,
                                             "401": ["description": "Wrong signature, or a timestamp more than 300 s from the server's clock (a replay)", "content": problemContent],
                                             "503": ["description": "This server cannot open the account's sealed Token (no PITSTOP_SECRET_KEY, or another one)", "content": problemContent]]),
                "post": weChatMessageOperation,
            ] as Object,
            "/v1/work-orders/{id}/tracking-link": [
                "post": operation("createTrackingLink",
                                  "Another tracking link for the customer (admin, dispatcher, integration): only links' hashes are kept, so one "
                                  + "lost is replaced, and earlier ones keep working",
                                  tags: ["work-orders"], parameters: [idParameter],
                                  responses: ["201": ["description": "The link, shown once", "content": json([
                                      "type": "object", "required": ["token", "url"],
                                      "properties": ["token": ["type": "string"], "url": ["type": "string"]] as Object,
                                  ])]]),
            ] as Object,
            "/v1/work-orders/{id}/acceptance-link": [
                "post": operation("createAcceptanceLink",
                                  "A link (valid a week) to send the customer to sign the report (admin, dispatcher, the assigned engineer)",
                                  tags: ["work-orders"], parameters: [idParameter],
                                  responses: ["201": ["description": "The link", "content": json([
                                      "type": "object", "required": ["token", "url", "expires_at"],
                                      "properties": ["token": ["type": "string"], "url": ["type": "string"],
                                                     "expires_at": ["type": "string", "format": "date-time"] as Object] as Object,
                                  ])],
                                              "409": ["description": "The order is not awaiting acceptance", "content": problemContent]]),
            ] as Object,
            "/v1/public/accept/{token}": [
                "get": pageLimited(operation("signingPage", "The order and the current report for the customer to sign (no key); a browser (Accept: text/html) gets the signing page", tags: ["public"],
                                 public: true, parameters: [tokenParameter],
                                 responses: ["200": ["description": "What to sign", "content": json([
                                     "type": "object", "required": ["number", "status", "status_label", "can_sign"],
                                     "properties": ["number": ["type": "string"], "status": statusSchema, "status_label": ["type": "string"],
                                                    "can_sign": ["type": "boolean"], "report": [
                                                        "type": "object", "description": "The current report as the customer reads it; no internal ids",
                                                        "required": ["version", "diagnosis", "work_performed", "labour", "parts", "before_photos",
                                                                     "after_photos", "created_at", "sha256"],
                                                        "properties": ["version": ["type": "integer"], "diagnosis": ["type": "string"],
                                                                       "work_performed": ["type": "string"],
                                                                       "labour": ["type": "array", "items": ["type": "object"]] as Object,
                                                                       "parts": ["type": "array", "items": ["type": "object"]] as Object,
                                                                       "mileage_km": ["type": ["integer", "null"]] as Object,
                                                                       "before_photos": ["type": "array", "items": ["type": "string"], "description": "SHA-256 of each photo"] as Object,
                                                                       "after_photos": ["type": "array", "items": ["type": "string"]] as Object,
                                                                       "created_at": ["type": "string", "format": "date-time"] as Object,
                                                                       "sha256": ["type": "string", "description": "What a signature on this version is bound to (the acceptance's report_sha256)"] as Object,
                                                                      ] as Object] as Object] as Object,
                                 ]).merging(htmlContent) { first, _ in first }]])),
                "post": pageLimited(withForm(operation("signThroughLink",
                                           "The customer signs the current report version (no key); the order is completed. The signing page posts "
                                           + "a form instead: the drawn PNG in `signature` (base64), or none without script (the typed name "
                                           + "becomes the signature), `agree`, and the version and hash it showed",
                                           tags: ["public"], public: true, parameters: [tokenParameter], body: ref("SignatureInput"),
                                           responses: ["200": ["description": "The acceptance", "content": json(ref("Acceptance"))],
                                                       "303": ["description": "From the page's form: signed, back to the page, which offers the rating"],
                                                       "409": ["description": "Not awaiting acceptance, or the report changed (the form: the page with a notice)",
                                                               "content": problemOrPage],
                                                       "415": ["description": "Neither JSON nor a form", "content": problemContent],
                                                       "422": ["description": "A missing name or a bad image (the form: the page, each problem beside its field)",
                                                               "content": problemOrPage]]),
                                 schema: ["type": "object", "required": ["signer_name", "report_version", "report_sha256", "agree"],
                                          "properties": ["signer_name": ["type": "string", "maxLength": 100] as Object, "report_version": ["type": "string"],
                                                         "report_sha256": ["type": "string"], "signature": ["type": "string"],
                                                         "agree": ["type": "string", "enum": ["yes"]] as Object] as Object],
                                 example: "report_version=1&report_sha256=\(String(repeating: "0", count: 64))&signer_name=%E6%9D%8E%E6%98%8E&agree=yes")),
            ] as Object,
            "/v1/public/accept/{token}/rating": [
                "post": pageLimited(ratingOperation(id: "rateThroughSigningLink", page: "signing")),
            ] as Object,
            "/v1/public/photos/{token}": [
                "get": operation("reportPhoto", "A report photo through the short-lived link (30 minutes) the signing page made for it (no key)",
                                 tags: ["public"], public: true,
                                 parameters: [["name": "token", "in": "path", "required": true,
                                               "schema": ["type": "string", "pattern": "^pph_[0-9A-Za-z_-]{1,200}$"]] as Object],
                                 responses: ["200": ["description": "The photo", "content": ["image/jpeg": ["schema": ["type": "string"]] as Object,
                                                                                              "image/png": ["schema": ["type": "string"]] as Object] as Object],
                                             "404": ["description": "Unknown, forged or expired link", "content": problemContent]]),
            ] as Object,
            "/v1/public/track/{token}/rating": [
                "post": pageLimited(ratingOperation(id: "rateWorkOrder", page: "tracking")),
            ] as Object,
            "/v1/public/track/{token}": [
                "get": pageLimited(operation("trackWorkOrder", "An order's status for the customer following it (no key)", tags: ["public"],
                                 public: true, parameters: [tokenParameter],
                                 responses: ["200": ["description": "Where the order stands; a browser (Accept: text/html) gets a page showing it",
                                                     "content": json(ref("Tracking")).merging(htmlContent) { first, _ in first }]])),
            ] as Object,
        ]
    }

    static var weChatSignatureParameters: [Object] {
        // As WeChat sends them: a hex SHA-1, Unix seconds and a number.
        [("signature", "^[0-9a-f]{40}$"), ("timestamp", "^[0-9]{1,12}$"), ("nonce", "^[0-9A-Za-z]{1,64}$")].map { name, pattern in
            ["name": name, "in": "query", "required": true, "schema": ["type": "string", "pattern": pattern]] as Object
        }
    }

    /// A follower's message in WeChat's XML, answered with a passive reply in the same form.
    static var weChatMessageOperation: Object {
        var operation = operation("weChatMessage",
                                  "A follower's message (WeChat XML; in safe or compatible mode `Encrypt`, checked against msg_signature and "
                                  + "decrypted with the EncodingAESKey, the reply encrypted the same way): a text opens an order or joins the "
                                  + "follower's open one; a retried MsgId changes nothing",
                                  tags: ["wechat"], public: true, parameters: [tokenParameter] + weChatSignatureParameters + [
                                      ["name": "encrypt_type", "in": "query", "schema": ["type": "string", "enum": ["aes"]],
                                       "description": "Sent in safe and compatible mode; the account needs its EncodingAESKey"] as Object,
                                      ["name": "msg_signature", "in": "query", "schema": ["type": "string", "pattern": "^[0-9A-Fa-f]{40}$"],
                                       "description": "Required with encrypt_type: SHA-1 of the Token, timestamp, nonce and Encrypt"] as Object,
                                  ],
                                  responses: ["200": ["description": "A passive text reply, or success for none",
                                                      "content": ["application/xml": ["schema": ["type": "string"]],
                                                                  "text/plain": ["schema": ["type": "string"]]] as Object] as Object,
                                              "400": ["description": "Not WeChat's XML, not for this account, or Encrypt that does not decrypt for its AppID", "content": problemContent],
                                              "401": ["description": "Wrong signature or msg_signature, or a timestamp more than 300 s from the server's clock (a replay)", "content": problemContent],
                                             "503": ["description": "This server cannot open the account's sealed Token or EncodingAESKey (no PITSTOP_SECRET_KEY, or another one)", "content": problemContent]])
        operation["requestBody"] = ["required": true, "content": ["application/xml": ["schema": ["type": "string"], "example": example("weChatMessage")] as Object]] as Object
        return operation
    }

    /// The rating, as JSON from an app or as the tracking page's plain form.
    static func ratingOperation(id: String, page: String) -> Object {
        let rating: Object = ["type": "object", "required": ["score"], "additionalProperties": false,
                              "properties": ["score": ["type": "integer", "minimum": 1, "maximum": 5] as Object,
                                             "comment": ["type": "string", "maxLength": 1000] as Object] as Object]
        // What the page's form posts: 5 stars and "师傅很专业".
        return withForm(operation(id, "The customer rates a completed job once, 1 to 5 with a comment (no key); the \(page) page posts the same as a form",
                                  tags: ["public"], public: true, parameters: [tokenParameter], body: rating,
                                  responses: ["204": ["description": "Thank you"],
                                              "303": ["description": "From the page's form: rated, back to the \(page) page"],
                                              "409": ["description": "Not completed yet, or rated already (the form: the page again)", "content": problemContent],
                                              "415": ["description": "Neither JSON nor a form", "content": problemContent],
                                              "422": ["description": "A score outside 1 to 5 or a comment too long (the form: the page, each problem beside its field)",
                                                      "content": problemOrPage]]),
                        schema: rating, example: "score=5&comment=%E5%B8%88%E5%82%85%E5%BE%88%E4%B8%93%E4%B8%9A")
    }

    /// `operation` also taking what a page's plain form posts; a form to a bad link gets the one
    /// unknown-link page.
    static func withForm(_ operation: Object, schema: Object, example: String) -> Object {
        var operation = operation
        var body = operation["requestBody"] as? Object ?? [:]
        var content = body["content"] as? Object ?? [:]
        content["application/x-www-form-urlencoded"] = ["schema": schema, "example": example] as Object
        body["content"] = content
        operation["requestBody"] = body
        var responses = operation["responses"] as? Object ?? [:]
        if responses["404"] == nil {
            responses["404"] = ["description": "An unknown, forged or expired link (the form: the one unknown-link page)",
                                "content": problemOrPage] as Object
        }
        operation["responses"] = responses
        return operation
    }

    /// The report page's form: the report's own fields, and each custom field as `f.<key>`
    /// (a number as typed, a ticked box `true`, a multi-select's options repeated).
    static var reportForm: Object {
        let text: Object = ["type": "string"]
        return ["type": "object", "required": ["name", "phone", "description"],
                "properties": ["request_key": ["type": "string", "maxLength": 200, "description": "The page's own key: a second tap joins the first report"] as Object,
                               "name": text, "phone": text, "plate": text, "description": text] as Object,
                "patternProperties": ["^f\\.[a-z][a-z0-9_]*$": ["oneOf": [text, ["type": "array", "items": text] as Object]] as Object] as Object,
                "additionalProperties": false]
    }

    /// `operation` of a customer's page, answering a burst from one address with 429: a browser
    /// or the page's form gets a page saying how long to wait, an app the problem.
    static func pageLimited(_ operation: Object) -> Object {
        var operation = operation
        var responses = operation["responses"] as? Object ?? [:]
        responses["429"] = ["description": "Too many requests from this address (PITSTOP_PUBLIC_PER_ADDRESS_PER_MINUTE, default 60 at once, then one a second); see Retry-After. "
                                + "A browser or the page's form gets a page saying how long to wait",
                            "content": problemOrPage] as Object
        operation["responses"] = responses
        return operation
    }

    static var htmlContent: Object { ["text/html": ["schema": ["type": "string"]] as Object] }

    /// A problem to an app, a page to a browser or a page's form.
    static var problemOrPage: Object { problemContent.merging(htmlContent) { first, _ in first } }

    static var publicShopSchema: Object {
        ["type": "object", "required": ["name", "address"],
         "properties": ["name": ["type": "string"], "address": ["type": "string"], "phone": ["type": ["string", "null"]]] as Object]
    }

    static var intakeSchemas: Object {
        let timestamp: Object = ["type": "string", "format": "date-time"]
        let uuid: Object = ["type": "string", "format": "uuid"]
        let optionalUUID: Object = ["type": ["string", "null"], "format": "uuid"]
        return [
            "NewIntakeLink": [
                "type": "object", "required": ["name", "channel", "type_id"], "additionalProperties": false,
                "properties": [
                    "name": ["type": "string", "minLength": 1, "maxLength": 200] as Object,
                    "channel": ["type": "string", "enum": ["web", "qr"]] as Object,
                    "type_id": uuid, "shop_id": uuid,
                    "vehicle_id": ["type": "string", "format": "uuid", "description": "A sticker in this car: reports are about it"] as Object,
                ] as Object,
            ] as Object,
            "IntakeLink": [
                "type": "object", "required": ["id", "name", "channel", "type_id", "created_at"],
                "description": "token and url are in the answer that creates the link only: only their hash is stored",
                "properties": [
                    "id": uuid, "name": ["type": "string"], "channel": ["type": "string", "enum": ["web", "qr"]] as Object,
                    "type_id": uuid, "shop_id": optionalUUID, "vehicle_id": optionalUUID,
                    "token": ["type": "string", "description": "Only when created"] as Object,
                    "url": ["type": "string", "description": "Print it as a QR code or post the form to it; only when created"] as Object,
                    "created_at": timestamp, "revoked_at": ["type": ["string", "null"], "format": "date-time"] as Object,
                ] as Object,
            ] as Object,
            "IntakeForm": [
                "type": "object", "required": ["tenant_name", "channel", "vehicle_fixed", "type_name", "fields"],
                "properties": [
                    "tenant_name": ["type": "string"], "channel": ["type": "string"], "shop": publicShopSchema,
                    "vehicle_fixed": ["type": "boolean", "description": "The link is in one car: plate and VIN are not asked for"] as Object,
                    "type_name": ["type": "string"], "fields": ["type": "array", "items": ref("CustomField")] as Object,
                ] as Object,
            ] as Object,
            "PublicReport": [
                "type": "object", "required": ["name", "phone", "description"], "additionalProperties": false,
                "properties": [
                    "name": ["type": "string", "minLength": 1, "maxLength": 100] as Object,
                    "phone": ["type": "string", "description": "A mainland mobile number, so the shop can call back"] as Object,
                    "plate": ["type": "string"], "vin": ["type": "string", "pattern": "^[0-9A-HJ-NPR-Za-hj-npr-z]{17}$", "description": "The check digit (9th) is verified"] as Object,
                    "description": ["type": "string", "minLength": 1, "maxLength": 5000] as Object,
                    "symptoms": ["type": "array", "maxItems": 20, "items": ["type": "string"]] as Object, "site": ref("Site"),
                    "custom_fields": ["type": "object", "description": "Values for the link's job type's custom fields, by key"],
                ] as Object,
            ] as Object,
            "PublicReceipt": [
                "type": "object", "required": ["number", "status", "status_label"],
                "properties": [
                    "number": ["type": "string"], "status": statusSchema, "status_label": ["type": "string"],
                    "tracking_token": ["type": ["string", "null"]], "tracking_url": ["type": ["string", "null"]],
                ] as Object,
            ] as Object,
            "NewWeChatAccount": [
                "type": "object", "required": ["name", "original_id", "token", "type_id"], "additionalProperties": false,
                "dependentRequired": ["encoding_aes_key": ["app_id"]],
                "properties": [
                    "name": ["type": "string", "minLength": 1, "maxLength": 200] as Object,
                    "original_id": ["type": "string", "pattern": "^gh_[A-Za-z0-9_]{1,60}$", "description": "原始ID"] as Object,
                    "token": ["type": "string", "pattern": "^[A-Za-z0-9]{3,32}$",
                              "description": "The Token set in the WeChat console; never shown back"] as Object,
                    "type_id": ["type": "string", "format": "uuid", "description": "The job type of orders opened by messages"] as Object,
                    "shop_id": uuid,
                    "app_id": ["type": "string", "pattern": "^wx[0-9a-fA-F]{16}$", "description": "AppID (开发者ID); required with encoding_aes_key"] as Object,
                    "encoding_aes_key": ["type": "string", "pattern": "^[A-Za-z0-9]{43}$",
                                         "description": "EncodingAESKey (消息加解密密钥) for safe and compatible mode; never shown back"] as Object,
                ] as Object,
            ] as Object,
            "WeChatAccountChanges": [
                "type": "object", "additionalProperties": false, "minProperties": 1,
                "properties": [
                    "name": ["type": "string", "minLength": 1, "maxLength": 200] as Object,
                    "token": ["type": "string", "pattern": "^[A-Za-z0-9]{3,32}$", "description": "A new console Token; never shown back"] as Object,
                    "type_id": ["type": "string", "format": "uuid"] as Object,
                    "shop_id": ["type": ["string", "null"], "format": "uuid"] as Object,
                    "app_id": ["type": ["string", "null"], "pattern": "^wx[0-9a-fA-F]{16}$",
                               "description": "Needed as long as the account has an EncodingAESKey"] as Object,
                    "encoding_aes_key": ["type": ["string", "null"], "pattern": "^[A-Za-z0-9]{43}$",
                                         "description": "Sets safe mode (with an AppID); null goes back to plain mode; never shown back"] as Object,
                ] as Object,
            ] as Object,
            "WeChatAccount": [
                "type": "object", "required": ["id", "name", "original_id", "type_id", "has_encoding_aes_key", "server_url", "created_at"],
                "properties": [
                    "id": uuid, "name": ["type": "string"], "original_id": ["type": "string"], "type_id": uuid, "shop_id": optionalUUID,
                    "app_id": ["type": ["string", "null"]], "has_encoding_aes_key": ["type": "boolean"],
                    "server_url": ["type": "string", "description": "服务器地址(URL) for the WeChat console"] as Object,
                    "created_at": timestamp, "revoked_at": ["type": ["string", "null"], "format": "date-time"] as Object,
                ] as Object,
            ] as Object,
            "Tracking": [
                "type": "object", "required": ["number", "status", "status_label", "created_at", "updated_at", "history", "can_rate"],
                "properties": [
                    "number": ["type": "string"], "status": statusSchema, "status_label": ["type": "string"],
                    "created_at": timestamp, "updated_at": timestamp, "shop": publicShopSchema, "can_rate": ["type": "boolean"],
                    "extra_work": ref("CustomerExtraWork"),
                    "history": ["type": "array", "items": [
                        "type": "object", "required": ["status", "status_label", "at"],
                        "properties": ["status": statusSchema, "status_label": ["type": "string"], "at": timestamp] as Object,
                    ] as Object] as Object,
                ] as Object,
            ] as Object,
        ]
    }
}
