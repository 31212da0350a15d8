import Foundation

/// A catalogue part: what the stores keep and requisitions name by part number.
public struct Part: Sendable, Equatable {
    public var id: UUID
    public var partNumber: String
    public var oemNumber: String?
    public var name: String
    public var brand: String?
    public var unit: String
    public var price: Double
    /// The makes and models it fits; empty for all.
    public var fits: [KnowledgeArticle.Fit]
    /// The id in the chain's ERP.
    public var externalID: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int

    public init(id: UUID, partNumber: String, oemNumber: String?, name: String, brand: String?, unit: String, price: Double,
                fits: [KnowledgeArticle.Fit], externalID: String? = nil, createdAt: Date, updatedAt: Date, version: Int) {
        self.id = id
        self.partNumber = partNumber
        self.oemNumber = oemNumber
        self.name = name
        self.brand = brand
        self.unit = unit
        self.price = price
        self.fits = fits
        self.externalID = externalID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }
}

/// A catalogue part as written, checked before it is stored.
public struct PartInput: Sendable, Equatable {
    public var partNumber: String
    public var oemNumber: String?
    public var name: String
    public var brand: String?
    public var unit: String
    public var price: Double
    public var fits: [KnowledgeArticle.Fit]
    public var externalID: String?

    public init(partNumber: String, oemNumber: String? = nil, name: String, brand: String? = nil, unit: String = "个", price: Double = 0,
                fits: [KnowledgeArticle.Fit] = [], externalID: String? = nil) {
        self.partNumber = partNumber.trimmingCharacters(in: .whitespacesAndNewlines)
        self.oemNumber = oemNumber?.trimmingCharacters(in: .whitespacesAndNewlines)
        self.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        self.brand = brand?.trimmingCharacters(in: .whitespacesAndNewlines)
        self.unit = unit.trimmingCharacters(in: .whitespacesAndNewlines)
        self.price = price
        self.fits = fits
        self.externalID = externalID
    }

    public var errors: [FieldError] {
        var errors = TextRules.lengthErrors(partNumber, field: "part_number", limit: 64)
        errors += TextRules.lengthErrors(oemNumber, field: "oem_number", limit: 64)
        errors += TextRules.lengthErrors(name, field: "name", limit: 200)
        errors += TextRules.lengthErrors(brand, field: "brand", limit: 100)
        errors += TextRules.lengthErrors(unit, field: "unit", limit: 20)
        errors += TextRules.lengthErrors(externalID, field: "external_id", limit: 100)
        errors += Money.errors(price, field: "price")
        if fits.count > 50 { errors.append(FieldError(field: "fits", message: "must list at most 50 makes or models")) }
        for (index, fit) in fits.enumerated() {
            errors += TextRules.lengthErrors(fit.make, field: "fits[\(index)].make", limit: 100)
            errors += TextRules.lengthErrors(fit.model, field: "fits[\(index)].model", limit: 100)
        }
        return errors
    }
}

/// One part's stock at one shop.
public struct StockLevel: Sendable, Equatable {
    public var shopID: UUID
    public var part: Part
    public var onHand: Double
    public var reserved: Double
    public var reorderLevel: Double
    public var updatedAt: Date

    public init(shopID: UUID, part: Part, onHand: Double, reserved: Double, reorderLevel: Double, updatedAt: Date) {
        self.shopID = shopID
        self.part = part
        self.onHand = onHand
        self.reserved = reserved
        self.reorderLevel = reorderLevel
        self.updatedAt = updatedAt
    }

    /// What may still be reserved.
    public var available: Double { onHand - reserved }
    /// At or under the reorder level (and a level is set).
    public var isLow: Bool { reorderLevel > 0 && available <= reorderLevel }
}

/// A line of the stock ledger.
public struct StockMovement: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case receipt, reservation, release, consumption, adjustment
    }

    public var id: UUID
    public var shopID: UUID
    public var partID: UUID
    public var kind: Kind
    public var onHandChange: Double
    public var reservedChange: Double
    public var onHandAfter: Double
    public var reservedAfter: Double
    public var workOrderID: UUID?
    public var requisitionID: UUID?
    public var reason: String?
    public var actorKeyID: UUID?
    public var createdAt: Date

    public init(id: UUID, shopID: UUID, partID: UUID, kind: Kind, onHandChange: Double, reservedChange: Double, onHandAfter: Double,
                reservedAfter: Double, workOrderID: UUID?, requisitionID: UUID?, reason: String?, actorKeyID: UUID?, createdAt: Date) {
        self.id = id
        self.shopID = shopID
        self.partID = partID
        self.kind = kind
        self.onHandChange = onHandChange
        self.reservedChange = reservedChange
        self.onHandAfter = onHandAfter
        self.reservedAfter = reservedAfter
        self.workOrderID = workOrderID
        self.requisitionID = requisitionID
        self.reason = reason
        self.actorKeyID = actorKeyID
        self.createdAt = createdAt
    }
}
