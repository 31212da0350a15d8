import Foundation
import PitstopCore

/// The OpenAPI description of extra work (增项): proposed by the desk or the order's engineer,
/// answered by the customer through their tracking link.
extension OpenAPIDocument {
    static var extraWorkPaths: Object {
        let proposalParameter: Object = ["name": "proposal", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"] as Object]
        let answer: Object = ["type": "object", "required": ["approve", "sha256"], "additionalProperties": false,
                              "properties": ["approve": ["type": "boolean"] as Object,
                                             "sha256": ["type": "string", "description": "The proposal's sha256 as shown: an answer to any other is refused (409)"] as Object]
                              as Object]
        return [
            "/v1/work-orders/{id}/extra-work": [
                "post": operation("proposeExtraWork",
                                  "Propose extra work with prices (admin, dispatcher, the order's engineer) while the order is diagnosing, awaiting_parts or "
                                  + "repairing: the customer is told (moment extra_work) and answers from the tracking link; until then the resolution "
                                  + "clock stands still and the order cannot go to quality_check, awaiting_acceptance or completed. One waits at a time.",
                                  tags: ["work-orders"], parameters: [idParameter, idempotencyKey], body: ref("NewExtraWork"),
                                  responses: ["201": ["description": "Proposed", "content": json(ref("ExtraWork"))],
                                              "409": ["description": "Not during the work, or a proposal already waits", "content": problemContent]]),
                "get": operation("listExtraWork", "The order's extra-work proposals, oldest first", tags: ["work-orders"], parameters: [idParameter],
                                 responses: ["200": ["description": "The proposals", "content": json([
                                     "type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": ref("ExtraWork")] as Object] as Object,
                                 ])]]),
            ] as Object,
            "/v1/work-orders/{id}/extra-work/{proposal}/withdraw": [
                "post": operation("withdrawExtraWork", "Take back extra work the customer has not answered (admin, dispatcher); the clock runs again",
                                  tags: ["work-orders"], parameters: [idParameter, proposalParameter],
                                  responses: ["200": ["description": "Withdrawn", "content": json(ref("ExtraWork"))],
                                              "409": ["description": "Answered or withdrawn already", "content": problemContent]]),
            ] as Object,
            "/v1/public/track/{token}/extra-work/{proposal}": [
                "post": pageLimited(withForm(operation("answerExtraWork",
                                           "The customer approves or declines the waiting extra work (no key), naming the sha256 they were shown; the tracking "
                                           + "page posts the same as a form (`decision` approve or decline)",
                                           tags: ["public"], public: true, parameters: [tokenParameter, proposalParameter], body: answer,
                                           responses: ["200": ["description": "Answered", "content": json(ref("CustomerExtraWork"))],
                                                       "303": ["description": "From the page's form: answered, back to the tracking page"],
                                                       "409": ["description": "Answered already, or not the proposal shown (the form: the page with a notice)",
                                                               "content": problemOrPage],
                                                       "415": ["description": "Neither JSON nor a form", "content": problemContent],
                                                       "422": ["description": "No decision (the form: the page, the problem beside the buttons)",
                                                               "content": problemOrPage]]),
                                 schema: ["type": "object", "required": ["decision", "sha256"],
                                          "properties": ["decision": ["type": "string", "enum": ["approve", "decline"]] as Object,
                                                         "sha256": ["type": "string"]] as Object],
                                 example: "decision=approve&sha256=\(String(repeating: "0", count: 64))")),
            ] as Object,
        ]
    }

    static var extraWorkSchemas: Object {
        let timestamp: Object = ["type": "string", "format": "date-time"]
        let line: Object = [
            "type": "object", "required": ["description", "quantity", "unit_price", "amount"],
            "properties": ["description": ["type": "string"], "quantity": ["type": "number"], "unit_price": ["type": "number"],
                           "amount": ["type": "number", "description": "quantity × unit_price, to the fen"] as Object] as Object,
        ]
        let shown: Object = [
            "id": ["type": "string", "format": "uuid"], "state": ["type": "string", "enum": ExtraWork.State.allCases.map(\.rawValue)] as Object,
            "lines": ["type": "array", "items": line] as Object, "note": ["type": "string"], "total": ["type": "number"],
            "sha256": ["type": "string", "description": "What the customer's answer names: SHA-256 of the proposal as shown"] as Object,
            "proposed_at": timestamp, "answered_at": timestamp,
        ]
        return [
            "NewExtraWork": [
                "type": "object", "required": ["lines"], "additionalProperties": false,
                "properties": [
                    "lines": ["type": "array", "minItems": 1, "maxItems": 50, "items": [
                        "type": "object", "required": ["description", "quantity", "unit_price"], "additionalProperties": false,
                        "properties": ["description": ["type": "string", "minLength": 1, "maxLength": 200] as Object,
                                       "quantity": ["type": "number", "exclusiveMinimum": 0, "maximum": 10000] as Object,
                                       "unit_price": money("Yuan for one unit")] as Object,
                    ] as Object] as Object,
                    "note": ["type": "string", "maxLength": 1000, "description": "Why the work is needed, in the customer's words"] as Object,
                ] as Object,
            ] as Object,
            "ExtraWork": [
                "type": "object", "required": ["id", "work_order_id", "state", "lines", "note", "total", "sha256", "proposed_at"],
                "properties": shown.merging(["work_order_id": ["type": "string", "format": "uuid"] as Object,
                                             "proposed_by": ["type": "string", "format": "uuid"] as Object]) { first, _ in first },
            ] as Object,
            "CustomerExtraWork": [
                "type": "object", "required": ["id", "state", "lines", "note", "total", "sha256", "proposed_at"], "properties": shown,
            ] as Object,
        ]
    }
}
