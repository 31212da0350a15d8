import Foundation

/// A Swift type that can be read from a column in PostgreSQL's text format.
public protocol PostgresDecodable {
    /// Whether this Swift type reads columns of type `oid`; any other type is a decoding error.
    /// A function of comparisons rather than a set: it runs for every value decoded.
    static func accepts(_ oid: UInt32) -> Bool
    /// Parses the server's text; nil when the text is not a valid value.
    static func decode(postgresText: String) -> Self?
}

/// Built-in type OIDs (pg_type.dat); stable across PostgreSQL versions.
public enum PostgresType {
    public static let bool: UInt32 = 16
    public static let name: UInt32 = 19
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let oid: UInt32 = 26
    public static let json: UInt32 = 114
    public static let float4: UInt32 = 700
    public static let float8: UInt32 = 701
    public static let unknown: UInt32 = 705
    public static let bpchar: UInt32 = 1042
    public static let varchar: UInt32 = 1043
    public static let timestamptz: UInt32 = 1184
    public static let numeric: UInt32 = 1700
    public static let uuid: UInt32 = 2950
    public static let jsonb: UInt32 = 3802
    public static let textArray: UInt32 = 1009
    public static let varcharArray: UInt32 = 1015
    public static let int2Array: UInt32 = 1005
    public static let int4Array: UInt32 = 1007
    public static let int8Array: UInt32 = 1016
    public static let uuidArray: UInt32 = 2951
    public static let timestamptzArray: UInt32 = 1185
    public static let xid8: UInt32 = 5069
}

extension String: PostgresDecodable {
    public static func accepts(_ oid: UInt32) -> Bool {
        oid == PostgresType.text || oid == PostgresType.varchar || oid == PostgresType.bpchar || oid == PostgresType.name
            || oid == PostgresType.unknown
    }
    public static func decode(postgresText: String) -> String? { postgresText }
}

extension Int: PostgresDecodable {
    public static func accepts(_ oid: UInt32) -> Bool { oid == PostgresType.int2 || oid == PostgresType.int4 || oid == PostgresType.int8 || oid == PostgresType.oid }
    public static func decode(postgresText: String) -> Int? { Int(postgresText) }
}

extension Int64: PostgresDecodable {
    public static func accepts(_ oid: UInt32) -> Bool { oid == PostgresType.int2 || oid == PostgresType.int4 || oid == PostgresType.int8 || oid == PostgresType.oid }
    public static func decode(postgresText: String) -> Int64? { Int64(postgresText) }
}

/// Reads 64-bit transaction ids (`xid8`, e.g. `pg_current_xact_id()`) as the numbers they are,
/// so that nobody orders or compares them as text.
extension UInt64: PostgresDecodable {
    public static func accepts(_ oid: UInt32) -> Bool { oid == PostgresType.xid8 }
    public static func decode(postgresText: String) -> UInt64? { UInt64(postgresText) }
}

extension Int32: PostgresDecodable {
    public static func accepts(_ oid: UInt32) -> Bool { oid == PostgresType.int2 || oid == PostgresType.int4 }
    public static func decode(postgresText: String) -> Int32? { Int32(postgresText) }
}

extension Double: PostgresDecodable {
    public static func accepts(_ oid: UInt32) -> Bool { oid == PostgresType.float4 || oid == PostgresType.float8 || oid == PostgresType.numeric || oid == PostgresType.int2 || oid == PostgresType.int4 || oid == PostgresType.int8 }
    public static func decode(postgresText: String) -> Double? {
        switch postgresText {
        case "NaN": .nan
        case "Infinity": .infinity
        case "-Infinity": -.infinity
        default: Double(postgresText)
        }
    }
}

extension Bool: PostgresDecodable {
    public static func accepts(_ oid: UInt32) -> Bool { oid == PostgresType.bool }
    public static func decode(postgresText: String) -> Bool? {
        switch postgresText {
        case "t": true
        case "f": false
        default: nil
        }
    }
}

extension UUID: PostgresDecodable {
    public static func accepts(_ oid: UInt32) -> Bool { oid == PostgresType.uuid }
    public static func decode(postgresText: String) -> UUID? { UUID(text: postgresText) }
}

extension Decimal: PostgresDecodable {
    public static func accepts(_ oid: UInt32) -> Bool { oid == PostgresType.numeric || oid == PostgresType.int2 || oid == PostgresType.int4 || oid == PostgresType.int8 }
    public static func decode(postgresText: String) -> Decimal? {
        Decimal(string: postgresText, locale: Locale(identifier: "en_US_POSIX"))
    }
}

extension Date: PostgresDecodable {
    public static func accepts(_ oid: UInt32) -> Bool { oid == PostgresType.timestamptz }
    public static func decode(postgresText: String) -> Date? { PostgresTimestamp.parse(postgresText) }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    public static func accepts(_ oid: UInt32) -> Bool {
        if Element.self == String.self { return oid == PostgresType.textArray || oid == PostgresType.varcharArray }
        if Element.self == UUID.self { return oid == PostgresType.uuidArray }
        if Element.self == Date.self { return oid == PostgresType.timestamptzArray }
        return oid == PostgresType.int2Array || oid == PostgresType.int4Array || oid == PostgresType.int8Array
    }

    public static func decode(postgresText: String) -> [Element]? {
        guard let items = PostgresArray.parse(postgresText) else { return nil }
        var out: [Element] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let item, let value = Element.decode(postgresText: item) else { return nil }
            out.append(value)
        }
        return out
    }
}
