import Foundation

/// A position in decimal degrees, in GCJ-02: the datum mainland map apps (AMap, Tencent Maps,
/// WeChat's location messages) report and the navigation links ask for. Every stored position is
/// GCJ-02; a position that arrives in WGS-84 (a phone's raw GPS) is converted at the edge, see
/// `CoordinateDatum`. The two differ by a few hundred metres inside China, the size of a check-in
/// radius, so mixing them would flag honest check-ins and misjudge who is near.
public struct GeoPoint: Sendable, Equatable, Codable {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    public func errors(field: String) -> [FieldError] {
        var errors: [FieldError] = []
        if !(latitude.isFinite && (-90...90).contains(latitude)) {
            errors.append(FieldError(field: "\(field).latitude", message: "must be between -90 and 90"))
        }
        if !(longitude.isFinite && (-180...180).contains(longitude)) {
            errors.append(FieldError(field: "\(field).longitude", message: "must be between -180 and 180"))
        }
        return errors
    }
}
