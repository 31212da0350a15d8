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

    func column(named name: String) throws -> Int {
        guard let column = columnIndex[name] else {
            throw PostgresError(kind: .decoding, message: "no column \"\(name)\" in the result; columns are \(columns)")
        }
        return column
    }

    func value<T: PostgresDecodable>(row: Int, column: Int, as type: T.Type) throws -> T? {
        guard column >= 0, column < columnTypes.count else {
            throw PostgresError(kind: .decoding, message: "column index \(column) is out of range")
        }
        let oid = columnTypes[column]
        guard T.accepts(oid) else {
            throw PostgresError(kind: .decoding, message: "column \"\(columns[column])\" has type oid \(oid), which cannot be read as \(T.self)")
        }
        if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
        let text = String(cString: PQgetvalue(result, Int32(row), Int32(column)))
        guard let value = T.decode(postgresText: text) else {
            throw PostgresError(kind: .decoding, message: "column \"\(columns[column])\" holds a value that is not a valid \(T.self)")
        }
        return value
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
    let result: QueryResult
    let index: Int

    /// A non-NULL column; NULL is a decoding error (ask for an Optional to allow it).
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let value = try result.value(row: index, column: result.column(named: column), as: T.self) else {
            throw PostgresError(kind: .decoding, message: "column \"\(column)\" is NULL but \(T.self) is not optional")
        }
        return value
    }

    public func decode<T: PostgresDecodable>(_ column: String, as type: T?.Type = T?.self) throws -> T? {
        try result.value(row: index, column: result.column(named: column), as: T.self)
    }

    public func decode<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws -> T {
        guard let value = try result.value(row: index, column: column, as: T.self) else {
            throw PostgresError(kind: .decoding, message: "column \(column) is NULL but \(T.self) is not optional")
        }
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
