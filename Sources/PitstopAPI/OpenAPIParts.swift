import Foundation
import PitstopCore

/// The OpenAPI description of the parts catalogue, stock and the stock ledger.
extension OpenAPIDocument {
    static var partPaths: Object {
        let partID: Object = ["name": "part_id", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"] as Object]
        let shortfall: Object = ["description": "Not enough stock: the detail and errors name each part, what it needs and what is available",
                                 "content": problemContent]
        return [
            "/v1/parts": [
                "post": operation("createPart", "Add a part to the catalogue (admin, dispatcher, integration)", tags: ["parts"],
                                  parameters: [idempotencyKey], body: ref("PartInput"),
                                  responses: ["201": ["description": "Created", "content": json(ref("Part"))],
                                              "409": ["description": "The part number is taken", "content": problemContent]]),
                "get": operation("listParts", "The catalogue, newest first", tags: ["parts"],
                                 parameters: pageParameters + [query("part_number", "one part by its number")],
                                 responses: ["200": ["description": "A page of parts", "content": json(pageOf("Part"))]]),
            ] as Object,
            "/v1/parts/{id}": [
                "get": operation("getPart", "A part, with its version as ETag", tags: ["parts"], parameters: [idParameter],
                                 responses: ["200": ["description": "The part", "content": json(ref("Part"))]]),
                "put": operation("replacePart", "Replace a part (admin, dispatcher, integration)", tags: ["parts"],
                                 parameters: [idParameter, ifMatch], body: ref("PartInput"),
                                 responses: ["200": ["description": "The part", "content": json(ref("Part"))]]),
            ] as Object,
            "/v1/shops/{id}/stock": [
                "get": operation("listStock", "The shop's stock of every part it has held: on hand, reserved, available, reorder level",
                                 tags: ["parts"], parameters: [idParameter],
                                 responses: ["200": ["description": "Stock", "content": json(itemsOf("Stock"))]]),
            ] as Object,
            "/v1/shops/{id}/stock/{part_id}": [
                "put": operation("setReorderLevel", "Set the level at or under which available stock is low (admin, dispatcher, integration)",
                                 tags: ["parts"], parameters: [idParameter, partID],
                                 body: ["type": "object", "required": ["reorder_level"], "additionalProperties": false,
                                        "properties": ["reorder_level": ["type": "number", "minimum": 0, "exclusiveMaximum": 1_000_000_000, "multipleOf": 0.001] as Object] as Object],
                                 responses: ["200": ["description": "The stock", "content": json(ref("Stock"))]]),
            ] as Object,
            "/v1/stock-movements": [
                "post": operation("createStockMovement",
                                  "A receipt (quantity above 0) or an adjustment (a change up or down, with a reason) at a shop (admin, "
                                      + "dispatcher, integration). Reservations follow approved requisitions; completing an order consumes "
                                      + "them and cancelling releases them. Falling to the reorder level sends part.low_stock",
                                  tags: ["parts"], parameters: [idempotencyKey], body: ref("StockMovementInput"),
                                  responses: ["201": ["description": "Recorded", "content": json([
                                      "type": "object", "required": ["movement", "stock"],
                                      "properties": ["movement": ref("StockMovement"), "stock": ref("Stock")] as Object,
                                  ])], "409": shortfall]),
                "get": operation("listStockMovements", "The stock ledger, newest first (admin, dispatcher, integration, readonly)", tags: ["parts"],
                                 parameters: pageParameters + [query("shop_id", "one shop's", uuidQuery), query("part_id", "one part's", uuidQuery)],
                                 responses: ["200": ["description": "A page of movements", "content": json(pageOf("StockMovement"))]]),
            ] as Object,
        ]
    }

    static var partSchemas: Object {
        let uuid: Object = ["type": "string", "format": "uuid"]
        let timestamp: Object = ["type": "string", "format": "date-time"]
        return [
            "PartInput": [
                "type": "object", "required": ["part_number", "name"], "additionalProperties": false,
                "properties": ["part_number": ["type": "string", "minLength": 1, "maxLength": 64] as Object,
                               "oem_number": ["type": "string", "minLength": 1, "maxLength": 64] as Object,
                               "name": ["type": "string", "minLength": 1, "maxLength": 200] as Object,
                               "brand": ["type": "string", "minLength": 1, "maxLength": 100] as Object,
                               "unit": ["type": "string", "default": "个", "maxLength": 20] as Object,
                               "price": ["type": "number", "minimum": 0, "default": 0] as Object, "fits": fitsSchema,
                               "external_id": ["type": "string", "minLength": 1, "maxLength": 100, "description": "The part's id in your ERP"] as Object]
                    as Object,
            ] as Object,
            "Part": [
                "type": "object", "required": ["id", "part_number", "name", "unit", "price", "fits", "created_at", "updated_at", "version"],
                "properties": ["id": uuid, "part_number": ["type": "string"], "oem_number": ["type": "string"], "name": ["type": "string"],
                               "brand": ["type": "string"], "unit": ["type": "string"], "price": ["type": "number"], "fits": fitsSchema,
                               "external_id": ["type": "string"],
                               "created_at": timestamp, "updated_at": timestamp, "version": ["type": "integer"]] as Object,
            ] as Object,
            "Stock": [
                "type": "object",
                "required": ["shop_id", "part_id", "part_number", "name", "unit", "on_hand", "reserved", "available", "reorder_level", "low", "updated_at"],
                "properties": ["shop_id": uuid, "part_id": uuid, "part_number": ["type": "string"], "name": ["type": "string"],
                               "unit": ["type": "string"], "on_hand": ["type": "number"], "reserved": ["type": "number"],
                               "available": ["type": "number", "description": "on_hand less reserved"] as Object,
                               "reorder_level": ["type": "number"], "low": ["type": "boolean"], "updated_at": timestamp] as Object,
            ] as Object,
            "StockMovementInput": [
                "type": "object", "required": ["shop_id", "part_id", "kind", "quantity"], "additionalProperties": false,
                "properties": ["shop_id": uuid, "part_id": uuid, "kind": ["type": "string", "enum": ["receipt", "adjustment"]] as Object,
                               "quantity": ["type": "number"], "reason": ["type": "string", "maxLength": 500,
                                                                           "description": "Required for an adjustment"] as Object] as Object,
            ] as Object,
            "StockMovement": [
                "type": "object",
                "required": ["id", "shop_id", "part_id", "kind", "on_hand_change", "reserved_change", "on_hand_after", "reserved_after", "created_at"],
                "properties": ["id": uuid, "shop_id": uuid, "part_id": uuid,
                               "kind": ["type": "string", "enum": StockMovement.Kind.allCases.map(\.rawValue)] as Object,
                               "on_hand_change": ["type": "number"], "reserved_change": ["type": "number"], "on_hand_after": ["type": "number"],
                               "reserved_after": ["type": "number"], "work_order_id": uuid, "requisition_id": uuid, "reason": ["type": "string"],
                               "actor_key_id": uuid, "created_at": timestamp] as Object,
            ] as Object,
        ]
    }
}
