import Foundation
import PitstopCore

/// Checks JSON values against the schemas of an OpenAPI 3.1 document (JSON Schema 2020-12), for
/// the keywords the Pitstop document uses: `$ref` into the document, `type` (one or a list),
/// `enum`, `const`, `properties`, `required`, `additionalProperties`, `propertyNames`,
/// `minProperties`, `maxProperties`, `items`, `minItems`, `maxItems`, `uniqueItems`, `minLength`, `maxLength`,
/// `pattern`, `format` (uuid, date, date-time, uri), the numeric bounds and `multipleOf`, `allOf`,
/// `oneOf`, `anyOf` and `not`.
/// Annotations (`description`, `default`, `examples`, `content*`, `writeOnly`) assert nothing. A
/// keyword it does not know is reported as an error, so the document cannot outgrow the check.
public struct SchemaValidator {
    public let document: [String: JSONValue]

    public init(document: [String: JSONValue]) {
        self.document = document
    }

    static let annotations: Set<String> = ["description", "default", "examples", "contentEncoding", "contentMediaType", "writeOnly", "readOnly", "title"]

    /// What is wrong with `value` under `schema`, each naming where (`$.items[0].status`); empty when it conforms.
    public func errors(_ value: JSONValue, _ schema: JSONValue, at path: String = "$") -> [String] {
        guard case .object(let keywords) = schema else {
            if case .bool(let allowed) = schema { return allowed ? [] : ["\(path): no value is allowed here"] }
            return ["\(path): the schema is not an object"]
        }
        var errors: [String] = []
        for (keyword, argument) in keywords.sorted(by: { $0.key < $1.key }) {
            errors += check(keyword, argument, value, in: keywords, at: path)
        }
        return errors
    }

    private func check(_ keyword: String, _ argument: JSONValue, _ value: JSONValue, in keywords: [String: JSONValue], at path: String) -> [String] {
        switch keyword {
        case "$ref":
            guard case .string(let reference) = argument, let target = resolve(reference) else { return ["\(path): cannot resolve \(argument)"] }
            return errors(value, target, at: path)
        case "type":
            let allowed: [String]
            switch argument {
            case .string(let one): allowed = [one]
            case .array(let many): allowed = many.compactMap { if case .string(let name) = $0 { name } else { nil } }
            default: return ["\(path): type is neither a name nor a list"]
            }
            return allowed.contains(where: { Self.has(type: $0, value) }) ? [] : ["\(path): \(Self.describe(value)) is not of type \(allowed.joined(separator: " or "))"]
        case "enum":
            guard case .array(let values) = argument else { return ["\(path): enum is not a list"] }
            return values.contains(value) ? [] : ["\(path): \(Self.describe(value)) is not one of \(values.map(Self.describe))"]
        case "const":
            return argument == value ? [] : ["\(path): \(Self.describe(value)) is not \(Self.describe(argument))"]
        case "properties":
            guard case .object(let object) = value, case .object(let properties) = argument else { return [] }
            return properties.sorted(by: { $0.key < $1.key }).flatMap { name, schema in
                object[name].map { errors($0, schema, at: "\(path).\(name)") } ?? []
            }
        case "required":
            guard case .object(let object) = value, case .array(let names) = argument else { return [] }
            return names.compactMap { name in
                guard case .string(let name) = name else { return "\(path): required lists a non-string" }
                return object[name] == nil ? "\(path): \(name) is required but missing" : nil
            }
        case "dependentRequired":
            guard case .object(let object) = value, case .object(let dependencies) = argument else { return [] }
            return dependencies.sorted(by: { $0.key < $1.key }).flatMap { present, needed -> [String] in
                guard object[present] != nil, case .array(let names) = needed else { return [] }
                return names.compactMap { name in
                    guard case .string(let name) = name else { return "\(path): dependentRequired lists a non-string" }
                    return object[name] == nil ? "\(path): \(name) is required with \(present) but missing" : nil
                }
            }
        case "additionalProperties":
            guard case .object(let object) = value else { return [] }
            var declared = Set<String>()
            if case .object(let properties)? = keywords["properties"] { declared = Set(properties.keys) }
            return object.keys.sorted().filter { !declared.contains($0) }.flatMap { name in
                errors(object[name] ?? .null, argument, at: "\(path).\(name)")
            }
        case "propertyNames":
            guard case .object(let object) = value else { return [] }
            return object.keys.sorted().flatMap { errors(.string($0), argument, at: "\(path) (property name \($0))") }
        case "minProperties", "maxProperties":
            guard case .object(let object) = value, case .number(let bound) = argument else { return [] }
            let fits = keyword == "minProperties" ? Double(object.count) >= bound : Double(object.count) <= bound
            return fits ? [] : ["\(path): has \(object.count) properties, against \(keyword) \(Int(bound))"]
        case "items":
            guard case .array(let items) = value else { return [] }
            return items.enumerated().flatMap { errors($0.element, argument, at: "\(path)[\($0.offset)]") }
        case "minItems", "maxItems":
            guard case .array(let items) = value, case .number(let bound) = argument else { return [] }
            let fits = keyword == "minItems" ? Double(items.count) >= bound : Double(items.count) <= bound
            return fits ? [] : ["\(path): has \(items.count) items, against \(keyword) \(Int(bound))"]
        case "uniqueItems":
            guard case .array(let items) = value, argument == .bool(true) else { return [] }
            let repeated = items.enumerated().contains { index, item in items[..<index].contains(item) }
            return repeated ? ["\(path): items repeat"] : []
        case "minLength", "maxLength":
            guard case .string(let text) = value, case .number(let bound) = argument else { return [] }
            let length = text.unicodeScalars.count
            let fits = keyword == "minLength" ? Double(length) >= bound : Double(length) <= bound
            return fits ? [] : ["\(path): \(length) characters, against \(keyword) \(Int(bound))"]
        case "pattern":
            guard case .string(let text) = value, case .string(let pattern) = argument else { return [] }
            guard let expression = try? NSRegularExpression(pattern: pattern) else { return ["\(path): the pattern \(pattern) does not compile"] }
            let found = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            return found ? [] : ["\(path): \(Self.describe(value)) does not match \(pattern)"]
        case "format":
            guard case .string(let text) = value, case .string(let format) = argument else { return [] }
            return Self.conforms(text, to: format) ? [] : ["\(path): \(Self.describe(value)) is not a \(format)"]
        case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
            guard case .number(let number) = value, case .number(let bound) = argument else { return [] }
            let fits = switch keyword {
            case "minimum": number >= bound
            case "maximum": number <= bound
            case "exclusiveMinimum": number > bound
            default: number < bound
            }
            return fits ? [] : ["\(path): \(number) is outside \(keyword) \(bound)"]
        case "not":
            return errors(value, argument, at: path).isEmpty ? ["\(path): \(Self.describe(value)) matches what \"not\" forbids"] : []
        case "multipleOf":
            guard case .number(let number) = value, case .number(let step) = argument, step > 0 else { return [] }
            // Decimal steps such as 0.001 are not exact in binary: compare the quotient to a whole number.
            let quotient = number / step
            return abs(quotient - quotient.rounded()) < 1e-6 ? [] : ["\(path): \(number) is not a multiple of \(step)"]
        case "allOf":
            guard case .array(let parts) = argument else { return ["\(path): allOf is not a list"] }
            return parts.flatMap { errors(value, $0, at: path) }
        case "oneOf", "anyOf":
            guard case .array(let choices) = argument else { return ["\(path): \(keyword) is not a list"] }
            let matching = choices.filter { errors(value, $0, at: path).isEmpty }.count
            let fits = keyword == "oneOf" ? matching == 1 : matching >= 1
            return fits ? [] : ["\(path): \(Self.describe(value)) matches \(matching) of the \(choices.count) choices of \(keyword)"]
        default:
            return Self.annotations.contains(keyword) ? [] : ["\(path): the validator does not know the keyword \(keyword)"]
        }
    }

    /// A `#/a/b/c` pointer into the document.
    func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node = JSONValue.object(document)
        for part in reference.dropFirst(2).split(separator: "/") {
            guard case .object(let object) = node, let next = object[String(part)] else { return nil }
            node = next
        }
        return node
    }

    static func has(type: String, _ value: JSONValue) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array), ("object", .object): true
        case ("integer", .number(let number)): number.rounded() == number
        default: false
        }
    }

    static func conforms(_ text: String, to format: String) -> Bool {
        switch format {
        case "uuid":
            return text.count == 36 && UUID(uuidString: text) != nil
        case "date":
            return CustomField.isCalendarDate(text)
        case "date-time":
            return (try? Date(text, strategy: .iso8601)) != nil
                || (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) != nil
        case "uri":
            return URL(string: text)?.scheme != nil
        default:
            return true
        }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): String(flag)
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .string(let text): "\"\(text.prefix(60))\""
        case .array(let items): "an array of \(items.count)"
        case .object: "an object"
        }
    }
}
