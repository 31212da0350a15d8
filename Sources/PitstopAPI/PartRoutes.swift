import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    /// The parts catalogue, stock per shop, and the stock ledger. Receipts and adjustments come
    /// through the API; reservations, consumption and releases follow requisitions and orders.
    var partRoutes: [Router.Route] {
        let stockKeepers: Set<Role> = [.admin, .dispatcher, .integration]
        return [
            tenantRoute("POST", "/v1/parts", roles: Self.recordWriters) { [self] request, _, scope in
                try idempotent(request, scope) {
                    let part = try PartRecords(scope: scope).create(try PartBody.decode(request.body))
                    return try .created(PartBody(part), version: part.version, location: "/v1/parts/\(part.id.lowercasedText)")
                }
            },
            tenantRoute("GET", "/v1/parts", roles: Self.allRoles) { request, _, scope in
                let page = try PageRequest(request)
                let parts = try scope.inventory.parts(number: request.queryValue("part_number"), limit: page.limit + 1, after: page.cursor)
                return try .page(parts, limit: page.limit, cursor: { PageCursor(createdAt: $0.createdAt, id: $0.id) }, body: PartBody.init)
            },
            tenantRoute("GET", "/v1/parts/{id}", roles: Self.allRoles) { request, _, scope in
                let part = try scope.inventory.part(id: try Self.pathID(request, "part"))
                return try .record(PartBody(part), version: part.version)
            },
            tenantRoute("PUT", "/v1/parts/{id}", roles: Self.recordWriters) { request, _, scope in
                let id = try Self.pathID(request, "part")
                let version = try Self.ifMatchVersion(request)
                let part = try PartRecords(scope: scope).replace(id, expectedVersion: version, try PartBody.decode(request.body))
                return try .record(PartBody(part), version: part.version)
            },
            tenantRoute("GET", "/v1/shops/{id}/stock", roles: Self.allRoles) { request, _, scope in
                let shop = try scope.shops.get(id: try Self.pathID(request, "shop"))
                return try .json(["items": try scope.inventory.stock(shop: shop.id).map(StockBody.init)])
            },
            tenantRoute("PUT", "/v1/shops/{id}/stock/{part_id}", roles: stockKeepers) { request, _, scope in
                let shop = try scope.shops.get(id: try Self.pathID(request, "shop"))
                let part = try scope.inventory.part(id: try Self.pathID(request, "part", parameter: "part_id"))
                let body = try JSONCoding.decode(ReorderBody.self, from: request.body, allowedFields: ["reorder_level"])
                guard StockQuantity.isValid(body.reorderLevel, allowZero: true) else {
                    throw ValidationError(field: "reorder_level", StockQuantity.message)
                }
                return try .json(StockBody(try scope.inventory.setReorderLevel(shop: shop.id, part: part.id, level: body.reorderLevel)))
            },
            tenantRoute("POST", "/v1/stock-movements", roles: stockKeepers) { [self] request, caller, scope in
                try idempotent(request, scope) {
                    let body = try JSONCoding.decode(MovementInputBody.self, from: request.body, allowedFields: MovementInputBody.fields)
                    try body.check()
                    let change = try scope.inventory.receiveOrAdjust(shop: body.shopId, part: body.partId, kind: body.kind,
                                                                     quantity: body.quantity, reason: body.reason, actor: caller.key.id)
                    try scope.announceLowStock([change])
                    var response = try HTTPResponse.json(MovementResultBody(movement: MovementBody(change.movement), stock: StockBody(change.stock)),
                                                         status: 201)
                    response.headers.add("Location", "/v1/stock-movements?shop_id=\(body.shopId.lowercasedText)&part_id=\(body.partId.lowercasedText)")
                    return response
                }
            },
            tenantRoute("GET", "/v1/stock-movements", roles: stockKeepers.union([.readonly])) { request, _, scope in
                let page = try PageRequest(request)
                let shop = try request.queryValue("shop_id").map { try Self.queryID($0, "shop_id") }
                let part = try request.queryValue("part_id").map { try Self.queryID($0, "part_id") }
                let movements = try scope.inventory.movements(shop: shop, part: part, limit: page.limit + 1, after: page.cursor)
                return try .page(movements, limit: page.limit, cursor: { PageCursor(createdAt: $0.createdAt, id: $0.id) }, body: MovementBody.init)
            },
        ]
    }

    static func queryID(_ text: String, _ parameter: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw Problem.badQuery(parameter, "must be an id (UUID)") }
        return id
    }
}

/// Stock quantities: positive (or zero where allowed), at most three decimals.
enum StockQuantity {
    static let message = "must be a quantity from 0 to 999999999 with at most three decimals"

    static func isValid(_ value: Double, allowZero: Bool = false, allowNegative: Bool = false) -> Bool {
        value.isFinite && abs(value) < 1_000_000_000 && (value * 1000).rounded() == value * 1000
            && (value > 0 || (allowZero && value == 0) || (allowNegative && value < 0))
    }
}

struct PartBody: Codable {
    var id: UUID?
    var partNumber: String
    var oemNumber: String?
    var name: String
    var brand: String?
    var unit: String?
    var price: Double?
    var fits: [KnowledgeArticle.Fit]?
    var externalId: String?
    var createdAt: Date?
    var updatedAt: Date?
    var version: Int?

    static let fields: Set<String> = ["part_number", "oem_number", "name", "brand", "unit", "price", "fits", "external_id"]

    init(_ part: Part) {
        id = part.id
        partNumber = part.partNumber
        oemNumber = part.oemNumber
        name = part.name
        brand = part.brand
        unit = part.unit
        price = part.price
        fits = part.fits
        externalId = part.externalID
        createdAt = part.createdAt
        updatedAt = part.updatedAt
        version = part.version
    }

    static func decode(_ bytes: [UInt8]) throws -> PartInput {
        let body = try JSONCoding.decode(Self.self, from: bytes, allowedFields: fields)
        let input = PartInput(partNumber: body.partNumber, oemNumber: body.oemNumber, name: body.name, brand: body.brand, unit: body.unit ?? "个",
                              price: body.price ?? 0, fits: body.fits ?? [], externalID: body.externalId)
        return input
    }
}

struct StockBody: Encodable {
    var shopId: UUID
    var partId: UUID
    var partNumber: String
    var name: String
    var unit: String
    var onHand: Double
    var reserved: Double
    var available: Double
    var reorderLevel: Double
    var low: Bool
    var updatedAt: Date

    init(_ stock: StockLevel) {
        shopId = stock.shopID
        partId = stock.part.id
        partNumber = stock.part.partNumber
        name = stock.part.name
        unit = stock.part.unit
        onHand = stock.onHand
        reserved = stock.reserved
        available = stock.available
        reorderLevel = stock.reorderLevel
        low = stock.isLow
        updatedAt = stock.updatedAt
    }
}

struct ReorderBody: Decodable {
    var reorderLevel: Double
}

struct MovementInputBody: Decodable {
    var shopId: UUID
    var partId: UUID
    var kind: StockMovement.Kind
    var quantity: Double
    var reason: String?

    static let fields: Set<String> = ["shop_id", "part_id", "kind", "quantity", "reason"]

    func check() throws {
        var errors: [FieldError] = []
        switch kind {
        case .receipt:
            if !StockQuantity.isValid(quantity) { errors.append(FieldError(field: "quantity", message: StockQuantity.message + ", above 0")) }
        case .adjustment:
            if !StockQuantity.isValid(quantity, allowNegative: true) {
                errors.append(FieldError(field: "quantity", message: "must be the change, up or down (not 0), with at most three decimals"))
            }
            if (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                errors.append(FieldError(field: "reason", message: "is required for an adjustment (stock count, damage, loss …)"))
            }
        case .reservation, .release, .consumption:
            errors.append(FieldError(field: "kind", message: "must be receipt or adjustment; reservations follow requisitions and orders"))
        }
        errors += TextRules.lengthErrors(reason, field: "reason", limit: 500)
        guard errors.isEmpty else { throw ValidationError(errors) }
    }
}

struct MovementBody: Encodable {
    var id: UUID
    var shopId: UUID
    var partId: UUID
    var kind: String
    var onHandChange: Double
    var reservedChange: Double
    var onHandAfter: Double
    var reservedAfter: Double
    var workOrderId: UUID?
    var requisitionId: UUID?
    var reason: String?
    var actorKeyId: UUID?
    var createdAt: Date

    init(_ movement: StockMovement) {
        id = movement.id
        shopId = movement.shopID
        partId = movement.partID
        kind = movement.kind.rawValue
        onHandChange = movement.onHandChange
        reservedChange = movement.reservedChange
        onHandAfter = movement.onHandAfter
        reservedAfter = movement.reservedAfter
        workOrderId = movement.workOrderID
        requisitionId = movement.requisitionID
        reason = movement.reason
        actorKeyId = movement.actorKeyID
        createdAt = movement.createdAt
    }
}

struct MovementResultBody: Encodable {
    var movement: MovementBody
    var stock: StockBody
}
