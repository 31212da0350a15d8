import Foundation

/// A way in for customers without an API key: a web form or a QR code (in a shop, or on a
/// sticker in one car). Every report through it opens an order with the link's channel and type,
/// and its shop or vehicle when the link names one.
public struct IntakeLink: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var channel: WorkOrder.Channel
    public var typeID: UUID
    public var shopID: UUID?
    public var vehicleID: UUID?
    /// Known only on the link just made: only its hash is stored, as an API key's is.
    public var secret: String?
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: UUID, name: String, channel: WorkOrder.Channel, typeID: UUID, shopID: UUID?, vehicleID: UUID?,
                secret: String?, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.name = name
        self.channel = channel
        self.typeID = typeID
        self.shopID = shopID
        self.vehicleID = vehicleID
        self.secret = secret
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// The public token, on the link just made.
    public func token(tenantID: UUID) -> PublicToken? {
        secret.map { PublicToken(kind: .intake, tenantID: tenantID, secret: $0) }
    }

    /// The channels a link may stand for; the others have intakes of their own.
    public static let channels: Set<WorkOrder.Channel> = [.web, .qr]
}

/// A new link as an admin describes it; references are checked against the database.
public struct NewIntakeLink: Sendable, Equatable {
    public var name: String
    public var channel: WorkOrder.Channel
    public var typeID: UUID
    public var shopID: UUID?
    public var vehicleID: UUID?

    public init(name: String, channel: WorkOrder.Channel, typeID: UUID, shopID: UUID?, vehicleID: UUID?) {
        self.name = name
        self.channel = channel
        self.typeID = typeID
        self.shopID = shopID
        self.vehicleID = vehicleID
    }

    public var errors: [FieldError] {
        var errors = TextRules.lengthErrors(name, field: "name", limit: 200)
        if !IntakeLink.channels.contains(channel) {
            errors.append(FieldError(field: "channel", message: "must be web or qr"))
        }
        return errors
    }
}
