import Foundation

/// One custom field a work-order type declares, with its limits.
public struct CustomField: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case text, number, integer, boolean, date
        case singleSelect = "single_select"
        case multiSelect = "multi_select"
        /// The id (UUID) of an uploaded photo.
        case photo
    }

    /// The key in `custom_fields`: lower-case letters, digits and underscores.
    public var key: String
    public var label: String
    public var kind: Kind
    public var required: Bool
    /// Text: length limits in characters.
    public var minLength: Int?
    public var maxLength: Int?
    /// Number and integer: inclusive bounds.
    public var minimum: Double?
    public var maximum: Double?
    /// Selects: the allowed values.
    public var options: [String]?

    public init(key: String, label: String, kind: Kind, required: Bool = false, minLength: Int? = nil, maxLength: Int? = nil,
                minimum: Double? = nil, maximum: Double? = nil, options: [String]? = nil) {
        self.key = key
        self.label = label
        self.kind = kind
        self.required = required
        self.minLength = minLength
        self.maxLength = maxLength
        self.minimum = minimum
        self.maximum = maximum
        self.options = options
    }

    /// Text fields without a limit of their own are capped, so a template cannot invite megabytes.
    public static let defaultMaxTextLength = 2000

    /// Problems with a field definition itself, named under `fields[index]`.
    func definitionErrors(at index: Int) -> [FieldError] {
        let name = "fields[\(index)]"
        var errors: [FieldError] = []
        if !TextRules.isCode(key) { errors.append(FieldError(field: "\(name).key", message: TextRules.codeRule)) }
        errors += TextRules.lengthErrors(label, field: "\(name).label", limit: 100)
        if let minLength, let maxLength, minLength > maxLength {
            errors.append(FieldError(field: "\(name).min_length", message: "must not exceed max_length"))
        }
        if let minimum, let maximum, minimum > maximum {
            errors.append(FieldError(field: "\(name).minimum", message: "must not exceed maximum"))
        }
        let isSelect = kind == .singleSelect || kind == .multiSelect
        if isSelect {
            let choices = options ?? []
            if choices.isEmpty || Set(choices).count != choices.count || choices.contains(where: \.isEmpty) {
                errors.append(FieldError(field: "\(name).options", message: "must list at least one distinct, non-empty option"))
            }
        } else if options != nil {
            errors.append(FieldError(field: "\(name).options", message: "only select fields have options"))
        }
        return errors
    }

    /// Why `value` does not fit this field, or nil when it does. `value` is never `.null` here.
    func problem(with value: JSONValue) -> String? {
        switch (kind, value) {
        case (.text, .string(let text)):
            let count = text.count
            if let minLength, count < minLength { return "must be at least \(minLength) characters" }
            if count > (maxLength ?? Self.defaultMaxTextLength) { return "must be at most \(maxLength ?? Self.defaultMaxTextLength) characters" }
            return nil
        case (.number, .number(let number)):
            return bounds(number)
        case (.integer, .number(let number)):
            guard number.rounded() == number, abs(number) < 9_007_199_254_740_992 else { return "must be a whole number" }
            return bounds(number)
        case (.boolean, .bool):
            return nil
        case (.date, .string(let text)):
            return Self.isCalendarDate(text) ? nil : "must be a date written YYYY-MM-DD"
        case (.singleSelect, .string(let choice)):
            return options?.contains(choice) == true ? nil : "must be one of \(options?.joined(separator: ", ") ?? "")"
        case (.multiSelect, .array(let items)):
            var seen = Set<String>()
            for item in items {
                guard case .string(let choice) = item, options?.contains(choice) == true else {
                    return "must list values from \(options?.joined(separator: ", ") ?? "")"
                }
                guard seen.insert(choice).inserted else { return "lists \(choice) twice" }
            }
            return nil
        case (.photo, .string(let id)):
            return UUID(uuidString: id) == nil ? "must be the id of an uploaded photo" : nil
        default:
            return "must be \(kind.expectation)"
        }
    }

    private func bounds(_ number: Double) -> String? {
        if let minimum, number < minimum { return "must be at least \(Self.format(minimum))" }
        if let maximum, number > maximum { return "must be at most \(Self.format(maximum))" }
        return nil
    }

    private static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }

    /// Whether `text` is a real calendar day written YYYY-MM-DD.
    public static func isCalendarDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }
}

extension CustomField.Kind {
    var expectation: String {
        switch self {
        case .text: "text"
        case .number: "a number"
        case .integer: "a whole number"
        case .boolean: "true or false"
        case .date: "a date written YYYY-MM-DD"
        case .singleSelect: "one of the options, as a string"
        case .multiSelect: "an array of options"
        case .photo: "the id of an uploaded photo"
        }
    }
}
