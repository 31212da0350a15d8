/// Reads JSON text (RFC 8259) into a `JSONValue` by hand. Custom fields are read from jsonb for
/// every row of every list, and Foundation's JSONDecoder, which tries each case of `JSONValue`
/// in turn, was a fifth of a list request's CPU time.
extension JSONValue {
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    public init(parsing text: String) throws(ParseError) {
        var parser = JSONValueParser(bytes: Array(text.utf8))
        self = try parser.document()
    }

    /// The members of a JSON object; any other JSON value is an error.
    public static func object(parsing text: String) throws(ParseError) -> [String: JSONValue] {
        guard case .object(let members) = try JSONValue(parsing: text) else {
            throw ParseError(offset: 0, reason: "expected an object")
        }
        return members
    }
}

private struct JSONValueParser {
    let bytes: [UInt8]
    var index = 0
    /// Deeper nesting than this is refused rather than risking the stack.
    static let maximumDepth = 256

    mutating func document() throws(JSONValue.ParseError) -> JSONValue {
        let value = try self.value(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw failure("unexpected text after the value") }
        return value
    }

    private func failure(_ reason: String) -> JSONValue.ParseError {
        JSONValue.ParseError(offset: index, reason: reason)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private mutating func value(depth: Int) throws(JSONValue.ParseError) -> JSONValue {
        guard depth < Self.maximumDepth else { throw failure("nested too deeply") }
        skipWhitespace()
        guard index < bytes.count else { throw failure("expected a value") }
        switch bytes[index] {
        case 0x7B: return try object(depth: depth)
        case 0x5B: return try array(depth: depth)
        case 0x22: return .string(try string())
        case 0x74: try literal("true"); return .bool(true)
        case 0x66: try literal("false"); return .bool(false)
        case 0x6E: try literal("null"); return .null
        default: return .number(try number())
        }
    }

    private mutating func object(depth: Int) throws(JSONValue.ParseError) -> JSONValue {
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == 0x7D {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == 0x22 else { throw failure("expected a member name") }
            let name = try string()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == 0x3A else { throw failure("expected :") }
            index += 1
            members[name] = try value(depth: depth + 1)
            skipWhitespace()
            guard index < bytes.count else { throw failure("unterminated object") }
            if bytes[index] == 0x2C { index += 1; continue }
            guard bytes[index] == 0x7D else { throw failure("expected , or }") }
            index += 1
            return .object(members)
        }
    }

    private mutating func array(depth: Int) throws(JSONValue.ParseError) -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == 0x5D {
            index += 1
            return .array(items)
        }
        while true {
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw failure("unterminated array") }
            if bytes[index] == 0x2C { index += 1; continue }
            guard bytes[index] == 0x5D else { throw failure("expected , or ]") }
            index += 1
            return .array(items)
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONValue.ParseError) {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard index + expected.count <= bytes.count, bytes[index..<index + expected.count].elementsEqual(expected) else {
            throw failure("expected \(word)")
        }
        index += expected.count
    }

    private mutating func number() throws(JSONValue.ParseError) -> Double {
        let start = index
        if index < bytes.count, bytes[index] == 0x2D { index += 1 }
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) || bytes[index] == 0x2E || bytes[index] == 0x65
                || bytes[index] == 0x45 || bytes[index] == 0x2B || bytes[index] == 0x2D {
            index += 1
        }
        guard index > start, let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)), value.isFinite else {
            index = start
            throw failure("expected a value")
        }
        return value
    }

    private mutating func string() throws(JSONValue.ParseError) -> String {
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case 0x22:
                return String(decoding: out, as: UTF8.self)
            case 0x5C:
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case 0x22, 0x5C, 0x2F: out.append(escape)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x75: out += Array(String(try unicodeEscape()).utf8)
                default: throw failure("unknown escape")
                }
            case 0..<0x20:
                throw failure("control character in a string")
            default:
                out.append(byte)
            }
        }
        throw failure("unterminated string")
    }

    /// The character of `\uXXXX` (the `\u` read), joining a surrogate pair.
    private mutating func unicodeEscape() throws(JSONValue.ParseError) -> Character {
        let first = try hex4()
        if (0xD800..<0xDC00).contains(first), index + 1 < bytes.count, bytes[index] == 0x5C, bytes[index + 1] == 0x75 {
            index += 2
            let second = try hex4()
            guard (0xDC00..<0xE000).contains(second) else { throw failure("unpaired surrogate") }
            let scalar = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            return Character(Unicode.Scalar(scalar)!)
        }
        guard let scalar = Unicode.Scalar(first) else { throw failure("unpaired surrogate") }
        return Character(scalar)
    }

    private mutating func hex4() throws(JSONValue.ParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            default: throw failure("bad \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
