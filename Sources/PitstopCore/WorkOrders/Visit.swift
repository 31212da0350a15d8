import Foundation

/// The engineer at the job: checked in with a GPS position (and how far it was from the expected
/// place), and later checked out.
public struct Visit: Sendable, Equatable {
    public var id: UUID
    public var workOrderID: UUID
    public var engineerID: UUID
    public var checkedInAt: Date
    public var checkIn: GeoPoint
    /// Metres from the shop or the on-site location; nil when the order has neither.
    public var distanceMeters: Int?
    /// Farther than the policy's check-in radius: worth a dispatcher's look.
    public var outsideRadius: Bool
    public var checkedOutAt: Date?
    public var checkOut: GeoPoint?

    public init(id: UUID, workOrderID: UUID, engineerID: UUID, checkedInAt: Date, checkIn: GeoPoint, distanceMeters: Int?,
                outsideRadius: Bool, checkedOutAt: Date?, checkOut: GeoPoint?) {
        self.id = id
        self.workOrderID = workOrderID
        self.engineerID = engineerID
        self.checkedInAt = checkedInAt
        self.checkIn = checkIn
        self.distanceMeters = distanceMeters
        self.outsideRadius = outsideRadius
        self.checkedOutAt = checkedOutAt
        self.checkOut = checkOut
    }
}
