import Foundation
import Logging

/// A body that reads `null` itself (a partial update, where null clears a field): the decoder
/// lets its nulls through. Any other body's top-level null is refused: a property that may be
/// left out is left out, so the document's schemas need no "or null" that would mean nothing.
public protocol ReadsNulls {}

/// The one JSON dialect of the API: snake_case keys, RFC 3339 dates with milliseconds, properties
/// in the order each type declares them and dictionary keys sorted, so equal values give equal
/// bytes (idempotent replays).
public enum JSONCoding {
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        try JSONWriter.encode(value)
    }

    public static func formatDate(_ date: Date) -> String {
        Timestamp.iso8601(date)
    }

    /// Decodes a request body into `T`, refusing fields outside `allowedFields` (a typo must not be
    /// silently ignored) and turning every decoding failure into a 400 problem that names the field.
    public static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], allowedFields: Set<String>) throws -> T {
        guard !body.isEmpty else { throw Problem.badRequest("the request body is empty; send a JSON object") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            throw Problem.badRequest("the request body is not valid JSON")
        }
        guard let fields = object as? [String: Any] else {
            throw Problem.badRequest("the request body must be a JSON object")
        }
        // Text with U+0000 cannot be stored (PostgreSQL text refuses it, C strings cut it short).
        let withNul = nulFields(in: object, path: "")
        if !withNul.isEmpty {
            throw Problem(status: 400, type: "nul-character", title: "NUL character",
                          detail: "\(withNul.joined(separator: ", ")) contains the NUL character (\\u0000), which text cannot hold",
                          errors: withNul.map { Problem.FieldIssue(field: $0, message: "must not contain the NUL character") })
        }
        if !(T.self is ReadsNulls.Type) {
            let nulls = fields.filter { allowedFields.contains($0.key) && $0.value is NSNull }.keys.sorted()
            if !nulls.isEmpty {
                throw Problem(status: 400, type: "wrong-type", title: "Wrong type",
                              detail: "\(nulls.joined(separator: ", ")) must not be null; leave out a field you do not send",
                              errors: nulls.map { Problem.FieldIssue(field: $0, message: "must not be null") })
            }
        }
        let topLevel = fields.keys.filter { !allowedFields.contains($0) }.sorted()
        let inner = (T.self as? ClosedInnerObjects.Type).map { InnerFields.unknown(in: fields, rules: $0.innerFields) } ?? []
        let unknown = topLevel + inner
        if !unknown.isEmpty {
            // The top level's members are worth listing; an inner object's are in the document.
            let allowed = inner.isEmpty ? "; allowed: \(allowedFields.sorted().joined(separator: ", "))" : ""
            throw Problem(status: 400, type: "unknown-field", title: "Unknown field",
                          detail: "unknown field\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", "))\(allowed)",
                          errors: unknown.map { Problem.FieldIssue(field: $0, message: "is not a known field") })
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: text) { return date }
            formatter.formatOptions = [.withInternetDateTime]
            if let date = formatter.date(from: text) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected an ISO-8601 date-time"))
        }
        do {
            return try decoder.decode(T.self, from: Data(body))
        } catch let error as DecodingError {
            throw problem(for: error)
        }
    }

    /// Paths (`tags[1]`, `customer.name`) of strings or keys containing U+0000.
    static func nulFields(in value: Any, path: String) -> [String] {
        switch value {
        case let text as String:
            return text.unicodeScalars.contains("\u{0}") ? [path] : []
        case let object as [String: Any]:
            return object.keys.sorted().flatMap { key -> [String] in
                let child = path.isEmpty ? key : "\(path).\(key)"
                return key.unicodeScalars.contains("\u{0}") ? [child] : nulFields(in: object[key]!, path: child)
            }
        case let array as [Any]:
            return array.enumerated().flatMap { nulFields(in: $0.element, path: "\(path)[\($0.offset)]") }
        default:
            return []
        }
    }

    static func problem(for error: DecodingError) -> Problem {
        func name(_ path: [CodingKey]) -> String {
            path.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue.snakeCased }
                .reduce("") { $0.isEmpty || $1.hasPrefix("[") ? $0 + $1 : $0 + "." + $1 }
        }
        switch error {
        case .typeMismatch(let expected, let context):
            let field = name(context.codingPath)
            return Problem(status: 400, type: "wrong-type", title: "Wrong type", detail: "\(field) must be \(describe(expected))",
                           errors: [.init(field: field, message: "must be \(describe(expected))")])
        case .valueNotFound(let expected, let context):
            let field = name(context.codingPath)
            return Problem(status: 400, type: "wrong-type", title: "Wrong type", detail: "\(field) must be \(describe(expected)), not null",
                           errors: [.init(field: field, message: "must not be null")])
        case .keyNotFound(let key, let context):
            let field = name(context.codingPath + [key])
            return Problem.validation([.init(field: field, message: "is required")])
        case .dataCorrupted(let context):
            let field = name(context.codingPath)
            return Problem.badRequest(field.isEmpty ? "the request body is not valid JSON" : "\(field) is not valid: \(context.debugDescription)",
                                      field: field.isEmpty ? nil : field)
        @unknown default:
            return Problem.badRequest("the request body could not be read")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "true or false"
        case is Date.Type: "an ISO-8601 date-time"
        default: type is any Collection.Type ? "an array" : "an object"
        }
    }
}

extension String {
    /// `displayName` → `display_name`, matching the encoder's key strategy.
    var snakeCased: String {
        var out = ""
        for character in self {
            if character.isUppercase {
                if !out.isEmpty { out += "_" }
                out += character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }
}
