import Foundation
import PitstopCore
import Testing

@Suite struct WorkOrderTemplateTests {
    let template = WorkOrderTemplate(fields: [
        CustomField(key: "insurer", label: "保险公司", kind: .text, required: true, minLength: 2, maxLength: 20),
        CustomField(key: "estimate", label: "Estimate (CNY)", kind: .number, minimum: 0, maximum: 100_000),
        CustomField(key: "panels", label: "Panels", kind: .integer, minimum: 1, maximum: 12),
        CustomField(key: "towed", label: "Towed in", kind: .boolean),
        CustomField(key: "accident_date", label: "Accident date", kind: .date),
        CustomField(key: "severity", label: "Severity", kind: .singleSelect, options: ["minor", "major"]),
        CustomField(key: "damage", label: "Damaged areas", kind: .multiSelect, options: ["front", "rear", "left", "right"]),
        CustomField(key: "scene_photo", label: "Scene photo", kind: .photo),
    ])

    func fieldsNamed(_ values: [String: JSONValue], mode: WorkOrderTemplate.Mode = .create) -> [String] {
        template.errors(in: values, mode: mode).map(\.field)
    }

    @Test func aCompleteValidSetPasses() {
        let values: [String: JSONValue] = [
            "insurer": .string("平安保险"), "estimate": .number(1234.5), "panels": .number(3), "towed": .bool(true),
            "accident_date": .string("2028-02-29"),
            "severity": .string("minor"), "damage": .array([.string("front"), .string("left")]),
            "scene_photo": .string(UUID().uuidString),
        ]
        #expect(template.errors(in: values, mode: .create).isEmpty)
    }

    @Test(arguments: [
        ("insurer", JSONValue.string("A"), "must be at least 2 characters"),
        ("insurer", .string(String(repeating: "x", count: 21)), "must be at most 20 characters"),
        ("insurer", .number(5), "must be text"),
        ("estimate", .number(-1), "must be at least 0"),
        ("estimate", .string("100"), "must be a number"),
        ("panels", .number(2.5), "must be a whole number"),
        ("panels", .number(13), "must be at most 12"),
        ("towed", .string("yes"), "must be true or false"),
        ("accident_date", .string("2026-02-29"), "must be a date written YYYY-MM-DD"),
        ("accident_date", .string("2026-2-1"), "must be a date written YYYY-MM-DD"),
        ("severity", .string("total"), "must be one of minor, major"),
        ("damage", .array([.string("front"), .string("roof")]), "must list values from front, rear, left, right"),
        ("damage", .array([.string("front"), .string("front")]), "lists front twice"),
        ("damage", .string("front"), "must be an array of options"),
        ("scene_photo", .string("photo.jpg"), "must be the id of an uploaded photo"),
    ])
    func eachTypeRefusesBadValuesNamingTheField(key: String, value: JSONValue, message: String) {
        var values: [String: JSONValue] = ["insurer": .string("人保")]
        values[key] = value
        let errors = template.errors(in: values, mode: .create)
        #expect(errors == [FieldError(field: "custom_fields.\(key)", message: message)])
    }

    @Test func requiredUnknownAndAllAtOnce() {
        #expect(fieldsNamed([:]) == ["custom_fields.insurer"])
        #expect(fieldsNamed(["insurer": .string("人保"), "colour": .string("red")]) == ["custom_fields.colour"])
        #expect(fieldsNamed(["panels": .number(0), "towed": .number(1)]).sorted()
                == ["custom_fields.insurer", "custom_fields.panels", "custom_fields.towed"])
    }

    @Test func updatesCheckOnlyWhatIsSentAndNullClearsOptionalFields() {
        #expect(fieldsNamed(["panels": .number(4)], mode: .update).isEmpty)
        #expect(fieldsNamed(["panels": .null], mode: .update).isEmpty)
        #expect(fieldsNamed(["insurer": .null], mode: .update) == ["custom_fields.insurer"])
    }

    @Test func templatesThemselvesAreChecked() {
        let broken = WorkOrderTemplate(fields: [
            CustomField(key: "Bad Key", label: "x", kind: .text),
            CustomField(key: "size", label: "", kind: .integer, minimum: 5, maximum: 1),
            CustomField(key: "size", label: "Size", kind: .singleSelect, options: []),
            CustomField(key: "note", label: "Note", kind: .text, minLength: 10, maxLength: 2, options: ["a"]),
        ])
        #expect(broken.definitionErrors().map(\.field) == [
            "fields[0].key", "fields[1].label", "fields[1].minimum", "fields[2].options", "fields[2].key",
            "fields[3].min_length", "fields[3].options",
        ])
        #expect(template.definitionErrors().isEmpty)
    }

    @Test func valuesRoundTripThroughJSON() throws {
        let values: [String: JSONValue] = ["a": .array([.number(1), .bool(false), .null]), "b": .object(["c": .string("汽修")])]
        let data = try JSONEncoder().encode(values)
        #expect(try JSONDecoder().decode([String: JSONValue].self, from: data) == values)
    }
}
