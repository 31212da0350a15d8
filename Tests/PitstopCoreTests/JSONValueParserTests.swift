import Foundation
import PitstopCore
import Testing

@Suite struct JSONValueParserTests {
    /// What Foundation's decoder makes of the same text: the reference.
    func reference(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test(arguments: [
        #"{}"#, #"[]"#, #"{"mileage": 52000, "insurer": "平安", "ok": true, "gone": null}"#,
        #"{"nested": {"a": [1, 2.5, -3e-7, {"b": false}], "z": ""}}"#,
        #" [ "tab\tquote\" slash\/ back\\ \u00e9 \ud83d\ude97 \n" , 1E+21 , -0 ] "#,
        #""plain""#, #"0.1"#,
    ])
    func readsWhatFoundationReads(text: String) throws {
        #expect(try JSONValue(parsing: text) == (try reference(text)))
    }

    @Test(arguments: [
        "", "{", "[1,]", #"{"a" 1}"#, #"{"a":1,}"#, "tru", "nul", #""unterminated"#, #""bad \q escape""#, "01x",
        #"{"a":1} trailing"#, #""\ud800""#, "\"raw\u{1}control\"", String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
    ])
    func refusesWhatIsNotJSON(text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func objectsOnlyWhereAnObjectIsExpected() throws {
        #expect(try JSONValue.object(parsing: #"{"a": "b"}"#) == ["a": .string("b")])
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.object(parsing: "[1]") }
        // A repeated name keeps its last value, as jsonb does.
        #expect(try JSONValue.object(parsing: #"{"same": 1, "same": 2}"#) == ["same": .number(2)])
    }
}
