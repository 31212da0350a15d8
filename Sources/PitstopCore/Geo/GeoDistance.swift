import Foundation

extension GeoPoint {
    /// Mean Earth radius (IUGG), in kilometres.
    static let earthRadiusKm = 6371.0088

    /// Great-circle distance by the haversine formula: straight-line, not road distance, which
    /// is what dispatch needs to rank engineers without a routing service.
    public func distanceKm(to other: GeoPoint) -> Double {
        func radians(_ degrees: Double) -> Double { degrees * .pi / 180 }
        let dLat = radians(other.latitude - latitude)
        let dLon = radians(other.longitude - longitude)
        let a = sin(dLat / 2) * sin(dLat / 2)
            + cos(radians(latitude)) * cos(radians(other.latitude)) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * Self.earthRadiusKm * asin(min(1, sqrt(a)))
    }
}
