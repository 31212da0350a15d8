import Foundation
import PitstopCore
import Postgres

/// The scope tenant's vehicles.
public struct VehicleRepository {
    let transaction: Transaction
    let tenantID: UUID

    static let columns = """
        id, customer_id, vin, plate, make, model, year, colour, mileage_km, mileage_read_on::text AS mileage_read_on, external_id, \
        created_at, updated_at, version
        """

    public struct Filter: Sendable, Equatable {
        public var customerID: UUID?
        public var vin: String?
        public var plate: String?
        public var externalID: String?

        public init(customerID: UUID? = nil, vin: String? = nil, plate: String? = nil, externalID: String? = nil) {
            self.customerID = customerID
            self.vin = vin
            self.plate = plate
            self.externalID = externalID
        }
    }

    /// Creates a vehicle from normalised input; its customer must be the tenant's.
    public func create(_ input: VehicleInput) throws -> Vehicle {
        try Self.mappingViolations {
            let rows = try transaction.query("""
                INSERT INTO vehicles (tenant_id, id, customer_id, vin, plate, make, model, year, colour, mileage_km, mileage_read_on, external_id)
                VALUES (\(tenantID), \(UUID()), \(input.customerID), \(input.vin.newValue), \(input.plate.newValue), \(input.make.newValue),
                        \(input.model.newValue), \(input.year.newValue), \(input.colour.newValue), \(input.mileageKm.newValue),
                        \(input.mileageReadOn.newValue)::date, \(input.externalID.newValue))
                RETURNING \(unsafeRaw: Self.columns)
                """)
            return try Self.decode(rows[0])
        }
    }

    public func get(id: UUID) throws -> Vehicle {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.columns) FROM vehicles WHERE tenant_id = \(tenantID) AND id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("vehicle") }
        return try Self.decode(row)
    }

    /// The vehicle the CRM knows as `externalID`, by its unique index.
    public func find(externalID: String) throws -> Vehicle? {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM vehicles WHERE tenant_id = \(tenantID) AND external_id = \(externalID)
            """).rows.first.map(Self.decode)
    }

    public func list(_ filter: Filter, limit: Int, after: PageCursor?) throws -> [Vehicle] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM vehicles
            WHERE tenant_id = \(tenantID)
              AND (\(filter.customerID)::uuid IS NULL OR customer_id = \(filter.customerID)::uuid)
              AND (\(filter.vin)::text IS NULL OR vin = \(filter.vin)::text)
              AND (\(filter.plate)::text IS NULL OR plate = \(filter.plate)::text)
              AND (\(filter.externalID)::text IS NULL OR external_id = \(filter.externalID)::text)
              AND (\(after?.createdAt)::timestamptz IS NULL OR (created_at, id) < (\(after?.createdAt)::timestamptz, \(after?.id)::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT \(limit)
            """).rows.map(Self.decode)
    }

    public func update(id: UUID, expectedVersion: Int, _ input: VehicleInput) throws -> Vehicle {
        let rows = try Self.mappingViolations {
            try transaction.query("""
                UPDATE vehicles SET
                    customer_id = coalesce(\(input.customerID)::uuid, customer_id),
                    vin = CASE WHEN \(input.vin.isKeep)::boolean THEN vin ELSE \(input.vin.newValue)::text END,
                    plate = CASE WHEN \(input.plate.isKeep)::boolean THEN plate ELSE \(input.plate.newValue)::text END,
                    make = CASE WHEN \(input.make.isKeep)::boolean THEN make ELSE \(input.make.newValue)::text END,
                    model = CASE WHEN \(input.model.isKeep)::boolean THEN model ELSE \(input.model.newValue)::text END,
                    year = CASE WHEN \(input.year.isKeep)::boolean THEN year ELSE \(input.year.newValue)::integer END,
                    colour = CASE WHEN \(input.colour.isKeep)::boolean THEN colour ELSE \(input.colour.newValue)::text END,
                    mileage_km = CASE WHEN \(input.mileageKm.isKeep)::boolean THEN mileage_km ELSE \(input.mileageKm.newValue)::integer END,
                    mileage_read_on = CASE WHEN \(input.mileageReadOn.isKeep)::boolean THEN mileage_read_on ELSE \(input.mileageReadOn.newValue)::date END,
                    external_id = CASE WHEN \(input.externalID.isKeep)::boolean THEN external_id ELSE \(input.externalID.newValue)::text END,
                    updated_at = now(),
                    version = version + 1
                WHERE tenant_id = \(tenantID) AND id = \(id) AND version = \(expectedVersion)
                RETURNING \(unsafeRaw: Self.columns)
                """)
        }
        if let row = rows.first { return try Self.decode(row) }
        throw try RecordVersion.failure(transaction, table: "vehicles", tenantID: tenantID, id: id, what: "vehicle")
    }

    /// Constraint failures a client can act on, named by field.
    static func mappingViolations<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError {
            switch (error.sqlState, error.constraint) {
            case (.uniqueViolation?, "vehicles_vin"): throw StoreError.duplicate(field: "vin", message: "belongs to another vehicle already")
            case (.uniqueViolation?, "vehicles_plate"): throw StoreError.duplicate(field: "plate", message: "belongs to another vehicle already")
            case (.uniqueViolation?, "vehicles_external_id"): throw StoreError.duplicate(field: "external_id", message: "is another vehicle's")
            case (.foreignKeyViolation?, _): throw ValidationError(field: "customer_id", "is not a customer of this tenant")
            case (.checkViolation?, "vehicles_identified"): throw ValidationError(field: "plate", "a vehicle needs a plate, a VIN or both")
            default: throw error
            }
        }
    }

    static func decode(_ row: Row) throws -> Vehicle {
        Vehicle(id: try row.decode("id"), customerID: try row.decode("customer_id"), vin: try row.decode("vin"),
                plate: try row.decode("plate"), make: try row.decode("make"), model: try row.decode("model"),
                year: try row.decode("year"), colour: try row.decode("colour"), mileageKm: try row.decode("mileage_km"),
                mileageReadOn: try row.decode("mileage_read_on"), externalID: try row.decode("external_id"), createdAt: try row.decode("created_at"),
                updatedAt: try row.decode("updated_at"), version: try row.decode("version"))
    }
}
