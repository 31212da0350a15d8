import Foundation

/// What the engineer found and did: one saved version of an order's repair report.
public struct RepairReport: Sendable, Equatable {
    public struct LabourLine: Sendable, Equatable, Codable {
        public var description: String
        public var hours: Double
        /// What the line costs the customer, in yuan; nil where the shop does not price it.
        /// Left out of the stored and signed JSON when nil, so reports written before prices
        /// keep the hash their signatures hold.
        public var price: Double?

        public init(description: String, hours: Double, price: Double? = nil) {
            self.description = description
            self.hours = hours
            self.price = price
        }
    }

    public struct PartLine: Sendable, Equatable, Codable {
        /// The catalogue's part number (the parts catalogue comes later; kept as written).
        public var partNumber: String
        public var name: String
        public var quantity: Double
        /// Yuan for one unit; nil where the shop does not price it (omitted from JSON then).
        public var unitPrice: Double?

        public init(partNumber: String, name: String, quantity: Double, unitPrice: Double? = nil) {
            self.partNumber = partNumber
            self.name = name
            self.quantity = quantity
            self.unitPrice = unitPrice
        }

        /// The line's amount in fen, when priced.
        public var fen: Int? { unitPrice.map { Money.fen($0 * quantity) } }
    }

    /// A photo shown in the report, named by its content so a signature covers the exact image.
    public struct Photo: Sendable, Equatable {
        public var mediaID: UUID
        public var sha256: String
        public var type: MediaType

        public init(mediaID: UUID, sha256: String, type: MediaType) {
            self.mediaID = mediaID
            self.sha256 = sha256
            self.type = type
        }
    }

    /// At most this many photos before, and as many after, the repair.
    public static let maximumPhotos = 20

    public var workOrderID: UUID
    public var version: Int
    public var diagnosis: String
    public var workPerformed: String
    public var labour: [LabourLine]
    public var parts: [PartLine]
    public var mileageKm: Int?
    public var beforePhotos: [Photo]
    public var afterPhotos: [Photo]
    public var authorKeyID: UUID?
    public var createdAt: Date

    public init(workOrderID: UUID, version: Int, diagnosis: String, workPerformed: String, labour: [LabourLine], parts: [PartLine],
                mileageKm: Int?, beforePhotos: [Photo] = [], afterPhotos: [Photo] = [], authorKeyID: UUID?, createdAt: Date) {
        self.workOrderID = workOrderID
        self.version = version
        self.diagnosis = diagnosis
        self.workPerformed = workPerformed
        self.labour = labour
        self.parts = parts
        self.mileageKm = mileageKm
        self.beforePhotos = beforePhotos
        self.afterPhotos = afterPhotos
        self.authorKeyID = authorKeyID
        self.createdAt = createdAt
    }

    /// Every problem with a report's content, by field (`labour[1].hours`).
    public static func errors(diagnosis: String, workPerformed: String, labour: [LabourLine], parts: [PartLine],
                              mileageKm: Int?) -> [FieldError] {
        var errors: [FieldError] = []
        if diagnosis.count > 5000 { errors.append(FieldError(field: "diagnosis", message: "must be at most 5000 characters")) }
        if workPerformed.count > 5000 { errors.append(FieldError(field: "work_performed", message: "must be at most 5000 characters")) }
        if diagnosis.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && workPerformed.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            errors.append(FieldError(field: "diagnosis", message: "or work_performed must say something"))
        }
        if labour.count > 50 { errors.append(FieldError(field: "labour", message: "may list at most 50 lines")) }
        for (index, line) in labour.enumerated() {
            errors += TextRules.lengthErrors(line.description, field: "labour[\(index)].description", limit: 500)
            if !(line.hours.isFinite && line.hours > 0 && line.hours <= 100) {
                errors.append(FieldError(field: "labour[\(index)].hours", message: "must be more than 0 and at most 100"))
            }
            if let price = line.price { errors += Money.errors(price, field: "labour[\(index)].price") }
        }
        if parts.count > 100 { errors.append(FieldError(field: "parts", message: "may list at most 100 lines")) }
        for (index, line) in parts.enumerated() {
            errors += TextRules.lengthErrors(line.partNumber, field: "parts[\(index)].part_number", limit: 64)
            errors += TextRules.lengthErrors(line.name, field: "parts[\(index)].name", limit: 200)
            if !(line.quantity.isFinite && line.quantity > 0 && line.quantity <= 10_000) {
                errors.append(FieldError(field: "parts[\(index)].quantity", message: "must be more than 0 and at most 10000"))
            }
            if let price = line.unitPrice { errors += Money.errors(price, field: "parts[\(index)].unit_price") }
        }
        if let mileageKm, !(0...5_000_000).contains(mileageKm) {
            errors.append(FieldError(field: "mileage_km", message: "must be 0 to 5000000"))
        }
        return errors
    }

    /// What the customer pays for the priced lines, in fen: parts, labour and both. Lines
    /// without a price count for nothing (the page marks them).
    public var totals: (parts: Int, labour: Int, total: Int) {
        let parts = self.parts.compactMap(\.fen).reduce(0, +)
        let labour = self.labour.compactMap { $0.price.map(Money.fen) }.reduce(0, +)
        return (parts, labour, parts + labour)
    }

    /// Problems with the photos a report names, given the order's own media: each must be a
    /// photo (not a video) of this order, named once per stage.
    public static func photoErrors(before: [UUID], after: [UUID], orderMedia: [Media]) -> [FieldError] {
        let media = Dictionary(orderMedia.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var errors: [FieldError] = []
        for (field, ids) in [("before_photos", before), ("after_photos", after)] {
            if ids.count > maximumPhotos { errors.append(FieldError(field: field, message: "may list at most \(maximumPhotos) photos")) }
            var seen: Set<UUID> = []
            for (index, id) in ids.enumerated() {
                if !seen.insert(id).inserted {
                    errors.append(FieldError(field: "\(field)[\(index)]", message: "names the same photo twice"))
                } else if let item = media[id] {
                    if item.type.kind != .photo { errors.append(FieldError(field: "\(field)[\(index)]", message: "is a video, not a photo")) }
                } else {
                    errors.append(FieldError(field: "\(field)[\(index)]", message: "is not a photo uploaded for this order"))
                }
            }
        }
        return errors
    }
}
