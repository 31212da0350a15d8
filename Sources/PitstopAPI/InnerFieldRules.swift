import HTTPServer

// The inner objects each body closes, as its schema in the OpenAPI document does
// (`additionalProperties: false`); OpenAPIExampleTests sends every example with an unknown
// member in each object the document closes and expects it refused.

extension DispatchPolicyInputBody: ClosedInnerObjects {
    static let innerFields: [String: Set<String>] = ["weights": ["distance", "load", "skill", "fairness", "familiarity"]]
}

extension KnowledgeArticleBody: ClosedInnerObjects {
    static let innerFields: [String: Set<String>] = ["fits[]": InnerFieldRules.fit]
}

extension PartBody: ClosedInnerObjects {
    static let innerFields: [String: Set<String>] = ["fits[]": InnerFieldRules.fit]
}

extension ChannelInputBody: ClosedInnerObjects {
    static let innerFields: [String: Set<String>] = ["settings": ["access_key_id", "sign_name", "template_code", "mobiles", "format", "app_key", "agent_id", "sdk_app_id", "region"]]
}

extension ShopInputBody: ClosedInnerObjects {
    static let innerFields: [String: Set<String>] = ["location": PositionBody.fields]
}

extension SLACalendarInputBody: ClosedInnerObjects {
    /// `weekly`'s own members are days, checked with the rest of the calendar (a 422 naming each).
    static let innerFields: [String: Set<String>] = ["weekly.*[]": InnerFieldRules.hours, "make_up_hours[]": InnerFieldRules.hours]
}

extension SLAPolicyInputBody: ClosedInnerObjects {
    static let innerFields: [String: Set<String>] = [
        "match": ["priorities", "type_id", "shop_id", "customer_tag"],
        "first_response": InnerFieldRules.goal, "arrival": InnerFieldRules.goal, "resolution": InnerFieldRules.goal,
        "escalation[]": ["on", "after_minutes", "channels", "mention_assignee"],
    ]
}

extension NewWorkOrderBody: ClosedInnerObjects {
    /// An inline vehicle belongs to the order's customer, so it names no owner.
    static let innerFields: [String: Set<String>] = ["customer": CustomerInputBody.fields,
                                                     "vehicle": VehicleInputBody.fields.subtracting(["customer_id"])]
}

enum InnerFieldRules {
    static let fit: Set<String> = ["make", "model"]
    static let hours: Set<String> = ["from", "to"]
    static let goal: Set<String> = ["minutes", "business_time"]
}

extension ExtraWorkInputBody: ClosedInnerObjects {
    static let innerFields: [String: Set<String>] = ["lines[]": ["description", "quantity", "unit_price"]]
}
