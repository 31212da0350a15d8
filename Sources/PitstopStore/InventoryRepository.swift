import Foundation
import PitstopCore
import Postgres

/// The scope tenant's parts catalogue, stock per shop, reservations and stock ledger. Every
/// change of a stock row writes its ledger line in the same transaction, and each change is one
/// guarded UPDATE, so concurrent requisitions can never take stock below zero or below what is
/// reserved: one of two racing for the last unit finds the guard false and gets the shortfall.
public struct InventoryRepository {
    let transaction: Transaction
    let tenantID: UUID

    /// Not enough stock for a change: by part number, what is available and what was asked.
    public struct Shortfall: Error, Equatable, Sendable {
        public struct Line: Equatable, Sendable {
            public var partNumber: String
            public var available: Double
            public var requested: Double
        }
        public var lines: [Line]
    }

    static let partColumns = "id, part_number, oem_number, name, brand, unit, price::float8 AS price, fits, external_id, created_at, updated_at, version"

    // MARK: catalogue

    public func createPart(_ input: PartInput) throws -> Part {
        try Self.mappingDuplicates {
            try Self.decodePart(transaction.query("""
                INSERT INTO parts (tenant_id, id, part_number, oem_number, name, brand, unit, price, fits, external_id)
                VALUES (\(tenantID), \(UUID()), \(input.partNumber), \(input.oemNumber), \(input.name), \(input.brand), \(input.unit),
                        \(input.price)::numeric, \(JSONB(input.fits))::jsonb, \(input.externalID))
                RETURNING \(unsafeRaw: Self.partColumns)
                """)[0])
        }
    }

    public func part(id: UUID) throws -> Part {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.partColumns) FROM parts WHERE tenant_id = \(tenantID) AND id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("part") }
        return try Self.decodePart(row)
    }

    /// Newest first; `number` finds one part by its part number.
    public func parts(number: String?, limit: Int, after: PageCursor?) throws -> [Part] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.partColumns) FROM parts
            WHERE tenant_id = \(tenantID) AND (\(number)::text IS NULL OR part_number = \(number)::text)
              AND (\(after?.createdAt)::timestamptz IS NULL OR (created_at, id) < (\(after?.createdAt)::timestamptz, \(after?.id)::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT \(limit)
            """).rows.map(Self.decodePart)
    }

    /// The part the ERP knows as `externalID`, if any.
    public func part(externalID: String) throws -> Part? {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.partColumns) FROM parts WHERE tenant_id = \(tenantID) AND external_id = \(externalID)
            """).rows.first.map(Self.decodePart)
    }

    public func replacePart(id: UUID, expectedVersion: Int, _ input: PartInput) throws -> Part {
        let rows = try Self.mappingDuplicates {
            try transaction.query("""
                UPDATE parts SET part_number = \(input.partNumber), oem_number = \(input.oemNumber), name = \(input.name), brand = \(input.brand),
                    unit = \(input.unit), price = \(input.price)::numeric, fits = \(JSONB(input.fits))::jsonb, external_id = \(input.externalID),
                    updated_at = now(), version = version + 1
                WHERE tenant_id = \(tenantID) AND id = \(id) AND version = \(expectedVersion)
                RETURNING \(unsafeRaw: Self.partColumns)
                """)
        }
        if let row = rows.first { return try Self.decodePart(row) }
        throw try RecordVersion.failure(transaction, table: "parts", tenantID: tenantID, id: id, what: "part")
    }

    static func mappingDuplicates<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            if error.constraint == "parts_external_id" {
                throw StoreError.duplicate(field: "external_id", message: "is another part's")
            }
            throw StoreError.duplicate(field: "part_number", message: "is already in the catalogue")
        }
    }

    static func decodePart(_ row: Row) throws -> Part {
        Part(id: try row.decode("id"), partNumber: try row.decode("part_number"), oemNumber: try row.decode("oem_number"),
             name: try row.decode("name"), brand: try row.decode("brand"), unit: try row.decode("unit"), price: try row.decode("price"),
             fits: try row.decodeJSON("fits"), externalID: try row.decode("external_id"), createdAt: try row.decode("created_at"),
             updatedAt: try row.decode("updated_at"),
             version: try row.decode("version"))
    }

    // MARK: stock

    static let stockColumns = """
        s.shop_id, s.on_hand::float8 AS on_hand, s.reserved::float8 AS reserved, s.reorder_level::float8 AS reorder_level,
        s.updated_at AS stock_updated_at, p.id, p.part_number, p.oem_number, p.name, p.brand, p.unit, p.price::float8 AS price, p.fits,
        p.external_id, p.created_at, p.updated_at, p.version
        """

    /// A shop's stock, by part number.
    public func stock(shop: UUID) throws -> [StockLevel] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.stockColumns) FROM part_stock s JOIN parts p ON p.tenant_id = s.tenant_id AND p.id = s.part_id
            WHERE s.tenant_id = \(tenantID) AND s.shop_id = \(shop) ORDER BY p.part_number LIMIT 10000
            """).rows.map(Self.decodeStock)
    }

    public func stock(shop: UUID, part: UUID) throws -> StockLevel {
        let rows = try transaction.query("""
            SELECT \(unsafeRaw: Self.stockColumns) FROM part_stock s JOIN parts p ON p.tenant_id = s.tenant_id AND p.id = s.part_id
            WHERE s.tenant_id = \(tenantID) AND s.shop_id = \(shop) AND s.part_id = \(part)
            """)
        guard let row = rows.first else { throw StoreError.notFound("stock of that part at that shop") }
        return try Self.decodeStock(row)
    }

    /// Sets the level at or under which the part's stock at the shop counts as low.
    public func setReorderLevel(shop: UUID, part: UUID, level: Double, now: Date = Date()) throws -> StockLevel {
        try ensureStock(shop: shop, part: part)
        try transaction.execute("""
            UPDATE part_stock SET reorder_level = \(level)::numeric, updated_at = \(now)
            WHERE tenant_id = \(tenantID) AND shop_id = \(shop) AND part_id = \(part)
            """)
        return try stock(shop: shop, part: part)
    }

    /// The stock row, made empty if the shop never held the part (foreign keys name a missing
    /// shop or part).
    private func ensureStock(shop: UUID, part: UUID) throws {
        _ = try ReferenceErrors.naming(["part_stock_tenant_id_shop_id_fkey": "shop_id", "part_stock_tenant_id_part_id_fkey": "part_id"]) {
            try transaction.execute("""
                INSERT INTO part_stock (tenant_id, shop_id, part_id) VALUES (\(tenantID), \(shop), \(part)) ON CONFLICT DO NOTHING
                """)
        }
    }

    static func decodeStock(_ row: Row) throws -> StockLevel {
        StockLevel(shopID: try row.decode("shop_id"), part: try decodePart(row), onHand: try row.decode("on_hand"),
                   reserved: try row.decode("reserved"), reorderLevel: try row.decode("reorder_level"),
                   updatedAt: try row.decode("stock_updated_at"))
    }

    // MARK: movements

    /// What a change did to one stock row, for its ledger line and the low-stock check.
    public struct Change: Sendable {
        public var movement: StockMovement
        public var stock: StockLevel
        /// The change took available stock to or under the reorder level.
        public var becameLow: Bool
    }

    /// A receipt (quantity > 0) or an adjustment (either sign, with a reason) at a shop. An
    /// adjustment that would leave less on hand than zero or than is reserved is a shortfall.
    public func receiveOrAdjust(shop: UUID, part: UUID, kind: StockMovement.Kind, quantity: Double, reason: String?, actor: UUID?,
                                now: Date = Date()) throws -> Change {
        precondition(kind == .receipt || kind == .adjustment, "reservations and their settling come from requisitions and orders")
        try ensureStock(shop: shop, part: part)
        let changed: Int
        do {
            changed = try transaction.execute("""
                UPDATE part_stock SET on_hand = on_hand + \(quantity)::numeric, updated_at = \(now)
                WHERE tenant_id = \(tenantID) AND shop_id = \(shop) AND part_id = \(part) AND on_hand + \(quantity)::numeric >= reserved
                """)
        } catch let error as PostgresError where error.sqlState == .numericValueOutOfRange {
            throw ValidationError(field: "quantity", "would take the stock past 999999999.999, the most a shop can hold of a part")
        }
        guard changed == 1 else {
            let level = try stock(shop: shop, part: part)
            throw Shortfall(lines: [.init(partNumber: level.part.partNumber, available: level.available, requested: -quantity)])
        }
        return try record(shop: shop, part: part, kind: kind, onHand: quantity, reserved: 0, workOrder: nil, requisition: nil,
                          reason: reason, actor: actor, now: now)
    }

    /// Reserves the catalogue parts of an approved requisition at the order's shop. Lines naming
    /// parts outside the catalogue are not stock-kept and reserve nothing. Throws the shortfall of
    /// every line that does not fit (the caller's transaction then keeps none of it).
    public func reserve(requisition: PartsRequisition, shop: UUID?, actor: UUID?, now: Date = Date()) throws -> [Change] {
        var changes: [Change] = []
        var short: [Shortfall.Line] = []
        // In part-number order, so two requisitions locking the same stock rows lock them in the same order.
        for line in requisition.lines.sorted(by: { $0.partNumber < $1.partNumber }) {
            guard let part = try parts(number: line.partNumber, limit: 1, after: nil).first else { continue }
            guard let shop else {
                throw StoreError.conflict("the order has no shop, so \(line.partNumber) cannot be reserved from a store: set the order's shop_id first")
            }
            try ensureStock(shop: shop, part: part.id)
            let taken = try transaction.execute("""
                UPDATE part_stock SET reserved = reserved + \(line.quantity)::numeric, updated_at = \(now)
                WHERE tenant_id = \(tenantID) AND shop_id = \(shop) AND part_id = \(part.id) AND on_hand - reserved >= \(line.quantity)::numeric
                """)
            guard taken == 1 else {
                short.append(.init(partNumber: part.partNumber, available: try stock(shop: shop, part: part.id).available, requested: line.quantity))
                continue
            }
            try transaction.execute("""
                INSERT INTO part_reservations (tenant_id, id, requisition_id, work_order_id, shop_id, part_id, quantity, created_at)
                VALUES (\(tenantID), \(UUID()), \(requisition.id), \(requisition.workOrderID), \(shop), \(part.id), \(line.quantity)::numeric, \(now))
                """)
            changes.append(try record(shop: shop, part: part.id, kind: .reservation, onHand: 0, reserved: line.quantity,
                                      workOrder: requisition.workOrderID, requisition: requisition.id, reason: nil, actor: actor, now: now))
        }
        if !short.isEmpty { throw Shortfall(lines: short) }
        return changes
    }

    /// Settles what the order holds: consumed when it is completed, released when cancelled.
    public func settle(workOrder: UUID, consume: Bool, actor: UUID?, now: Date = Date()) throws {
        let held = try transaction.query("""
            UPDATE part_reservations SET state = \(consume ? "consumed" : "released"), settled_at = \(now)
            WHERE tenant_id = \(tenantID) AND work_order_id = \(workOrder) AND state = 'held'
            RETURNING shop_id, part_id, requisition_id, quantity::float8 AS quantity
            """)
        for row in held.rows {
            let shop: UUID = try row.decode("shop_id")
            let part: UUID = try row.decode("part_id")
            let quantity: Double = try row.decode("quantity")
            try transaction.execute("""
                UPDATE part_stock SET reserved = reserved - \(quantity)::numeric,
                    on_hand = on_hand - \(consume ? quantity : 0)::numeric, updated_at = \(now)
                WHERE tenant_id = \(tenantID) AND shop_id = \(shop) AND part_id = \(part)
                """)
            _ = try record(shop: shop, part: part, kind: consume ? .consumption : .release, onHand: consume ? -quantity : 0, reserved: -quantity,
                           workOrder: workOrder, requisition: try row.decode("requisition_id"), reason: nil, actor: actor, now: now)
        }
    }

    /// Writes the ledger line of a change already made to the stock row, with the row as it now is.
    private func record(shop: UUID, part: UUID, kind: StockMovement.Kind, onHand: Double, reserved: Double, workOrder: UUID?,
                        requisition: UUID?, reason: String?, actor: UUID?, now: Date) throws -> Change {
        let row = try transaction.query("""
            INSERT INTO stock_movements (tenant_id, id, shop_id, part_id, kind, on_hand_change, reserved_change, on_hand_after, reserved_after,
                                         work_order_id, requisition_id, reason, actor_key_id, created_at)
            SELECT tenant_id, \(UUID()), shop_id, part_id, \(kind.rawValue), \(onHand)::numeric, \(reserved)::numeric, on_hand, reserved,
                   \(workOrder), \(requisition), \(reason), \(actor), \(now)
            FROM part_stock WHERE tenant_id = \(tenantID) AND shop_id = \(shop) AND part_id = \(part)
            RETURNING \(unsafeRaw: Self.movementColumns)
            """)[0]
        let movement = try Self.decodeMovement(row)
        let stock = try stock(shop: shop, part: part)
        let before = stock.available - (onHand - reserved)
        return Change(movement: movement, stock: stock, becameLow: stock.isLow && !(before <= stock.reorderLevel))
    }

    static let movementColumns = """
        id, shop_id, part_id, kind, on_hand_change::float8 AS on_hand_change, reserved_change::float8 AS reserved_change,
        on_hand_after::float8 AS on_hand_after, reserved_after::float8 AS reserved_after, work_order_id, requisition_id, reason,
        actor_key_id, created_at
        """

    /// The ledger, newest first, of one shop and part when given.
    public func movements(shop: UUID?, part: UUID?, limit: Int, after: PageCursor?) throws -> [StockMovement] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.movementColumns) FROM stock_movements
            WHERE tenant_id = \(tenantID) AND (\(shop)::uuid IS NULL OR shop_id = \(shop)::uuid) AND (\(part)::uuid IS NULL OR part_id = \(part)::uuid)
              AND (\(after?.createdAt)::timestamptz IS NULL OR (created_at, id) < (\(after?.createdAt)::timestamptz, \(after?.id)::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT \(limit)
            """).rows.map(Self.decodeMovement)
    }

    static func decodeMovement(_ row: Row) throws -> StockMovement {
        let kindText: String = try row.decode("kind")
        guard let kind = StockMovement.Kind(rawValue: kindText) else {
            throw PostgresError(kind: .decoding, message: "stock_movements.kind holds unknown kind \(kindText)")
        }
        return StockMovement(id: try row.decode("id"), shopID: try row.decode("shop_id"), partID: try row.decode("part_id"), kind: kind,
                             onHandChange: try row.decode("on_hand_change"), reservedChange: try row.decode("reserved_change"),
                             onHandAfter: try row.decode("on_hand_after"), reservedAfter: try row.decode("reserved_after"),
                             workOrderID: try row.decode("work_order_id"), requisitionID: try row.decode("requisition_id"),
                             reason: try row.decode("reason"), actorKeyID: try row.decode("actor_key_id"), createdAt: try row.decode("created_at"))
    }
}

extension TenantScope {
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// For each change that took a part's available stock to or under its reorder level: a
    /// `part.low_stock` event and a message to the tenant's alert channels.
    public func announceLowStock(_ changes: [InventoryRepository.Change], now: Date = Date()) throws {
        for change in changes where change.becameLow {
            let stock = change.stock
            let shop = try shops.get(id: stock.shopID)
            let data: JSONValue = .object([
                "shop_id": .string(stock.shopID.lowercasedText), "part_id": .string(stock.part.id.lowercasedText),
                "part_number": .string(stock.part.partNumber), "name": .string(stock.part.name),
                "available": .number(stock.available), "reorder_level": .number(stock.reorderLevel),
            ])
            let eventID = UUID()
            let event: JSONValue = .object(["id": .string(eventID.lowercasedText), "type": .string(EventType.partLowStock.rawValue),
                                            "timestamp": .string(Self.timestamp(now)), "data": data])
            let message = AlertText.lowStock(part: stock.part, shop: shop.name, available: stock.available, reorderLevel: stock.reorderLevel,
                                             event: event)
            try notifications.alert(topic: .partLowStock, aggregate: stock.part.id, payload: data, message: message,
                                    eventID: eventID, now: now)
        }
    }
}
