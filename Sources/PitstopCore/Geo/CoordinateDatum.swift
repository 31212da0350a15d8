import Foundation

/// The datum a client's coordinates are in. Positions are stored in GCJ-02 (see `GeoPoint`);
/// clients that read a phone's raw GPS (Android's `LocationManager`, a GPS tracker) send WGS-84
/// and say so.
public enum CoordinateDatum: String, Sendable, Codable, CaseIterable {
    /// What AMap, Tencent Maps and WeChat report; stored as it is.
    case gcj02
    /// Raw GPS; shifted into GCJ-02 inside mainland China.
    case wgs84

    /// `point`, taken to be in this datum, in GCJ-02.
    public func toGCJ02(_ point: GeoPoint) -> GeoPoint {
        switch self {
        case .gcj02: point
        case .wgs84: Self.shiftedToGCJ02(point)
        }
    }

    // The public transform from WGS-84 to GCJ-02: an offset computed on the Krasovsky 1940
    // ellipsoid from two polynomial-and-sine series in the point's distance from (35° N, 105° E),
    // as widely published (the datum itself is not); the tests check it against the reference
    // points published with googollee/eviltransform.
    private static let semiMajorAxis = 6_378_245.0
    private static let eccentricitySquared = 0.006_693_421_622_965_943_23

    /// Outside this box (roughly mainland China) GCJ-02 is WGS-84, and no offset applies.
    static func isOutsideChina(_ point: GeoPoint) -> Bool {
        !(72.004...137.8347).contains(point.longitude) || !(0.8293...55.8271).contains(point.latitude)
    }

    static func shiftedToGCJ02(_ point: GeoPoint) -> GeoPoint {
        guard !isOutsideChina(point) else { return point }
        let x = point.longitude - 105, y = point.latitude - 35
        let radians = point.latitude / 180 * .pi
        let sine = sin(radians)
        let magic = 1 - eccentricitySquared * sine * sine
        let root = magic.squareRoot()
        let dLatitude = latitudeOffset(x, y) * 180 / ((semiMajorAxis * (1 - eccentricitySquared)) / (magic * root) * .pi)
        let dLongitude = longitudeOffset(x, y) * 180 / (semiMajorAxis / root * cos(radians) * .pi)
        return GeoPoint(latitude: point.latitude + dLatitude, longitude: point.longitude + dLongitude)
    }

    private static func latitudeOffset(_ x: Double, _ y: Double) -> Double {
        var offset = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * abs(x).squareRoot()
        offset += (20 * sin(6 * x * .pi) + 20 * sin(2 * x * .pi)) * 2 / 3
        offset += (20 * sin(y * .pi) + 40 * sin(y / 3 * .pi)) * 2 / 3
        offset += (160 * sin(y / 12 * .pi) + 320 * sin(y * .pi / 30)) * 2 / 3
        return offset
    }

    private static func longitudeOffset(_ x: Double, _ y: Double) -> Double {
        var offset = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * abs(x).squareRoot()
        offset += (20 * sin(6 * x * .pi) + 20 * sin(2 * x * .pi)) * 2 / 3
        offset += (20 * sin(x * .pi) + 40 * sin(x / 3 * .pi)) * 2 / 3
        offset += (150 * sin(x / 12 * .pi) + 300 * sin(x / 30 * .pi)) * 2 / 3
        return offset
    }
}
