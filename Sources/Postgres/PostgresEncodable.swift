import Foundation
import Identifiers

/// A Swift value that can be bound as a statement parameter, in PostgreSQL's text format.
/// `nil` text binds SQL NULL.
public protocol PostgresEncodable {
    var postgresText: String? { get }
}

extension String: PostgresEncodable {
    public var postgresText: String? { self }
}

extension Int: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Double: PostgresEncodable {
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return String(self)
    }
}

extension Bool: PostgresEncodable {
    public var postgresText: String? { self ? "t" : "f" }
}

extension UUID: PostgresEncodable {
    public var postgresText: String? { lowercasedText }
}

extension Decimal: PostgresEncodable {
    public var postgresText: String? { NSDecimalNumber(decimal: self).description(withLocale: Locale(identifier: "en_US_POSIX")) }
}

extension Date: PostgresEncodable {
    public var postgresText: String? { PostgresTimestamp.format(self) }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresText: String? {
        switch self {
        case .none: nil
        case .some(let value): value.postgresText
        }
    }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public var postgresText: String? { PostgresArray.format(map(\.postgresText)) }
}

/// Element types allowed in array parameters and results.
public protocol PostgresArrayElement: PostgresEncodable, PostgresDecodable {}
extension String: PostgresArrayElement {}
extension UUID: PostgresArrayElement {}
extension Int: PostgresArrayElement {}
extension Date: PostgresArrayElement {}

/// A Codable value stored as `jsonb`. Keys are sorted so equal values encode to equal text.
public struct JSONB<Value: Codable>: PostgresEncodable {
    public var value: Value
    public init(_ value: Value) { self.value = value }

    public var postgresText: String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // Encoding a Codable value into JSON fails only for non-finite floats; those are
        // programming errors at the call site, not input errors.
        guard let data = try? encoder.encode(value) else {
            preconditionFailure("value of \(Value.self) cannot be encoded as JSON")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
