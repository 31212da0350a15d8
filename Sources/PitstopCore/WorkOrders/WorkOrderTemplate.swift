/// The custom fields a work-order type declares. Orders keep the values they were saved with:
/// changing a template never rewrites or invalidates existing orders, because only the fields a
/// request sends are checked on update, and keys a template no longer has stay untouched.
public struct WorkOrderTemplate: Codable, Equatable, Sendable {
    public var fields: [CustomField]

    public init(fields: [CustomField]) {
        self.fields = fields
    }

    public static let maximumFields = 100

    /// Problems with the template itself, each named (`fields[2].options`).
    public func definitionErrors() -> [FieldError] {
        var errors: [FieldError] = []
        if fields.count > Self.maximumFields {
            errors.append(FieldError(field: "fields", message: "may declare at most \(Self.maximumFields) fields"))
        }
        var keys = Set<String>()
        for (index, field) in fields.enumerated() {
            errors += field.definitionErrors(at: index)
            if !keys.insert(field.key).inserted {
                errors.append(FieldError(field: "fields[\(index)].key", message: "repeats \(field.key)"))
            }
        }
        return errors
    }

    public enum Mode: Sendable {
        /// A new order: every required field must be present.
        case create
        /// A change: only the fields sent are checked; `null` clears an optional field.
        case update
    }

    /// Problems with custom-field values sent by a client, each named `custom_fields.<key>`.
    public func errors(in values: [String: JSONValue], mode: Mode) -> [FieldError] {
        var errors: [FieldError] = []
        let byKey = Dictionary(fields.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for key in values.keys.sorted() where byKey[key] == nil {
            errors.append(FieldError(field: "custom_fields.\(key)", message: "is not a field of this work-order type"))
        }
        for field in fields {
            let name = "custom_fields.\(field.key)"
            switch values[field.key] {
            case nil:
                if mode == .create && field.required { errors.append(FieldError(field: name, message: "is required")) }
            case .null?:
                if field.required { errors.append(FieldError(field: name, message: "is required and cannot be cleared")) }
            case let value?:
                if let problem = field.problem(with: value) { errors.append(FieldError(field: name, message: problem)) }
            }
        }
        return errors
    }
}
