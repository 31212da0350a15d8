import Foundation
@testable import HTTPServer
import Testing

/// The writer must say what Foundation's JSONEncoder (snake_case keys, the API's date format)
/// says, only faster: compared value for value on shapes the API returns.
@Suite struct JSONWriterTests {
    struct Site: Codable, Equatable {
        var latitude: Double
        var longitude: Double
        var address: String?
    }

    enum Loose: Codable, Equatable {
        case number(Double), text(String), list([Loose]), object([String: Loose]), nothing

        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .number(let value): try container.encode(value)
            case .text(let value): try container.encode(value)
            case .list(let value): try container.encode(value)
            case .object(let value): try container.encode(value)
            case .nothing: try container.encodeNil()
            }
        }
    }

    struct Record: Encodable {
        var id = "0b0e7a6c-2f0e-4a47-9a7e-8f3d2e1c0b9a"
        var typeId = "t"
        var statusChangedAt = Date(timeIntervalSince1970: 1_764_130_000.123)
        var completedAt: Date?
        var shopIDs = ["a", "b"]
        var myURLProperty = 3
        var x2Y = true
        var mileageKm: Int64 = 52_000
        var ratio: Float = 0.5
        var site: Site? = Site(latitude: 30.2741, longitude: 120.1551, address: "文三路 1 号 \"东门\"")
        var missingSite: Site?
        var customFields: [String: Loose] = ["Mileage": .number(52_000), "panels": .number(2.5), "note": .text("a/b\n\t\u{1}"),
                                             "parts": .list([.text("刹车片"), .nothing]), "nested": .object(["Z": .number(1e-7), "a": .number(-0.0)])]
        var symptoms: [String] = []
        var matrix: [[Int]] = [[1, 2], [], [3]]
    }

    func foundation(_ value: some Encodable) throws -> Any {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(JSONCoding.formatDate(date))
        }
        return try JSONSerialization.jsonObject(with: encoder.encode(value))
    }

    @Test func saysWhatFoundationSays() throws {
        for record in [Record(), Record(completedAt: Date(timeIntervalSince1970: 0), site: nil, customFields: [:])] {
            let written = try JSONWriter.encode(record)
            let parsed = try JSONSerialization.jsonObject(with: Data(written))
            #expect((parsed as? NSDictionary) == (try foundation(record) as? NSDictionary), "\(String(decoding: written, as: UTF8.self))")
        }
        let page = ["items": [Record(), Record()]]
        #expect((try JSONSerialization.jsonObject(with: Data(JSONWriter.encode(page))) as? NSDictionary) == (try foundation(page) as? NSDictionary))
    }

    @Test func bytesAreStableAndPlain() throws {
        // Dictionary keys sorted and kept as they are; numbers and escapes as Foundation prints them.
        let text = String(decoding: try JSONWriter.encode(["b": Loose.number(1), "A": .number(0.1), "c": .text("x/y\"\\\u{1f}é")]), as: UTF8.self)
        #expect(text == #"{"A":0.1,"b":1,"c":"x/y\"\\\u001fé"}"#)
        #expect(String(decoding: try JSONWriter.encode([1e21, 2.5e-5, 100]), as: UTF8.self) == "[1e+21,2.5e-05,100]")
        #expect(throws: EncodingError.self) { try JSONWriter.encode([Double.nan]) }
    }

    /// Awkward keys, and every key of up to four characters from a, B, C and 2.
    static let keys: [String] = {
        var keys = ["typeId", "myURLProperty", "shopIDs", "x2Y", "aBC", "already_snake", "createdAt", "URL", "URLs", "aB2c", "ABc"]
        var shorter = [""]
        for _ in 1...4 {
            shorter = shorter.flatMap { prefix in ["a", "B", "C", "2"].map { prefix + $0 } }
            keys += shorter
        }
        return keys
    }()

    @Test(arguments: keys)
    func keysConvertLikeFoundation(key: String) throws {
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        struct One: Encodable {
            let key: String
            func encode(to encoder: Encoder) throws {
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(1, forKey: Key(stringValue: key))
            }
        }
        let expected = try foundation(One(key: key)) as? [String: Any]
        #expect(JSONWriter.snakeCase(key) == expected?.keys.first)
        let written = try JSONSerialization.jsonObject(with: Data(JSONWriter.encode(One(key: key)))) as? [String: Any]
        #expect(written?.keys.first == expected?.keys.first)
    }
}
