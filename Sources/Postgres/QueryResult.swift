import CLibPQ
import Foundation

/// The rows of one statement. Owns its `PGresult`, which is cleared exactly once, in `deinit`.
public final class QueryResult: @unchecked Sendable {
    private let result: OpaquePointer
    public let count: Int
    /// Rows changed by INSERT/UPDATE/DELETE, 0 for other statements.
    public let affectedRows: Int
    /// Column names in result order.
    public let columns: [String]
    private let columnIndex: [String: Int]
    private let columnTypes: [UInt32]

    init(taking result: OpaquePointer) {
        self.result = result
        count = Int(PQntuples(result))
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
        let columns = Int(PQnfields(result))
        var names: [String] = []
        var index: [String: Int] = [:]
        var types: [UInt32] = []
        for column in 0..<columns {
            let name = String(cString: PQfname(result, Int32(column)))
            names.append(name)
            index[name] = column
            types.append(PQftype(result, Int32(column)))
        }
        self.columns = names
        columnIndex = index
        columnTypes = types
    }

    deinit { PQclear(result) }

    public subscript(row: Int) -> Row { Row(result: self, index: row) }

    public var rows: [Row] { (0..<count).map { Row(result: self, index: $0) } }

    public var first: Row? { count > 0 ? self[0] : nil }

    @usableFromInline
    func column(named name: String) throws -> Int {
        guard let column = columnIndex[name] else {
            throw PostgresError(kind: .decoding, message: "no column \"\(name)\" in the result; columns are \(columns)")
        }
        return column
    }

    /// A column's type and text (nil for NULL). Not generic, so that `Row.decode`, inlined and
    /// specialised where it is called, does no generic dispatch per value.
    @usableFromInline
    func raw(row: Int, column: Int) throws -> (oid: UInt32, text: String?) {
        guard column >= 0, column < columnTypes.count else {
            throw PostgresError(kind: .decoding, message: "column index \(column) is out of range")
        }
        if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return (columnTypes[column], nil) }
        return (columnTypes[column], String(cString: PQgetvalue(result, Int32(row), Int32(column))))
    }

    @usableFromInline
    func wrongType(column: Int, oid: UInt32, wanted: Any.Type) -> PostgresError {
        PostgresError(kind: .decoding, message: "column \"\(columns[column])\" has type oid \(oid), which cannot be read as \(wanted)")
    }

    @usableFromInline
    func invalidValue(column: Int, wanted: Any.Type) -> PostgresError {
        PostgresError(kind: .decoding, message: "column \"\(columns[column])\" holds a value that is not a valid \(wanted)")
    }

    @usableFromInline
    func unexpectedNull(column: Int, wanted: Any.Type) -> PostgresError {
        PostgresError(kind: .decoding, message: "column \"\(columns[column])\" is NULL but \(wanted) is not optional")
    }

    func jsonText(row: Int, column: Int) throws -> String? {
        let oid = columnTypes[column]
        guard oid == PostgresType.jsonb || oid == PostgresType.json else {
            throw PostgresError(kind: .decoding, message: "column \"\(columns[column])\" has type oid \(oid), not json or jsonb")
        }
        if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
        return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
    }
}

/// One row of a `QueryResult`; read columns by name or position with the Swift type you expect.
public struct Row: Sendable {
    @usableFromInline let result: QueryResult
    @usableFromInline let index: Int

    init(result: QueryResult, index: Int) {
        self.result = result
        self.index = index
    }

    /// A non-NULL column; NULL is a decoding error (ask for an Optional to allow it).
    @inlinable
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try decode(result.column(named: column), as: T.self)
    }

    @inlinable
    public func decode<T: PostgresDecodable>(_ column: String, as type: T?.Type = T?.self) throws -> T? {
        try decode(result.column(named: column), as: T?.self)
    }

    @inlinable
    public func decode<T: PostgresDecodable>(_ column: Int, as type: T?.Type = T?.self) throws -> T? {
        let (oid, text) = try result.raw(row: index, column: column)
        guard T.accepts(oid) else { throw result.wrongType(column: column, oid: oid, wanted: T.self) }
        guard let text else { return nil }
        guard let value = T.decode(postgresText: text) else { throw result.invalidValue(column: column, wanted: T.self) }
        return value
    }

    @inlinable
    public func decode<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws -> T {
        guard let value = try decode(column, as: T?.self) else { throw result.unexpectedNull(column: column, wanted: T.self) }
        return value
    }

    /// A json/jsonb column decoded into a Codable type.
    public func decodeJSON<T: Decodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try decodeJSON(column) { text in
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(T.self, from: Data(text.utf8))
        }
    }

    /// A json/jsonb column that may be NULL.
    public func decodeJSONIfPresent<T: Decodable>(_ column: String, as type: T.Type = T.self) throws -> T? {
        guard try result.jsonText(row: index, column: result.column(named: column)) != nil else { return nil }
        return try decodeJSON(column, as: T.self)
    }

    /// A json/jsonb column read by `parse`, for types with a faster reader than JSONDecoder.
    public func decodeJSON<T>(_ column: String, parse: (String) throws -> T) throws -> T {
        guard let text = try result.jsonText(row: index, column: result.column(named: column)) else {
            throw PostgresError(kind: .decoding, message: "column \"\(column)\" is NULL but \(T.self) is not optional")
        }
        do {
            return try parse(text)
        } catch {
            throw PostgresError(kind: .decoding, message: "column \"\(column)\" holds JSON that is not a valid \(T.self): \(error)")
        }
    }
}
