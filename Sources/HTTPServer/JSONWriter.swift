import Foundation
import Logging

/// Writes an `Encodable` value straight into JSON bytes in the API's dialect: snake_case keys
/// (Foundation's conversion rules), dates as RFC 3339 UTC with milliseconds, slashes unescaped,
/// numbers as Foundation prints them, UUIDs in lower case (as PostgreSQL prints them).
///
/// Foundation's JSONEncoder builds a tree of boxed values and converts every key on every use;
/// encoding responses with it was about half of the API's CPU time on list routes. This writer
/// streams instead: a keyed container writes `"key":value` as it is called, in the order the type
/// encodes its properties, and the containers a value opened are closed when its `encode(to:)`
/// returns. Dictionaries with string keys are written with their keys sorted (and unconverted,
/// as Foundation does), so equal values always give equal bytes.
///
/// Streaming assumes a container is finished once its parent is written to again, which holds
/// for synthesized conformances and for every hand-written one in this code base.
final class JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Open arrays and objects, innermost last: whether each has an element yet.
    private var open: [(closer: UInt8, hasElements: Bool)] = []
    private var keys: [String: [UInt8]] = [:]

    init() {
        bytes.reserveCapacity(512)
    }

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let writer = JSONWriter()
        try writer.write(value)
        return writer.bytes
    }

    // MARK: values

    func write<T: Encodable>(_ value: T) throws {
        // Casts to concrete types are cheap pointer comparisons; the protocol check for
        // dictionaries needs a conformance lookup, so its answer is kept per type.
        switch value {
        case let text as String: writeString(text)
        case let number as Int: writeInteger(number)
        case let flag as Bool: bytes += flag ? Self.trueBytes : Self.falseBytes
        case let number as Double: try writeDouble(number)
        case let date as Date: writeString(Timestamp.iso8601(date))
        // Lower-case, as PostgreSQL prints ids and as every id field of the API reads.
        case let id as UUID: writeString(id.uuidString.lowercased())
        case let number as Decimal: bytes += Array(number.description.utf8)
        case let number as Float: try writeDouble(Double(number))
        default:
            if let dictionary = stringKeyed(value) {
                try dictionary.writeSorted(to: self)
            } else if isInteger(T.self), let integer = value as? any FixedWidthInteger {
                writeInteger(integer)
            } else {
                let depth = open.count
                try value.encode(to: Adapter(writer: self))
                close(toDepth: depth)
            }
        }
    }

    private var dictionaryTypes: [ObjectIdentifier: Bool] = [:]
    private var integerTypes: [ObjectIdentifier: Bool] = [:]

    private func stringKeyed<T>(_ value: T) -> (any StringKeyedDictionary)? {
        let type = ObjectIdentifier(T.self)
        if dictionaryTypes[type] == false { return nil }
        let dictionary = value as? any StringKeyedDictionary
        dictionaryTypes[type] = dictionary != nil
        return dictionary
    }

    private func isInteger<T>(_ type: T.Type) -> Bool {
        let key = ObjectIdentifier(type)
        if let known = integerTypes[key] { return known }
        let answer = type is any FixedWidthInteger.Type
        integerTypes[key] = answer
        return answer
    }

    func writeNull() { bytes += Self.nullBytes }

    func writeInteger(_ value: any FixedWidthInteger) {
        bytes += Array(String(value).utf8)
    }

    func writeDouble(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(value) cannot be written as JSON"))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes += Array(text.utf8)
    }

    func writeString(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            bytes.append(0x22)
            // Most text needs no escaping: copy it in one go.
            guard utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else {
                bytes.append(contentsOf: utf8)
                bytes.append(0x22)
                return
            }
            for byte in utf8 {
                switch byte {
                case 0x22: bytes += [0x5C, 0x22]
                case 0x5C: bytes += [0x5C, 0x5C]
                case 0x0A: bytes += [0x5C, 0x6E]
                case 0x0D: bytes += [0x5C, 0x72]
                case 0x09: bytes += [0x5C, 0x74]
                case 0x08: bytes += [0x5C, 0x62]
                case 0x0C: bytes += [0x5C, 0x66]
                case 0..<0x20:
                    bytes += [0x5C, 0x75, 0x30, 0x30, Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0x0F)]]
                default: bytes.append(byte)
                }
            }
            bytes.append(0x22)
        }
    }

    // MARK: containers

    /// Opens an object or array at the current position.
    func begin(_ opener: UInt8, closer: UInt8) -> Int {
        bytes.append(opener)
        open.append((closer, false))
        return open.count
    }

    /// Prepares the container at `depth` (1-based) for its next element: closes any container
    /// nested in it (finished, since its parent is written again) and writes the comma.
    func nextElement(depth: Int) {
        close(toDepth: depth)
        if open[depth - 1].hasElements { bytes.append(0x2C) } else { open[depth - 1].hasElements = true }
    }

    /// Writes `"snake_key":` for an object element.
    func writeKey(_ key: CodingKey, converting: Bool) {
        var name = key.stringValue
        let written: Bool = name.withUTF8 { utf8 in
            // Keys of letters only that start lower-case (nearly all) convert byte by byte,
            // without a lookup; Foundation's rules differ for a leading capital run.
            guard converting, let first = utf8.first, (0x61...0x7A).contains(first), utf8.allSatisfy({ Self.isASCIILetter($0) })
            else { return false }
            bytes.append(0x22)
            for (index, byte) in utf8.enumerated() {
                if index > 0, Self.isASCIIUpper(byte),
                   !Self.isASCIIUpper(utf8[index - 1]) || (index + 1 < utf8.count && !Self.isASCIIUpper(utf8[index + 1])) {
                    bytes.append(0x5F)
                }
                bytes.append(Self.isASCIIUpper(byte) ? byte + 0x20 : byte)
            }
            bytes += [0x22, 0x3A]
            return true
        }
        if written { return }
        if !converting {
            writeString(name)
            bytes.append(0x3A)
            return
        }
        if let cached = keys[name] {
            bytes += cached
            return
        }
        let start = bytes.count
        writeString(Self.snakeCase(name))
        bytes.append(0x3A)
        keys[name] = Array(bytes[start...])
    }

    private static func isASCIIUpper(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) }
    private static func isASCIILetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }

    func writeKeySeparator() { bytes.append(0x3A) }

    /// Closes every container deeper than `depth`.
    func close(toDepth depth: Int) {
        while open.count > depth { bytes.append(open.removeLast().closer) }
    }

    /// Foundation's `convertToSnakeCase`: words split before an upper-case letter that follows
    /// a lower-case one, and before the last of a run of capitals (`myURLKey` → `my_url_key`).
    static func snakeCase(_ key: String) -> String {
        let scalars = Array(key.unicodeScalars)
        guard !scalars.isEmpty else { return key }
        func isUpper(_ index: Int) -> Bool { CharacterSet.uppercaseLetters.contains(scalars[index]) }
        func isLower(_ index: Int) -> Bool { CharacterSet.lowercaseLetters.contains(scalars[index]) }
        var words: [Range<Int>] = []
        var wordStart = 0
        var searchStart = 1
        while let upper = (searchStart..<max(searchStart, scalars.count)).first(where: isUpper) {
            words.append(wordStart..<upper)
            guard let lower = (upper..<scalars.count).first(where: isLower) else {
                wordStart = upper
                break
            }
            if lower == upper + 1 {
                wordStart = upper
            } else {
                words.append(upper..<(lower - 1))
                wordStart = lower - 1
            }
            searchStart = lower + 1
        }
        words.append(wordStart..<scalars.count)
        return words.map { range in
            var word = String.UnicodeScalarView()
            word.append(contentsOf: scalars[range])
            return String(word).lowercased()
        }.joined(separator: "_")
    }

    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)
    private static let nullBytes = Array("null".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)
}

/// `[String: Value]` dictionaries: written as objects with sorted, unconverted keys.
protocol StringKeyedDictionary {
    func writeSorted(to writer: JSONWriter) throws
}

extension Dictionary: StringKeyedDictionary where Key == String, Value: Encodable {
    func writeSorted(to writer: JSONWriter) throws {
        let depth = writer.begin(0x7B, closer: 0x7D)
        for key in keys.sorted() {
            writer.nextElement(depth: depth)
            writer.writeString(key)
            writer.writeKeySeparator()
            try writer.write(self[key]!)
        }
        writer.close(toDepth: depth - 1)
    }
}

/// The `Encoder` a value's `encode(to:)` sees.
private struct Adapter: Encoder {
    let writer: JSONWriter
    var codingPath: [CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedWriter(writer: writer, depth: writer.begin(0x7B, closer: 0x7D)))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        UnkeyedWriter(writer: writer, depth: writer.begin(0x5B, closer: 0x5D))
    }

    func singleValueContainer() -> SingleValueEncodingContainer {
        SingleValueWriter(writer: writer)
    }
}

private struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: JSONWriter
    let depth: Int
    var codingPath: [CodingKey] { [] }

    private func key(_ key: Key) {
        writer.nextElement(depth: depth)
        writer.writeKey(key, converting: true)
    }

    mutating func encodeNil(forKey key: Key) throws {
        self.key(key)
        writer.writeNull()
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        self.key(key)
        try writer.write(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        self.key(key)
        return KeyedEncodingContainer(KeyedWriter<NestedKey>(writer: writer, depth: writer.begin(0x7B, closer: 0x7D)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        self.key(key)
        return UnkeyedWriter(writer: writer, depth: writer.begin(0x5B, closer: 0x5D))
    }

    mutating func superEncoder() -> Encoder {
        writer.nextElement(depth: depth)
        writer.writeString("super")
        writer.writeKeySeparator()
        return Adapter(writer: writer)
    }

    mutating func superEncoder(forKey key: Key) -> Encoder {
        self.key(key)
        return Adapter(writer: writer)
    }
}

private struct UnkeyedWriter: UnkeyedEncodingContainer {
    let writer: JSONWriter
    let depth: Int
    var count = 0
    var codingPath: [CodingKey] { [] }

    mutating func encodeNil() throws {
        writer.nextElement(depth: depth)
        count += 1
        writer.writeNull()
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        writer.nextElement(depth: depth)
        count += 1
        try writer.write(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        writer.nextElement(depth: depth)
        count += 1
        return KeyedEncodingContainer(KeyedWriter<NestedKey>(writer: writer, depth: writer.begin(0x7B, closer: 0x7D)))
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        writer.nextElement(depth: depth)
        count += 1
        return UnkeyedWriter(writer: writer, depth: writer.begin(0x5B, closer: 0x5D))
    }

    mutating func superEncoder() -> Encoder {
        writer.nextElement(depth: depth)
        count += 1
        return Adapter(writer: writer)
    }
}

private struct SingleValueWriter: SingleValueEncodingContainer {
    let writer: JSONWriter
    var codingPath: [CodingKey] { [] }

    mutating func encodeNil() throws { writer.writeNull() }

    mutating func encode<T: Encodable>(_ value: T) throws { try writer.write(value) }
}
