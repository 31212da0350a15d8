import Foundation
import PitstopCore

/// The OpenAPI description of dispatch: policies, candidates and assignments.
extension OpenAPIDocument {
    static var dispatchPaths: Object {
        [
            "/v1/dispatch-policies": [
                "post": operation("createDispatchPolicy", "A policy for the tenant, a shop, a kind of job, or a kind of job at a shop (admin)",
                                  tags: ["dispatch"], parameters: [idempotencyKey], body: ref("DispatchPolicyInput"),
                                  responses: ["201": ["description": "Created", "content": json(ref("DispatchPolicy"))]]),
                "get": operation("listDispatchPolicies", "Every policy, the tenant's default first (admin, dispatcher)", tags: ["dispatch"],
                                 responses: ["200": ["description": "The policies", "content": json([
                                     "type": "object", "required": ["items"],
                                     "properties": ["items": ["type": "array", "items": ref("DispatchPolicy")] as Object] as Object,
                                 ])]]),
            ] as Object,
            "/v1/dispatch-policies/{id}": [
                "get": operation("getDispatchPolicy", "A policy, with its version as ETag", tags: ["dispatch"], parameters: [idParameter],
                                 responses: ["200": ["description": "The policy", "content": json(ref("DispatchPolicy"))]]),
                "put": operation("replaceDispatchPolicy", "Replace a policy's rules (admin); fields left out take their defaults",
                                 tags: ["dispatch"], parameters: [idParameter, ifMatch], body: ref("DispatchRules"),
                                 responses: ["200": ["description": "The changed policy", "content": json(ref("DispatchPolicy"))]]),
                "delete": operation("deleteDispatchPolicy", "Remove a policy (admin); orders fall back to a wider one", tags: ["dispatch"],
                                    parameters: [idParameter], responses: ["204": ["description": "Removed"]]),
            ] as Object,
            "/v1/engineers/{id}/location": [
                "post": operation("reportEngineerLocation",
                                  "The engineer's position (the app's ping; an engineer key for itself only); one every 5 seconds is kept",
                                  tags: ["engineers"], parameters: [idParameter], body: ref("PositionInput"),
                                  responses: ["204": ["description": "Kept"],
                                              "429": ["description": "Too soon after the last one; see Retry-After", "content": problemContent]]),
            ] as Object,
            "/v1/work-orders/{id}/pool": [
                "post": operation("poolWorkOrder", "Publish an unassigned order to the grab pool (admin, dispatcher)", tags: ["dispatch"],
                                  parameters: [idParameter, ifMatch], body: ["type": "object", "additionalProperties": false,
                                                                             "properties": ["note": ["type": "string", "maxLength": 2000] as Object] as Object],
                                  responses: ["200": ["description": "The pooled order", "content": json(ref("WorkOrder"))]]),
                "delete": operation("unpoolWorkOrder", "Take an order back out of the pool (admin, dispatcher)", tags: ["dispatch"],
                                    parameters: [idParameter, ifMatch],
                                    responses: ["200": ["description": "The order", "content": json(ref("WorkOrder"))]]),
            ] as Object,
            "/v1/pool": [
                "get": operation("listPool", "Pooled orders, oldest first: an engineer key sees only those it may claim, with the distance",
                                 tags: ["dispatch"],
                                 responses: ["200": ["description": "The pool", "content": json([
                                     "type": "object", "required": ["items"],
                                     "properties": ["items": ["type": "array", "items": ref("PooledOrder")] as Object] as Object,
                                 ])]]),
            ] as Object,
            "/v1/work-orders/{id}/claim": [
                "post": operation("claimWorkOrder", "Take a pooled order (engineer key): the first valid claim wins, every other gets 409",
                                  tags: ["dispatch"], parameters: [idParameter],
                                  responses: ["200": ["description": "The order, assigned to the claimer", "content": json(ref("WorkOrder"))],
                                              "409": ["description": "Already taken or withdrawn", "content": problemContent]]),
            ] as Object,
            "/v1/work-orders/{id}/transfer": [
                "post": operation("transferWorkOrder", "Move an assigned order to another engineer, with a reason (admin, dispatcher)",
                                  tags: ["dispatch"], parameters: [idParameter, ifMatch],
                                  body: ["type": "object", "required": ["engineer_id", "reason"], "additionalProperties": false,
                                         "properties": ["engineer_id": ["type": "string", "format": "uuid"] as Object,
                                                        "reason": ["type": "string", "minLength": 1, "maxLength": 1000] as Object] as Object],
                                  responses: ["200": ["description": "The order with its new assignee", "content": json(ref("WorkOrder"))]]),
            ] as Object,
            "/v1/me/queue": [
                "get": operation("myQueue", "The engineer's open orders (engineer key): offered, accepted and in progress, most urgent first",
                                 tags: ["mobile"],
                                 responses: ["200": ["description": "The queue", "content": json([
                                     "type": "object", "required": ["offered", "accepted", "in_progress"],
                                     "properties": ["offered": ["type": "array", "items": ref("QueueItem")] as Object,
                                                    "accepted": ["type": "array", "items": ref("QueueItem")] as Object,
                                                    "in_progress": ["type": "array", "items": ref("QueueItem")] as Object] as Object,
                                 ])]]),
            ] as Object,
            "/v1/me/duty": [
                "put": operation("setMyDuty",
                                 "The engineer's own duty status (engineer key): only available and busy engineers are offered work",
                                 tags: ["mobile"],
                                 parameters: [["name": "If-Match", "in": "header", "required": false, "schema": ["type": "string"],
                                               "description": "The engineer's version; honoured when sent"] as Object],
                                 body: ["type": "object", "required": ["status"], "additionalProperties": false,
                                        "properties": ["status": ["type": "string", "enum": Engineer.Status.allCases.map(\.rawValue)] as Object] as Object],
                                 responses: ["200": ["description": "The engineer (ETag = its version)", "content": json(ref("Engineer"))]]),
            ] as Object,
            "/v1/me/work-orders/{id}": [
                "get": operation("myWorkOrder",
                                 "One of the engineer's orders with the customer, the vehicle and its history, and navigation links (engineer key)",
                                 tags: ["mobile"], parameters: [idParameter],
                                 responses: ["200": ["description": "The order for the engineer", "content": json(ref("MobileOrder"))]]),
            ] as Object,
            "/v1/me/work-orders/{id}/check-in": [
                "post": operation("checkIn",
                                  "The engineer arrives (engineer key, after accepting): the position, its distance to the shop or site, flagged beyond the policy's radius",
                                  tags: ["mobile"], parameters: [idParameter], body: ref("PositionInput"),
                                  responses: ["201": ["description": "The visit", "content": json(ref("Visit"))],
                                              "409": ["description": "Not accepted yet, or already checked in", "content": problemContent]]),
            ] as Object,
            "/v1/me/work-orders/{id}/check-out": [
                "post": operation("checkOut", "The engineer leaves (engineer key)", tags: ["mobile"], parameters: [idParameter],
                                  body: ref("PositionInput"),
                                  responses: ["200": ["description": "The closed visit", "content": json(ref("Visit"))],
                                              "409": ["description": "Not checked in", "content": problemContent]]),
            ] as Object,
            "/v1/me/work-orders/{id}/report": [
                "put": operation("saveRepairReport",
                                 "Save a new version of the repair report (engineer key, after accepting); If-Match the version edited, none for the first",
                                 tags: ["mobile"],
                                 parameters: [idParameter, ["name": "If-Match", "in": "header", "required": false, "schema": ["type": "string"],
                                                            "description": "The ETag of the report version edited; required once a report exists"] as Object],
                                 body: ref("ReportInput"),
                                 responses: ["201": ["description": "The new version (ETag = its version)", "content": json(ref("RepairReport"))],
                                             "412": ["description": "Someone saved a newer version", "content": problemContent],
                                             "428": ["description": "A report exists: say which version you edited", "content": problemContent]]),
            ] as Object,
            "/v1/work-orders/{id}/report": [
                "get": operation("repairReport", "Every version of the order's repair report, newest first", tags: ["work-orders"],
                                 parameters: [idParameter],
                                 responses: ["200": ["description": "The versions", "content": json([
                                     "type": "object", "required": ["versions"],
                                     "properties": ["versions": ["type": "array", "items": ref("RepairReport")] as Object] as Object,
                                 ])]]),
            ] as Object,
            "/v1/me/work-orders/{id}/requisitions": [
                "post": operation("requestParts", "Ask for parts for the order (engineer key); a diagnosing or repairing order waits for parts",
                                  tags: ["mobile"], parameters: [idParameter], body: ref("RequisitionInput"),
                                  responses: ["201": ["description": "The requisition", "content": json(ref("Requisition"))]]),
            ] as Object,
            "/v1/work-orders/{id}/requisitions": [
                "get": operation("orderRequisitions", "The order's parts requisitions, oldest first", tags: ["parts"], parameters: [idParameter],
                                 responses: ["200": ["description": "The requisitions", "content": json(itemsOf("Requisition"))]]),
            ] as Object,
            "/v1/requisitions": [
                "get": operation("waitingRequisitions", "Requisitions waiting for a decision, oldest first (admin, dispatcher)", tags: ["parts"],
                                 responses: ["200": ["description": "The requisitions", "content": json(itemsOf("Requisition"))]]),
            ] as Object,
            "/v1/requisitions/{id}": [
                "get": operation("getRequisition", "One requisition (any key; an engineer only their own)", tags: ["parts"],
                                 parameters: [idParameter],
                                 responses: ["200": ["description": "The requisition", "content": json(ref("Requisition"))]]),
            ] as Object,
            "/v1/requisitions/{id}/decision": [
                "post": operation("decideRequisition",
                                  "Approve or reject (admin, dispatcher); approval reserves the lines' catalogue parts at the order's shop "
                                      + "and sends an order waiting for parts back to repairing",
                                  tags: ["parts"], parameters: [idParameter],
                                  body: ["type": "object", "required": ["approve"], "additionalProperties": false,
                                         "properties": ["approve": ["type": "boolean"], "note": ["type": "string", "maxLength": 1000] as Object] as Object],
                                  responses: ["200": ["description": "The decided requisition", "content": json(ref("Requisition"))],
                                              "409": ["description": "Already decided, or not enough stock (named per part)",
                                                      "content": problemContent]]),
            ] as Object,
            "/v1/work-orders/{id}/quality-check": [
                "post": operation("qualityCheck",
                                  "Record the inspector's check of an order in quality_check (admin, dispatcher): all items passed → awaiting_acceptance, any failed → repairing",
                                  tags: ["work-orders"], parameters: [idParameter, ifMatch],
                                  body: ["type": "object", "required": ["inspector", "results"], "additionalProperties": false,
                                         "properties": ["inspector": ["type": "string", "maxLength": 100] as Object,
                                                        "results": ["type": "array", "maxItems": 50, "items": [
                                                            "type": "object", "required": ["item", "passed"],
                                                            "properties": ["item": ["type": "string"], "passed": ["type": "boolean"],
                                                                           "note": ["type": "string", "maxLength": 500] as Object] as Object,
                                                        ] as Object,
                                                        "description": "Each item of the job type's checklist, once"] as Object] as Object],
                                  responses: ["200": ["description": "The moved order and the check", "content": json([
                                      "type": "object", "required": ["work_order", "quality_check"],
                                      "properties": ["work_order": ref("WorkOrder"), "quality_check": ref("QualityCheck")] as Object,
                                  ])]]),
            ] as Object,
            "/v1/work-orders/{id}/quality-checks": [
                "get": operation("qualityChecks", "The order's quality checks, first first", tags: ["work-orders"], parameters: [idParameter],
                                 responses: ["200": ["description": "The checks", "content": json(itemsOf("QualityCheck"))]]),
            ] as Object,
            "/v1/me/work-orders/{id}/acceptance": [
                "post": operation("acceptWork",
                                  "The customer signs the current report version on the engineer's phone (engineer key); the report becomes final and the order completed",
                                  tags: ["mobile"], parameters: [idParameter],
                                  body: ["type": "object", "required": ["signer_name", "report_version", "signature_type", "signature"],
                                         "additionalProperties": false,
                                         "properties": ["signer_name": ["type": "string", "maxLength": 100] as Object,
                                                        "report_version": ["type": "integer"],
                                                        "signature_type": ["type": "string", "enum": ["image/png", "image/svg+xml"]] as Object,
                                                        "signature": ["type": "string", "contentEncoding": "base64",
                                                                      "description": "At most 256 KiB; SVG without scripts or external references"] as Object] as Object],
                                  responses: ["200": ["description": "The completed order and the acceptance", "content": json([
                                      "type": "object", "required": ["work_order", "acceptance"],
                                      "properties": ["work_order": ref("WorkOrder"), "acceptance": ref("Acceptance")] as Object,
                                  ])],
                                              "409": ["description": "Not awaiting acceptance, or the report changed", "content": problemContent]]),
            ] as Object,
            "/v1/work-orders/{id}/acceptance": [
                "get": operation("workOrderAcceptance", "Who signed which report version, when (the image is kept, not returned)",
                                 tags: ["work-orders"], parameters: [idParameter],
                                 responses: ["200": ["description": "The acceptance", "content": json(ref("Acceptance"))]]),
            ] as Object,
            "/v1/work-orders/{id}/trail": [
                "get": operation("workOrderTrail", "The engineer's positions while working the order, oldest first (admin, dispatcher)",
                                 tags: ["dispatch"], parameters: [idParameter],
                                 responses: ["200": ["description": "The trail", "content": json([
                                     "type": "object", "required": ["items"],
                                     "properties": ["items": ["type": "array", "items": [
                                         "type": "object", "required": ["at", "latitude", "longitude"],
                                         "properties": ["at": ["type": "string", "format": "date-time"] as Object, "latitude": ["type": "number"],
                                                        "longitude": ["type": "number"]] as Object,
                                     ] as Object] as Object] as Object,
                                 ])]]),
            ] as Object,
            "/v1/me/work-orders/{id}/transfer-request": [
                "post": operation("requestTransfer", "The assigned engineer asks to hand the order on, with a reason (engineer key)", tags: ["mobile"],
                                  parameters: [idParameter],
                                  body: ["type": "object", "required": ["reason"], "additionalProperties": false,
                                         "properties": ["reason": ["type": "string", "minLength": 1, "maxLength": 1000] as Object] as Object],
                                  responses: ["201": ["description": "The request", "content": json(ref("TransferRequest"))],
                                              "409": ["description": "A request is open already", "content": problemContent]]),
            ] as Object,
            "/v1/transfer-requests": [
                "get": operation("openTransferRequests", "Engineers' open transfer requests, oldest first (admin, dispatcher); a transfer settles one",
                                 tags: ["dispatch"],
                                 responses: ["200": ["description": "The requests", "content": json(itemsOf("TransferRequest"))]]),
            ] as Object,
            "/v1/work-orders/{id}/candidates": [
                "get": operation("dispatchCandidates", "Engineers ranked for the order by the policy in force, with each criterion's rating",
                                 tags: ["dispatch"],
                                 parameters: [idParameter, query("limit", "how many to list, 1 to 100 (default 20)", ["type": "integer", "minimum": 1, "maximum": 100, "default": 20])],
                                 responses: ["200": ["description": "The ranking", "content": json(ref("Candidates"))]]),
            ] as Object,
            "/v1/work-orders/{id}/dispatch": [
                "post": operation("dispatchWorkOrder",
                                  "Assign the order: to the best-ranked engineer, or with engineer_id to the dispatcher's pick (admin, dispatcher)",
                                  tags: ["dispatch"], parameters: [idParameter, ifMatch], body: ref("DispatchRequest"),
                                  responses: ["200": ["description": "The assigned order, the assignment, and for an automatic pick the offer", "content": json([
                                      "type": "object", "required": ["work_order", "assignment"],
                                      "properties": ["work_order": ref("WorkOrder"), "assignment": ref("Assignment"), "offer": ref("Offer")] as Object,
                                  ])],
                                              "409": ["description": "No engineer passes the rules, or the order cannot be assigned now",
                                                      "content": problemContent]]),
                "get": operation("workOrderAssignments",
                                 "Why this engineer: every assignment with its ranking, newest first, and the automatic offers with their answers",
                                 tags: ["dispatch"], parameters: [idParameter],
                                 responses: ["200": ["description": "The assignments and offers", "content": json([
                                     "type": "object", "required": ["items", "offers"],
                                     "properties": ["items": ["type": "array", "items": ref("Assignment")] as Object,
                                                    "offers": ["type": "array", "items": ref("Offer")] as Object] as Object,
                                 ])]]),
            ] as Object,
            "/v1/work-orders/{id}/accept": [
                "post": operation("acceptWorkOrder", "The assigned engineer accepts (engineer key); no If-Match", tags: ["dispatch"],
                                  parameters: [idParameter],
                                  responses: ["200": ["description": "The accepted order", "content": json(ref("WorkOrder"))],
                                              "409": ["description": "Not waiting for this engineer's answer", "content": problemContent]]),
            ] as Object,
            "/v1/work-orders/{id}/decline": [
                "post": operation("declineWorkOrder",
                                  "The assigned engineer declines with a reason (engineer key); the order goes to the next engineer, or to the pool or the dispatchers after the last round",
                                  tags: ["dispatch"], parameters: [idParameter],
                                  body: ["type": "object", "required": ["reason"], "additionalProperties": false,
                                         "properties": ["reason": ["type": "string", "minLength": 1, "maxLength": 1000] as Object] as Object],
                                  responses: ["204": ["description": "Declined"],
                                              "409": ["description": "Not waiting for this engineer's answer", "content": problemContent]]),
            ] as Object,
        ]
    }

    static func itemsOf(_ schema: String) -> Object {
        ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": ref(schema)] as Object] as Object]
    }

    static var dispatchSchemas: Object {
        let uuid: Object = ["type": "string", "format": "uuid"]
        let timestamp: Object = ["type": "string", "format": "date-time"]
        let ratings: Object = [
            "type": "object", "required": ["distance", "load", "skill", "fairness", "familiarity"],
            "properties": ["distance": ["type": "number"], "load": ["type": "number"], "skill": ["type": "number"],
                           "fairness": ["type": "number"], "familiarity": ["type": "number"]] as Object,
        ]
        let weight = { (fallback: Int) -> Object in ["type": "number", "minimum": 0, "maximum": 100, "default": fallback] }
        let weights: Object = [
            "type": "object", "additionalProperties": false,
            "properties": ["distance": weight(3), "load": weight(2), "skill": weight(1), "fairness": weight(1), "familiarity": weight(1)] as Object,
        ]
        let ruleProperties: Object = [
            "mode": ["type": "string", "enum": DispatchPolicy.Mode.allCases.map(\.rawValue), "default": "manual",
                     "description": "What happens to a new order from any channel: manual (dispatchers assign), assign (the best-ranked engineer at once), offer (to the best-ranked, who must accept within offer_timeout_seconds; then the next), pool (published to the grab pool for pool_minutes, then after_pool)"] as Object,
            "pool_minutes": ["type": "integer", "default": 15, "minimum": 1, "maximum": 1440,
                             "description": "In pool mode, how long an order waits for a claim"] as Object,
            "after_pool": ["type": "string", "enum": DispatchPolicy.AfterPool.allCases.map(\.rawValue), "default": "offer",
                           "description": "In pool mode, where an unclaimed order goes"] as Object,
            "radius_km": ["type": "number", "default": 30, "exclusiveMinimum": 0, "maximum": 1000, "description": "Engineers outside the order's shop qualify within this distance"] as Object,
            "position_max_age_minutes": ["type": "integer", "default": 60, "minimum": 1, "maximum": 10080,
                                         "description": "An engineer's position older than this does not count as near (excluded as stale_position unless they belong to the order's shop)"] as Object,
            "max_open_orders": ["type": "integer", "default": 5, "minimum": 1, "maximum": 100] as Object,
            "required_skills": ["type": "object", "maxProperties": 20, "propertyNames": ["pattern": "^[a-z][a-z0-9_]{0,63}$"],
                                "additionalProperties": ["type": "integer", "minimum": 1, "maximum": 5] as Object,
                                "description": "Skill code → least level"] as Object,
            "average_speed_kmh": ["type": "number", "exclusiveMinimum": 0, "maximum": 200, "description": "Rate by estimated travel time at this speed; leave it out to rate by distance"] as Object,
            "paused_statuses": ["type": "array", "items": ["type": "string", "enum": WorkOrderStatus.allCases.filter(\.isOpen).map(\.rawValue)] as Object, "default": ["awaiting_parts"],
                                "description": "Orders in these statuses do not count towards an engineer's load"] as Object,
            "weights": weights,
            "offer_timeout_seconds": ["type": "integer", "default": 300, "minimum": 30, "maximum": 86400,
                                      "description": "How long an automatically chosen engineer has to accept"] as Object,
            "max_rounds": ["type": "integer", "default": 3, "minimum": 1, "maximum": 20,
                           "description": "Engineers asked in turn before the order leaves automatic dispatch"] as Object,
            "after_rounds": ["type": "string", "enum": ["pool", "dispatcher"], "default": "pool",
                             "description": "Where an order goes when every round was declined or timed out"] as Object,
            "check_in_radius_meters": ["type": "integer", "default": 500, "minimum": 10, "maximum": 50000,
                                       "description": "A check-in farther than this from the expected place is flagged"] as Object,
        ]
        return [
            "DispatchRules": ["type": "object", "additionalProperties": false, "properties": ruleProperties] as Object,
            "DispatchPolicyInput": [
                "type": "object", "additionalProperties": false,
                "properties": ruleProperties.merging(["shop_id": uuid, "type_id": uuid]) { first, _ in first },
            ] as Object,
            "DispatchPolicy": [
                "type": "object", "required": ["id", "rules", "created_at", "updated_at", "version"],
                "properties": ["id": uuid, "shop_id": ["type": ["string", "null"], "format": "uuid"] as Object,
                               "type_id": ["type": ["string", "null"], "format": "uuid"] as Object,
                               "rules": ["type": "object", "properties": ruleProperties] as Object,
                               "created_at": timestamp, "updated_at": timestamp, "version": ["type": "integer"]] as Object,
            ] as Object,
            "Candidate": [
                "type": "object", "required": ["engineer_id", "name", "open_orders", "assigned_today", "ratings", "score"],
                "properties": ["engineer_id": uuid, "name": ["type": "string"], "distance_km": ["type": ["number", "null"]] as Object,
                               "eta_minutes": ["type": ["number", "null"]] as Object, "open_orders": ["type": "integer"],
                               "assigned_today": ["type": "integer"], "ratings": ratings,
                               "score": ["type": "number", "description": "Σ(weight × rating) / Σ weight"] as Object] as Object,
            ] as Object,
            "Candidates": [
                "type": "object", "required": ["considered", "excluded", "candidates"],
                "properties": ["policy_id": ["type": ["string", "null"], "format": "uuid"] as Object,
                               "considered": ["type": "integer"],
                               "excluded": ["type": "object", "additionalProperties": ["type": "integer"],
                                            "description": "How many engineers each hard rule excluded"] as Object,
                               "candidates": ["type": "array", "items": ref("Candidate")] as Object] as Object,
            ] as Object,
            "Navigation": [
                "type": "object", "required": ["latitude", "longitude", "amap_url", "baidu_url", "baidu_web_url"],
                "description": "The destination (GCJ-02) with links that open the route in AMap or Baidu Maps",
                "properties": ["latitude": ["type": "number"], "longitude": ["type": "number"], "address": ["type": ["string", "null"]] as Object,
                               "amap_url": ["type": "string"], "baidu_url": ["type": "string"], "baidu_web_url": ["type": "string"]] as Object,
            ] as Object,
            "QueueItem": [
                "type": "object", "required": ["id", "number", "status", "priority", "description"],
                "properties": ["id": uuid, "number": ["type": "string"], "status": statusSchema, "priority": prioritySchema,
                               "description": ["type": "string"], "due_at": ["type": ["string", "null"], "format": "date-time"] as Object,
                               "offer_expires_at": ["type": ["string", "null"], "format": "date-time",
                                                    "description": "The deadline to accept an automatic offer"] as Object,
                               "navigation": ref("Navigation")] as Object,
            ] as Object,
            "ReportInput": [
                "type": "object", "additionalProperties": false,
                "properties": [
                    "diagnosis": ["type": "string", "maxLength": 5000] as Object,
                    "work_performed": ["type": "string", "maxLength": 5000] as Object,
                    "labour": ["type": "array", "maxItems": 50, "items": [
                        "type": "object", "required": ["description", "hours"],
                        "properties": ["description": ["type": "string", "maxLength": 500] as Object,
                                       "hours": ["type": "number", "exclusiveMinimum": 0, "maximum": 100] as Object] as Object,
                    ] as Object] as Object,
                    "parts": ["type": "array", "maxItems": 100, "items": [
                        "type": "object", "required": ["part_number", "name", "quantity"],
                        "properties": ["part_number": ["type": "string", "maxLength": 64] as Object,
                                       "name": ["type": "string", "maxLength": 200] as Object,
                                       "quantity": ["type": "number", "exclusiveMinimum": 0, "maximum": 10000] as Object] as Object,
                    ] as Object] as Object,
                    "mileage_km": ["type": "integer", "minimum": 0, "maximum": 5000000] as Object,
                    "before_photos": ["type": "array", "maxItems": 20, "uniqueItems": true, "items": uuid,
                                      "description": "Ids of photos uploaded for this order, in the order shown"] as Object,
                    "after_photos": ["type": "array", "maxItems": 20, "uniqueItems": true, "items": uuid] as Object,
                ] as Object,
            ] as Object,
            "RepairReport": [
                "type": "object", "required": ["work_order_id", "version", "diagnosis", "work_performed", "labour", "parts", "before_photos",
                                               "after_photos", "created_at"],
                "properties": ["work_order_id": uuid, "version": ["type": "integer"], "diagnosis": ["type": "string"],
                               "work_performed": ["type": "string"], "labour": ["type": "array", "items": ["type": "object"]] as Object,
                               "parts": ["type": "array", "items": ["type": "object"]] as Object,
                               "mileage_km": ["type": ["integer", "null"]] as Object,
                               "before_photos": ["type": "array", "items": ref("ReportPhoto")] as Object,
                               "after_photos": ["type": "array", "items": ref("ReportPhoto")] as Object,
                               "author_key_id": uuid, "created_at": timestamp] as Object,
            ] as Object,
            "RequisitionInput": [
                "type": "object", "required": ["lines"], "additionalProperties": false,
                "properties": ["lines": ["type": "array", "minItems": 1, "maxItems": 50, "items": [
                                   "type": "object", "required": ["part_number", "quantity"],
                                   "properties": ["part_number": ["type": "string", "maxLength": 64] as Object,
                                                  "quantity": ["type": "number", "exclusiveMinimum": 0, "maximum": 10000] as Object] as Object,
                               ] as Object] as Object,
                               "note": ["type": "string", "maxLength": 1000] as Object] as Object,
            ] as Object,
            "Requisition": [
                "type": "object", "required": ["id", "work_order_id", "engineer_id", "state", "lines", "requested_at"],
                "properties": ["id": uuid, "work_order_id": uuid, "engineer_id": uuid,
                               "state": ["type": "string", "enum": ["requested", "approved", "rejected"]] as Object,
                               "lines": ["type": "array", "items": ["type": "object"]] as Object, "note": ["type": ["string", "null"]] as Object,
                               "requested_at": timestamp, "decided_at": ["type": ["string", "null"], "format": "date-time"] as Object,
                               "decided_by": ["type": ["string", "null"], "format": "uuid"] as Object,
                               "decision_note": ["type": ["string", "null"]] as Object] as Object,
            ] as Object,
            "Acceptance": [
                "type": "object", "required": ["report_version", "report_sha256", "signer_name", "signature_type", "signature_bytes", "signed_at"],
                "properties": ["report_version": ["type": "integer"],
                               "report_sha256": ["type": "string", "description": "SHA-256 of the signed report version as the API returns it"] as Object,
                               "signer_name": ["type": "string"], "signature_type": ["type": "string"], "signature_bytes": ["type": "integer"],
                               "signed_at": timestamp] as Object,
            ] as Object,
            "TransferRequest": [
                "type": "object", "required": ["id", "work_order_id", "engineer_id", "reason", "requested_at"],
                "properties": ["id": uuid, "work_order_id": uuid, "engineer_id": uuid, "reason": ["type": "string"],
                               "requested_at": timestamp] as Object,
            ] as Object,
            "QualityCheck": [
                "type": "object", "required": ["id", "inspector", "passed", "failed_items", "results", "checked_at"],
                "properties": ["id": uuid, "inspector": ["type": "string"], "inspector_key_id": uuid, "passed": ["type": "boolean"],
                               "failed_items": ["type": "array", "items": ["type": "string"]] as Object,
                               "results": ["type": "array", "items": ["type": "object"]] as Object, "checked_at": timestamp] as Object,
            ] as Object,
            "Visit": [
                "type": "object", "required": ["id", "work_order_id", "engineer_id", "checked_in_at", "check_in", "outside_radius"],
                "properties": ["id": uuid, "work_order_id": uuid, "engineer_id": uuid, "checked_in_at": timestamp, "check_in": ref("GeoPoint"),
                               "distance_meters": ["type": ["integer", "null"]] as Object, "outside_radius": ["type": "boolean"],
                               "checked_out_at": ["type": ["string", "null"], "format": "date-time"] as Object,
                               "check_out": ref("GeoPoint")] as Object,
            ] as Object,
            "MobileOrder": [
                "type": "object", "required": ["work_order", "customer", "history", "visits", "media"],
                "properties": ["work_order": ref("WorkOrder"), "customer": ref("Customer"), "vehicle": ref("Vehicle"),
                               "history": ["type": "array", "items": [
                                   "type": "object", "required": ["id", "number", "status", "description", "created_at"],
                                   "properties": ["id": uuid, "number": ["type": "string"], "status": statusSchema,
                                                  "description": ["type": "string"], "created_at": timestamp,
                                                  "completed_at": ["type": ["string", "null"], "format": "date-time"] as Object] as Object,
                               ] as Object] as Object,
                               "navigation": ref("Navigation"),
                               "visits": ["type": "array", "items": ref("Visit")] as Object, "report": ref("RepairReport"),
                               "media": ["type": "array", "items": ref("Media")] as Object] as Object,
            ] as Object,
            "Offer": [
                "type": "object", "required": ["id", "engineer_id", "round", "offered_at", "expires_at", "state"],
                "properties": ["id": uuid, "engineer_id": uuid, "round": ["type": "integer"], "offered_at": timestamp, "expires_at": timestamp,
                               "state": ["type": "string", "enum": ["pending", "accepted", "declined", "expired", "withdrawn"]] as Object,
                               "answered_at": ["type": ["string", "null"], "format": "date-time"] as Object,
                               "decline_reason": ["type": ["string", "null"]] as Object] as Object,
            ] as Object,
            "PooledOrder": [
                "type": "object", "required": ["id", "number", "type_id", "priority", "description", "symptoms"],
                "properties": ["id": uuid, "number": ["type": "string"], "type_id": uuid, "priority": prioritySchema,
                               "shop_id": ["type": ["string", "null"], "format": "uuid"] as Object, "description": ["type": "string"],
                               "symptoms": ["type": "array", "items": ["type": "string"]] as Object, "site": ref("Site"),
                               "due_at": ["type": ["string", "null"], "format": "date-time"] as Object, "pooled_at": timestamp,
                               "distance_km": ["type": ["number", "null"], "description": "From the engineer asking"] as Object] as Object,
            ] as Object,
            "DispatchRequest": [
                "type": "object", "additionalProperties": false,
                "properties": ["engineer_id": ["type": "string", "format": "uuid", "description": "The dispatcher's pick; without it the policy picks"] as Object,
                               "reason": ["type": "string", "maxLength": 1000] as Object,
                               "override": ["type": "boolean", "default": false,
                                            "description": "Assign the picked engineer although they fail a hard rule (off duty, out of area, stale position, missing skill, at capacity); the rules overridden are kept in the assignment's reason. A deactivated engineer is refused whatever this says"] as Object] as Object,
            ] as Object,
            "Assignment": [
                "type": "object", "required": ["id", "work_order_id", "engineer_id", "mode", "assigned_at", "considered", "excluded", "candidates"],
                "properties": ["id": uuid, "work_order_id": uuid, "engineer_id": uuid,
                               "mode": ["type": "string", "enum": ["auto", "direct", "transfer", "claim"]] as Object,
                               "actor_key_id": uuid, "reason": ["type": "string"], "assigned_at": timestamp,
                               "rules": ["type": "object", "properties": ruleProperties] as Object, "considered": ["type": "integer"],
                               "excluded": ["type": "object", "additionalProperties": ["type": "integer"]] as Object,
                               "candidates": ["type": "array", "items": ref("Candidate")] as Object] as Object,
            ] as Object,
        ]
    }
}
