import Foundation
import PitstopCore

/// The bodies that create and change the tenant's records (shops, customers, vehicles, engineers,
/// work-order types). A create and a partial update take the same fields, so each record's fields
/// are written once; the create schema adds what the server requires when creating, and the
/// changes schema lets any subset through, with null clearing an optional field.
extension OpenAPIDocument {
    static var recordSchemas: Object {
        let vehicleWithoutOwner = vehicleFields.filter { $0.key != "customer_id" }
        return [
            "NewShop": body(shopFields, required: ["name"], "A new shop; null for an optional field is the same as leaving it out"),
            "ShopChanges": body(shopFields, "Any of a shop's fields; null clears location or phone"),
            "NewCustomer": body(customerFields, required: ["name"], "A new customer; null for an optional field is the same as leaving it out"),
            "CustomerChanges": body(customerFields, "Any of a customer's fields; null clears the optional ones"),
            "NewVehicle": body(vehicleFields, required: ["customer_id"], "A new vehicle: its owner and a plate, a VIN or both; "
                                   + "the VIN's check digit is verified", extra: ["anyOf": plateOrVIN]),
            "DescribedVehicle": body(vehicleWithoutOwner, "A vehicle described inline in a new work order, owned by its customer: "
                                         + "matched by VIN, then plate, else created", extra: ["anyOf": plateOrVIN]),
            "VehicleChanges": body(vehicleFields, "Any of a vehicle's fields; null clears the optional ones"),
            "NewEngineer": body(engineerFields, required: ["name"], "A new engineer; null for an optional field is the same as leaving it out"),
            "EngineerChanges": body(engineerFields, "Any of an engineer's fields; skills and shop_ids, when sent, replace the whole set"),
            "NewWorkOrderType": body(workOrderTypeFields, required: ["code", "name"], "A new work-order type and its custom fields"),
            "WorkOrderTypeChanges": body(workOrderTypeFields, "Any of a type's fields; existing orders keep their values"),
        ]
    }

    /// A closed object of `fields`, with `required` ones and any `extra` keywords.
    static func body(_ fields: Object, required: [String] = [], _ description: String, extra: Object = [:]) -> Object {
        var schema: Object = ["type": "object", "additionalProperties": false, "description": description, "properties": fields]
        if !required.isEmpty { schema["required"] = required }
        return schema.merging(extra) { _, new in new }
    }

    /// A vehicle is found by its VIN or plate, so a new one needs at least one of them.
    static var plateOrVIN: [Object] {
        [["required": ["plate"], "properties": ["plate": ["type": "string"]]] as Object,
         ["required": ["vin"], "properties": ["vin": ["type": "string"]]] as Object]
    }

    static var shopFields: Object {
        [
            "name": ["type": "string", "minLength": 1, "maxLength": 200] as Object,
            "address": ["type": "string", "maxLength": 500] as Object,
            "location": ["oneOf": [ref("PositionInput"), ["type": "null"]]] as Object,
            "timezone": ["type": "string", "examples": ["Asia/Shanghai"]] as Object,
            "phone": ["type": ["string", "null"], "pattern": "^[0-9 +()-]{1,32}$", "examples": ["0571-88776655"]] as Object,
            "opening_hours": ref("OpeningHours"),
        ]
    }

    /// Makes, or makes and models, a part or article applies to; empty for all.
    static var fitsSchema: Object {
        let name: Object = ["type": "string", "minLength": 1, "maxLength": 100]
        return ["type": "array", "maxItems": 50, "description": "Makes, or makes and models, it applies to; empty for all",
                "items": ["type": "object", "required": ["make"], "additionalProperties": false,
                          "properties": ["make": name.merging(["examples": ["丰田"]]) { first, _ in first },
                                         "model": name.merging(["type": ["string", "null"], "examples": ["卡罗拉"],
                                                                "description": "null is the same as leaving it out"]) { _, new in new }] as Object] as Object]
    }

    static var customerFields: Object {
        [
            "name": ["type": "string", "minLength": 1, "maxLength": 200] as Object,
            "phones": ["type": "array", "maxItems": 5, "items": ["type": "string"], "description": "11-digit mainland mobiles or +E.164"] as Object,
            "wechat_openid": ["type": ["string", "null"], "maxLength": 64] as Object,
            "wechat_unionid": ["type": ["string", "null"], "maxLength": 64] as Object,
            "email": ["type": ["string", "null"], "maxLength": 254] as Object,
            "tags": ["type": "array", "maxItems": 20, "items": ["type": "string", "maxLength": 32] as Object] as Object,
            "external_id": ["type": ["string", "null"], "maxLength": 100, "description": "The customer's id in your CRM"] as Object,
            "sms_opt_out": ["type": "boolean", "description": "true records that the customer wants no SMS from the chain (a TD reply, say); false withdraws it"] as Object,
            "wechat_opt_out": ["type": "boolean", "description": "true records that the customer wants no WeChat messages; false withdraws it"] as Object,
        ]
    }

    static var vehicleFields: Object {
        [
            "customer_id": ["type": "string", "format": "uuid"] as Object,
            "vin": ["type": ["string", "null"], "pattern": "^[0-9A-HJ-NPR-Za-hj-npr-z]{17}$", "description": "17 letters and digits (no I, O or Q); the check digit (9th) is verified"]
                as Object,
            "plate": ["type": ["string", "null"], "description": "A mainland plate, in any common spelling (浙A·12345, 浙a12345)"] as Object,
            "make": ["type": ["string", "null"], "maxLength": 100] as Object,
            "model": ["type": ["string", "null"], "maxLength": 100] as Object,
            "year": ["type": ["integer", "null"], "minimum": 1950, "description": "At most next year"] as Object,
            "colour": ["type": ["string", "null"], "maxLength": 50] as Object,
            "mileage_km": ["type": ["integer", "null"], "minimum": 0, "maximum": 5_000_000] as Object,
            "mileage_read_on": ["type": ["string", "null"], "format": "date"] as Object,
            "external_id": ["type": ["string", "null"], "minLength": 1, "maxLength": 100, "description": "The vehicle's id in your CRM"]
                as Object,
        ]
    }

    static var engineerFields: Object {
        [
            "name": ["type": "string", "minLength": 1, "maxLength": 100] as Object,
            "external_id": ["type": ["string", "null"], "minLength": 1, "maxLength": 100, "description": "The person's id in your HR system"]
                as Object,
            "phone": ["type": ["string", "null"]] as Object, "skills": skillsSchema,
            "shop_ids": ["type": "array", "maxItems": 50, "items": ["type": "string", "format": "uuid"] as Object] as Object,
            "certifications": ["type": "array", "maxItems": 20, "items": ["type": "string"]] as Object,
            "active": ["type": "boolean", "description": "false stops the engineer's keys at once"] as Object,
            "status": ["type": "string", "enum": Engineer.Status.allCases.map(\.rawValue)] as Object,
            "notify_channel_id": ["type": ["string", "null"], "format": "uuid",
                                  "description": "The dingtalk_app, wecom_app or aliyun_sms channel that tells the engineer of offers, assignments, transfers, cancellations and customers' messages; null for none"] as Object,
            "dingtalk_user_id": ["type": ["string", "null"], "minLength": 1, "maxLength": 64, "pattern": "^[^\\s,|]+$",
                                 "description": "The engineer's userid in the DingTalk app (required when notify_channel_id is a dingtalk_app)"] as Object,
            "wecom_user_id": ["type": ["string", "null"], "minLength": 1, "maxLength": 64, "pattern": "^[^\\s,|]+$",
                              "description": "The engineer's userid in the WeCom app (required when notify_channel_id is a wecom_app)"] as Object,
        ]
    }

    static var workOrderTypeFields: Object {
        [
            "code": ["type": "string", "pattern": "^[a-z][a-z0-9_]{0,63}$"] as Object,
            "name": ["type": "string", "minLength": 1, "maxLength": 100] as Object,
            "template": ref("WorkOrderTemplate"), "active": ["type": "boolean"],
            "checklist": ["type": "array", "maxItems": 50, "items": ["type": "string", "maxLength": 200] as Object] as Object,
        ]
    }
}
