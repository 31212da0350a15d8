import Foundation
import PitstopCore
import Postgres

/// The scope tenant's visits: an engineer's check-in and check-out at an order, with where each
/// was made.
public struct VisitRepository {
    let transaction: Transaction
    let tenantID: UUID

    static let visitColumns = """
        id, work_order_id, engineer_id, checked_in_at, in_latitude, in_longitude, in_distance_m, outside_radius, \
        checked_out_at, out_latitude, out_longitude
        """

    /// Records the engineer's arrival. A second check-in before a check-out is a conflict.
    public func checkIn(id: UUID, engineer: UUID, at point: GeoPoint, distanceMeters: Int?, outsideRadius: Bool,
                        now: Date = Date()) throws -> Visit {
        let visit: Visit
        do {
            visit = try Self.decodeVisit(transaction.query("""
                INSERT INTO work_order_visits (tenant_id, id, work_order_id, engineer_id, checked_in_at, in_latitude, in_longitude,
                                               in_distance_m, outside_radius)
                VALUES (\(tenantID), \(UUID()), \(id), \(engineer), \(now), \(point.latitude), \(point.longitude), \(distanceMeters),
                        \(outsideRadius))
                RETURNING \(unsafeRaw: Self.visitColumns)
                """)[0])
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            throw StoreError.conflict("already checked in to this order; check out first")
        }
        return visit
    }

    /// Closes the engineer's open visit to the order.
    public func checkOut(id: UUID, engineer: UUID, at point: GeoPoint, now: Date = Date()) throws -> Visit {
        let rows = try transaction.query("""
            UPDATE work_order_visits SET checked_out_at = \(now), out_latitude = \(point.latitude), out_longitude = \(point.longitude)
            WHERE tenant_id = \(tenantID) AND work_order_id = \(id) AND engineer_id = \(engineer) AND checked_out_at IS NULL
            RETURNING \(unsafeRaw: Self.visitColumns)
            """)
        guard let row = rows.first else { throw StoreError.conflict("not checked in to this order") }
        return try Self.decodeVisit(row)
    }

    /// The order's visits, first first.
    public func visits(id: UUID) throws -> [Visit] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.visitColumns) FROM work_order_visits
            WHERE tenant_id = \(tenantID) AND work_order_id = \(id) ORDER BY checked_in_at, id
            """).rows.map(Self.decodeVisit)
    }

    static func decodeVisit(_ row: Row) throws -> Visit {
        let outLatitude: Double? = try row.decode("out_latitude")
        let outLongitude: Double? = try row.decode("out_longitude")
        return Visit(id: try row.decode("id"), workOrderID: try row.decode("work_order_id"), engineerID: try row.decode("engineer_id"),
                     checkedInAt: try row.decode("checked_in_at"),
                     checkIn: GeoPoint(latitude: try row.decode("in_latitude"), longitude: try row.decode("in_longitude")),
                     distanceMeters: try row.decode("in_distance_m"), outsideRadius: try row.decode("outside_radius"),
                     checkedOutAt: try row.decode("checked_out_at"),
                     checkOut: outLatitude.flatMap { lat in outLongitude.map { GeoPoint(latitude: lat, longitude: $0) } })
    }
}
