import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    var vehicleRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/vehicles", roles: Self.recordWriters) { [self] request, _, scope in
                try idempotent(request, scope) {
                    let body = try JSONCoding.decode(VehicleInputBody.self, from: request.body, allowedFields: VehicleInputBody.fields)
                    let vehicle = try VehicleRecords(scope: scope).create(body.input)
                    return try .created(VehicleBody(vehicle), version: vehicle.version,
                                        location: "/v1/vehicles/\(vehicle.id.lowercasedText)")
                }
            },
            // An engineer key reads the vehicles of its own open orders, one by one, and no list.
            tenantRoute("GET", "/v1/vehicles", roles: Self.staffRoles) { request, _, scope in
                let page = try PageRequest(request)
                var filter = VehicleRepository.Filter(externalID: request.queryValue("external_id"))
                if let text = request.queryValue("customer_id") {
                    guard let id = UUID(uuidString: text) else { throw Problem.badQuery("customer_id", "must be a customer id (UUID)") }
                    filter.customerID = id
                }
                if let text = request.queryValue("vin") {
                    do throws(VIN.Problem) { filter.vin = try VIN(text).value } catch { throw Problem.badQuery("vin", error.description) }
                }
                if let text = request.queryValue("plate") {
                    do throws(LicensePlate.Problem) { filter.plate = try LicensePlate(text).value } catch {
                        throw Problem.badQuery("plate", error.description)
                    }
                }
                let vehicles = try scope.vehicles.list(filter, limit: page.limit + 1, after: page.cursor)
                return try .page(vehicles, limit: page.limit, cursor: { PageCursor(createdAt: $0.createdAt, id: $0.id) },
                                 body: VehicleBody.init)
            },
            tenantRoute("GET", "/v1/vehicles/{id}", roles: Self.allRoles) { request, caller, scope in
                let id = try Self.pathID(request, "vehicle")
                let vehicle = try Self.reach(caller, scope).map { try $0.vehicle(id) } ?? scope.vehicles.get(id: id)
                return try .record(VehicleBody(vehicle), version: vehicle.version)
            },
            // The repair history: every order of the vehicle, newest first.
            tenantRoute("GET", "/v1/vehicles/{id}/history", roles: Self.staffRoles) { request, caller, scope in
                let vehicle = try scope.vehicles.get(id: try Self.pathID(request, "vehicle"))
                let page = try PageRequest(request)
                var filter = WorkOrderRepository.Filter()
                filter.vehicleID = vehicle.id
                let orders = try scope.workOrders.list(filter, limit: page.limit + 1, after: page.cursor)
                return try .page(orders, limit: page.limit, cursor: { PageCursor(createdAt: $0.createdAt, id: $0.id) },
                                 body: { WorkOrderBody($0, tenantID: caller.tenant.id) })
            },
            tenantRoute("PATCH", "/v1/vehicles/{id}", roles: Self.recordWriters) { request, _, scope in
                let id = try Self.pathID(request, "vehicle")
                let version = try Self.ifMatchVersion(request)
                let body = try JSONCoding.decode(VehicleInputBody.self, from: request.body, allowedFields: VehicleInputBody.fields)
                let vehicle = try VehicleRecords(scope: scope).update(id, expectedVersion: version, body.input)
                return try .record(VehicleBody(vehicle), version: vehicle.version)
            },
        ]
    }
}

struct VehicleInputBody: Decodable, ReadsNulls {
    var input: VehicleInput
    /// The owner by the CRM's id, instead of customer_id (upserts and bulk imports).
    var customerExternalID: String?

    static let fields: Set<String> = ["customer_id", "vin", "plate", "make", "model", "year", "colour", "mileage_km", "mileage_read_on",
                                      "external_id"]
    /// Upserts may name the owner by the CRM's id.
    static let upsertFields = fields.union(["customer_external_id"])

    enum CodingKeys: String, CodingKey {
        case customerId, vin, plate, make, model, year, colour, mileageKm, mileageReadOn, externalId, customerExternalId
    }

    init(from decoder: Decoder) throws {
        let read = FieldReader(container: try decoder.container(keyedBy: CodingKeys.self))
        input = VehicleInput(customerID: try read.value(.customerId), vin: try read.update(.vin), plate: try read.update(.plate),
                             make: try read.update(.make), model: try read.update(.model), year: try read.update(.year),
                             colour: try read.update(.colour), mileageKm: try read.update(.mileageKm),
                             mileageReadOn: try read.update(.mileageReadOn), externalID: try read.update(.externalId))
        customerExternalID = try read.value(.customerExternalId)
    }
}

struct VehicleBody: Encodable {
    var id: String
    var customerId: String
    var vin: String?
    var plate: String?
    var make: String?
    var model: String?
    var year: Int?
    var colour: String?
    var mileageKm: Int?
    var mileageReadOn: String?
    var externalId: String?
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    init(_ vehicle: Vehicle) {
        id = vehicle.id.lowercasedText
        customerId = vehicle.customerID.lowercasedText
        vin = vehicle.vin
        plate = vehicle.plate
        make = vehicle.make
        model = vehicle.model
        year = vehicle.year
        colour = vehicle.colour
        mileageKm = vehicle.mileageKm
        mileageReadOn = vehicle.mileageReadOn
        externalId = vehicle.externalID
        createdAt = vehicle.createdAt
        updatedAt = vehicle.updatedAt
        version = vehicle.version
    }
}
