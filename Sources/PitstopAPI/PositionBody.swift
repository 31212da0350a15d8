import PitstopCore

/// A position as clients send it: `latitude`, `longitude` and, optionally, the `datum` they are
/// in: `gcj02` (the default: what AMap, Tencent Maps and WeChat report) or `wgs84` (a phone's raw
/// GPS). Whatever arrives is kept in GCJ-02, so every stored position compares with every other.
struct PositionBody: Decodable, Sendable, Equatable {
    var point: GeoPoint

    static let fields: Set<String> = ["latitude", "longitude", "datum"]

    enum CodingKeys: String, CodingKey {
        case latitude, longitude, datum
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let named = try container.decodeIfPresent(String.self, forKey: .datum) ?? CoordinateDatum.gcj02.rawValue
        guard let datum = CoordinateDatum(rawValue: named) else {
            let known = CoordinateDatum.allCases.map(\.rawValue).joined(separator: " or ")
            throw DecodingError.dataCorruptedError(forKey: .datum, in: container,
                                                   debugDescription: "must be \(known) (BD-09 and other datums are not taken)")
        }
        point = datum.toGCJ02(GeoPoint(latitude: try container.decode(Double.self, forKey: .latitude),
                                       longitude: try container.decode(Double.self, forKey: .longitude)))
    }
}
