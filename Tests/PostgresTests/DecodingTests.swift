import Foundation
import PitstopTesting
import Postgres
import Testing

@Suite struct DecodingTests {
    let pool = ConnectionPool(configuration: TestDatabase.shared.ownerConfiguration, size: 2)

    func one(_ sql: SQL) throws -> Row {
        try pool.withConnection { try #require($0.query(sql).first) }
    }

    @Test func scalarsRoundTrip() throws {
        let id = UUID()
        let row = try one("""
            SELECT \(42)::int AS i, \(Int64.max)::int8 AS big, \(Int32(-7))::int4 AS small, \(3.25)::float8 AS d,
                   \(true)::bool AS yes, \(false)::bool AS no, \("汽修 'quoted' \\ \"x\"")::text AS s, \(id)::uuid AS u,
                   \(Decimal(string: "12345.6789")!)::numeric AS n
            """)
        #expect(try row.decode("i", as: Int.self) == 42)
        #expect(try row.decode("big", as: Int64.self) == Int64.max)
        #expect(try row.decode("small", as: Int32.self) == -7)
        #expect(try row.decode("d", as: Double.self) == 3.25)
        #expect(try row.decode("yes", as: Bool.self) == true)
        #expect(try row.decode("no", as: Bool.self) == false)
        #expect(try row.decode("s", as: String.self) == "汽修 'quoted' \\ \"x\"")
        #expect(try row.decode("u", as: UUID.self) == id)
        #expect(try row.decode("n", as: Decimal.self) == Decimal(string: "12345.6789")!)
    }

    @Test func timestampsRoundTripToTheMicrosecond() throws {
        let date = Date(timeIntervalSince1970: 1_795_000_000.123456)
        let row = try one("SELECT \(date)::timestamptz AS t, '2026-02-15 08:30:00+08'::timestamptz AS fixed")
        let back: Date = try row.decode("t")
        #expect(abs(back.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.000_001)
        let fixed: Date = try row.decode("fixed")
        #expect(fixed == ISO8601DateFormatter().date(from: "2026-02-15T00:30:00Z"))
    }

    @Test func arraysRoundTrip() throws {
        let ids = [UUID(), UUID()]
        let times = [Date(timeIntervalSince1970: 1_780_000_000.25), Date(timeIntervalSince1970: 0)]
        let row = try one("""
            SELECT \(["a", "b c", "d,\"e\"", "NULL", "", #"C:\dir\"#, "发动机 🚗"])::text[] AS texts, \(ids)::uuid[] AS ids,
                   \([1, -2, 3])::int[] AS ints, \([String]())::text[] AS empty, \(times)::timestamptz[] AS times
            """)
        #expect(try row.decode("texts", as: [String].self) == ["a", "b c", "d,\"e\"", "NULL", "", #"C:\dir\"#, "发动机 🚗"])
        #expect(try row.decode("ids", as: [UUID].self) == ids)
        #expect(try row.decode("ints", as: [Int].self) == [1, -2, 3])
        #expect(try row.decode("empty", as: [String].self) == [])
        #expect(try row.decode("times", as: [Date].self) == times)
    }

    @Test func jsonbRoundTripsCodable() throws {
        struct Fields: Codable, Equatable { var mileage: Int; var tags: [String] }
        let value = Fields(mileage: 120_000, tags: ["保养", "tyres"])
        let row = try one("SELECT \(JSONB(value))::jsonb AS j")
        #expect(try row.decodeJSON("j", as: Fields.self) == value)
    }

    @Test func nullsDecodeAsOptionalAndRefuseNonOptional() throws {
        let missing: String? = nil
        let row = try one("SELECT \(missing)::text AS s, NULL::int AS i")
        #expect(try row.decode("s", as: String?.self) == nil)
        #expect(try row.decode("i", as: Int?.self) == nil)
        let error = #expect(throws: PostgresError.self) { try row.decode("s", as: String.self) }
        #expect(error?.kind == .decoding)
        #expect(error?.message.contains("NULL") == true)
    }

    @Test func typeMismatchIsAClearError() throws {
        let row = try one("SELECT 'abc'::text AS s, 5::int AS i")
        let error = #expect(throws: PostgresError.self) { try row.decode("s", as: Int.self) }
        #expect(error?.kind == .decoding)
        #expect(error?.message.contains("\"s\"") == true)
        #expect(throws: PostgresError.self) { try row.decode("i", as: UUID.self) }
        let unknown = #expect(throws: PostgresError.self) { try row.decode("nope", as: Int.self) }
        #expect(unknown?.message.contains("nope") == true)
    }

    @Test func fragmentsKeepTheirParametersInOrder() throws {
        let inner: SQL = "\(2)::int + \(3)::int"
        let outer: SQL = "SELECT \(1)::int AS a, \(inner) AS b, \(10)::int AS c"
        #expect(outer.text == "SELECT $1::int AS a, $2::int + $3::int AS b, $4::int AS c")
        let row = try one(outer)
        #expect(try row.decode("a", as: Int.self) == 1)
        #expect(try row.decode("b", as: Int.self) == 5)
        #expect(try row.decode("c", as: Int.self) == 10)
    }

    @Test func joinedFragmentsRenumber() throws {
        let joined = SQL.joined(["a = \(1)", "b = \(2)", "c = \(3)"], separator: " AND ")
        #expect(joined.text == "a = $1 AND b = $2 AND c = $3")
        #expect(joined.parameters == ["1", "2", "3"])
        #expect(SQL.joined([], separator: ", ").text == "")
    }

    @Test func textWithNulIsRefusedNotCutShort() throws {
        let error = #expect(throws: PostgresError.self) { try pool.transaction { try $0.query("SELECT \("a\u{0}b")::text AS s") } }
        #expect(error?.kind == .invalidParameter)
        #expect(try pool.transaction { try $0.query("SELECT \("ab")::text AS s")[0].decode("s", as: String.self) } == "ab")
    }

    @Test func parametersAreNeverSQL() throws {
        let hostile = "'); DROP TABLE tenants; --"
        let row = try one("SELECT \(hostile)::text AS s")
        #expect(try row.decode("s", as: String.self) == hostile)
        let sql: SQL = "SELECT \(hostile)"
        #expect(sql.text == "SELECT $1")
        #expect(sql.description.contains("DROP") == false)
    }
}

@Suite struct UUIDTextTests {
    @Test func roundTripsAndMatchesFoundation() {
        for _ in 0..<100 {
            let id = UUID()
            #expect(id.lowercasedText == id.uuidString.lowercased())
            #expect(UUID(text: id.lowercasedText) == id)
            #expect(UUID(text: id.uuidString) == id)
        }
    }

    @Test(arguments: ["", "not-a-uuid", "0b0e7a6c-2f0e-4a47-9a7e-8f3d2e1c0b9", "0b0e7a6c-2f0e-4a47-9a7e-8f3d2e1c0b9az",
                      "0b0e7a6c2f0e-4a47-9a7e-8f3d2e1c0b9a0", "0b0e7a6c-2f0e-4a47-9a7e-8f3d2e1c0b9g"])
    func refusesAnythingElse(text: String) {
        #expect(UUID(text: text) == nil)
    }
}
