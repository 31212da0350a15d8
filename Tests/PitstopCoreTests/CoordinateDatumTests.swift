import Foundation
import PitstopCore
import Testing

@Suite struct CoordinateDatumTests {
    /// WGS-84 → GCJ-02 reference pairs published with googollee/eviltransform's tests (Shanghai,
    /// Shenzhen, Beijing), and one more from another published implementation's tests.
    static let references: [(name: String, wgs84: GeoPoint, gcj02: GeoPoint)] = [
        ("Shanghai", GeoPoint(latitude: 31.1774276, longitude: 121.5272106), GeoPoint(latitude: 31.17530398364597, longitude: 121.531541859215)),
        ("Shenzhen", GeoPoint(latitude: 22.543847, longitude: 113.912316), GeoPoint(latitude: 22.540796131694766, longitude: 113.9171764808363)),
        ("Beijing", GeoPoint(latitude: 39.911954, longitude: 116.377817), GeoPoint(latitude: 39.91334545536069, longitude: 116.38404722455657)),
        ("Hebei", GeoPoint(latitude: 40.0, longitude: 116.0), GeoPoint(latitude: 40.001213650174, longitude: 116.006141221789)),
    ]

    @Test(arguments: references.indices)
    func rawGPSIsShiftedOntoThePublishedGCJ02Point(_ index: Int) {
        let reference = Self.references[index]
        let shifted = CoordinateDatum.wgs84.toGCJ02(reference.wgs84)
        // 1e-6° is about 0.1 m; the published points agree with each other to that.
        #expect(abs(shifted.latitude - reference.gcj02.latitude) < 1e-6, "\(reference.name)")
        #expect(abs(shifted.longitude - reference.gcj02.longitude) < 1e-6, "\(reference.name)")
        // The offset is the few hundred metres that would decide a check-in radius.
        let metres = reference.wgs84.distanceKm(to: shifted) * 1000
        #expect((100...1000).contains(metres), "\(reference.name): \(metres) m")
    }

    @Test func gcj02AndPointsOutsideChinaAreKeptAsTheyAre() {
        let hangzhou = GeoPoint(latitude: 30.27415, longitude: 120.15515)
        #expect(CoordinateDatum.gcj02.toGCJ02(hangzhou) == hangzhou)
        // Denver and Tokyo: GCJ-02 is WGS-84 outside the mainland's box.
        for abroad in [GeoPoint(latitude: 39.7392, longitude: -104.9903), GeoPoint(latitude: 35.6812, longitude: 139.7671)] {
            #expect(CoordinateDatum.wgs84.toGCJ02(abroad) == abroad)
        }
        // Out-of-range input is left for validation to name, not shifted into range.
        let nonsense = GeoPoint(latitude: 95, longitude: 120)
        #expect(CoordinateDatum.wgs84.toGCJ02(nonsense) == nonsense)
    }
}
