import Foundation

/// Where an engineer drives to, with links that open the route in the map apps engineers use.
/// Coordinates are taken as GCJ-02, the datum mainland apps (AMap, WeChat) report positions in.
public struct Navigation: Sendable, Equatable, Codable {
    public var latitude: Double
    public var longitude: Double
    public var address: String?
    /// AMap's web URI: opens the AMap app when installed, the AMap web page otherwise.
    public var amapUrl: String
    /// Baidu Maps' app scheme, and its web page for phones without the app.
    public var baiduUrl: String
    public var baiduWebUrl: String

    public init(to point: GeoPoint, name: String, address: String?) {
        latitude = point.latitude
        longitude = point.longitude
        self.address = address
        let label = Self.encoded(name)
        amapUrl = "https://uri.amap.com/navigation?to=\(point.longitude),\(point.latitude),\(label)&mode=car&coordinate=gaode&callnative=1&src=pitstop"
        let destination = "latlng:\(point.latitude),\(point.longitude)|name:\(label)"
        baiduUrl = "baidumap://map/direction?destination=\(destination)&coord_type=gcj02&mode=driving&src=pitstop"
        baiduWebUrl = "https://api.map.baidu.com/direction?destination=\(destination)&coord_type=gcj02&mode=driving&output=html&src=pitstop"
    }

    /// Percent-encodes a place name for a query value (everything but unreserved characters).
    static func encoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
