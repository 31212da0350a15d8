/// A statement with its parameters. Built by string interpolation in which every `\(value)`
/// becomes a `$n` placeholder bound to that value, so input never becomes SQL text. Raw text can
/// only enter through the loudly named `\(unsafeRaw:)`, for identifiers the code itself chose.
///
///     let sql: SQL = "SELECT name FROM tenants WHERE id = \(id)"
public struct SQL: ExpressibleByStringInterpolation, Sendable, CustomStringConvertible {
    public private(set) var text: String
    public private(set) var parameters: [String?]

    public init(stringLiteral value: String) {
        text = value
        parameters = []
    }

    public init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
        parameters = stringInterpolation.parameters
    }

    /// The statement text only: parameters are never printed, they may be secrets.
    public var description: String { text }

    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""
        var parameters: [String?] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
            parameters.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            text += literal
        }

        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            parameters.append(value.postgresText)
            text += "$\(parameters.count)"
        }

        /// Binds NULL for nil. (Spelled out so the compiler sees an Optional is meant.)
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            parameters.append(value?.postgresText)
            text += "$\(parameters.count)"
        }

        /// Inserts text verbatim. Only for fixed SQL chosen by the code, never for input.
        public mutating func appendInterpolation(unsafeRaw raw: String) {
            text += raw
        }
    }
}
