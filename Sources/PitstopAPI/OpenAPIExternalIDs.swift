import Foundation

/// The OpenAPI description of upserts by external id and NDJSON bulk imports.
extension OpenAPIDocument {
    static var externalIDPaths: Object {
        let externalID: Object = ["name": "external_id", "in": "path", "required": true,
                                  "schema": ["type": "string", "minLength": 1, "maxLength": 100] as Object,
                                  "description": "The record's id in your CRM or ERP"]
        let optionalIfMatch: Object = ["name": "If-Match", "in": "header", "required": false, "schema": etagSchema,
                                       "description": "The ETag you read; a stale one is a 412. Without it the change applies to the current version."]
        func upsert(_ id: String, _ what: String, input: String, record: String, tag: String) -> Object {
            ["put": operation(id, "Create the \(what) your system knows by this id (201), or change it (200) (admin, dispatcher, integration)",
                              tags: [tag], parameters: [externalID, optionalIfMatch], body: ref(input),
                              responses: ["200": ["description": "Changed", "content": json(ref(record))],
                                          "201": ["description": "Created", "content": json(ref(record))]])]
        }
        func bulk(_ id: String, _ what: String, input: String, tag: String) -> Object {
            ["post": [
                "operationId": id, "tags": [tag],
                "summary": "Upsert up to \(APIApplication.bulkLineLimit) \(what) by external_id, one JSON object (\(input) with external_id) "
                    + "a line; each line is stored on its own, so a bad one never stops the others (admin, dispatcher, integration)",
                "requestBody": ["required": true, "content": ["application/x-ndjson": ["schema": ["type": "string"], "example": example(id)] as Object] as Object]
                    as Object,
                "responses": [
                    "200": ["description": "One BulkLineResult a line, in order, as NDJSON, streamed (chunked) as each hundred lines are stored; "
                                + "a body that ends without its final chunk was cut short",
                            "content": ["application/x-ndjson": ["schema": ["type": "string"] as Object] as Object] as Object] as Object,
                    "415": ["description": "The body is not application/x-ndjson", "content": problemContent] as Object,
                    "default": ["$ref": "#/components/responses/Problem"] as Object,
                ] as Object,
            ] as Object]
        }
        return [
            "/v1/customers/by-external-id/{external_id}": upsert("upsertCustomer", "customer", input: "NewCustomer", record: "Customer",
                                                                 tag: "customers"),
            "/v1/work-orders/by-external-id/{external_id}": ["put": operation(
                "upsertWorkOrder",
                "Open the order for your CRM ticket (201, as POST /v1/work-orders, never linked to another open order), or change it (200): "
                    + "the fields PATCH takes apply; type_id, customer_id, vehicle_id and channel must match the order's (409 naming the field); "
                    + "inline customer and vehicle are used when opening only; a new order is dispatched by its policy's mode only with "
                    + "\"dispatch\": true (admin, dispatcher, integration)",
                tags: ["work-orders"], parameters: [externalID, optionalIfMatch], body: ref("NewWorkOrder"),
                responses: ["200": ["description": "Changed", "content": json(ref("WorkOrder"))],
                            "201": ["description": "Opened", "content": json(ref("WorkOrder"))],
                            "409": ["description": "A field fixed at creation differs", "content": problemContent]])],
            "/v1/engineers/by-external-id/{external_id}": upsert("upsertEngineer", "engineer", input: "NewEngineer", record: "Engineer",
                                                                 tag: "engineers"),
            "/v1/engineers/bulk": bulk("bulkUpsertEngineers", "engineers", input: "NewEngineer", tag: "engineers"),
            "/v1/vehicles/by-external-id/{external_id}": upsert("upsertVehicle", "vehicle", input: "VehicleUpsert", record: "Vehicle",
                                                                tag: "vehicles"),
            "/v1/vehicles/bulk": bulk("bulkUpsertVehicles", "vehicles", input: "VehicleUpsert", tag: "vehicles"),
            "/v1/parts/by-external-id/{external_id}": upsert("upsertPart", "part", input: "PartInput", record: "Part", tag: "parts"),
            "/v1/customers/bulk": bulk("bulkUpsertCustomers", "customers", input: "NewCustomer", tag: "customers"),
            "/v1/parts/bulk": bulk("bulkUpsertParts", "parts", input: "PartInput", tag: "parts"),
        ]
    }

    static var externalIDSchemas: Object {
        // A vehicle upsert may name the owner by the CRM's customer id instead of ours.
        var upsertFields = vehicleFields
        upsertFields["customer_external_id"] = ["type": "string", "description": "The owner by your CRM's customer id, instead of customer_id"] as Object
        let vehicleUpsert = body(upsertFields, "A vehicle by your CRM's id: creating it needs its owner (customer_id or customer_external_id, "
                                     + "not both) and a plate or VIN; changing it takes any of its fields", extra: ["anyOf": plateOrVIN])
        return [
            "VehicleUpsert": vehicleUpsert,
            "BulkLineResult": [
                "type": "object", "required": ["line", "status"],
                "properties": [
                    "line": ["type": "integer", "description": "The line's number in the request, from 1"] as Object,
                    "status": ["type": "string", "enum": ["created", "updated", "error"]] as Object,
                    "external_id": ["type": "string"], "id": ["type": "string", "format": "uuid"] as Object,
                    "code": ["type": "integer", "description": "For an error: the status one request for this line would have had"] as Object,
                    "detail": ["type": "string"],
                    "errors": ["type": "array", "items": [
                        "type": "object", "required": ["field", "message"],
                        "properties": ["field": ["type": "string"], "message": ["type": "string"]] as Object,
                    ] as Object] as Object,
                ] as Object,
            ] as Object,
        ]
    }
}
