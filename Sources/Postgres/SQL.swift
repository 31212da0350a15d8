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

    /// Fragments joined with `separator` (fixed text such as " AND "), parameters renumbered.
    public static func joined(_ fragments: [SQL], separator: String) -> SQL {
        var result: SQL = ""
        for (index, fragment) in fragments.enumerated() {
            result = index == 0 ? "\(result)\(fragment)" : "\(result)\(unsafeRaw: separator)\(fragment)"
        }
        return result
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

        /// Embeds another statement fragment with its parameters, renumbering its placeholders.
        /// Fragments come from code and must not contain a literal `$` followed by digits.
        public mutating func appendInterpolation(_ fragment: SQL) {
            let offset = parameters.count
            parameters += fragment.parameters
            var characters = fragment.text[...]
            while let dollar = characters.firstIndex(of: "$") {
                text += characters[..<dollar]
                let digits = characters[characters.index(after: dollar)...].prefix { $0.isASCII && $0.isNumber }
                if let number = Int(digits) {
                    text += "$\(number + offset)"
                } else {
                    text += "$"
                }
                characters = characters[characters.index(after: dollar)...].dropFirst(digits.count)
            }
            text += characters
        }

        /// Inserts text verbatim. Only for fixed SQL chosen by the code, never for input.
        public mutating func appendInterpolation(unsafeRaw raw: String) {
            text += raw
        }
    }
}
