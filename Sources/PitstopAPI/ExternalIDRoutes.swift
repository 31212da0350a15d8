import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    /// Upserts by the id a CRM or ERP knows a record by: `PUT …/by-external-id/{external_id}`
    /// creates it (201) or changes it (200), and `POST …/bulk` does the same for up to 10,000
    /// NDJSON lines, answering line by line.
    var externalIDRoutes: [Router.Route] {
        [
            tenantRoute("PUT", "/v1/customers/by-external-id/{external_id}", roles: Self.recordWriters) { request, _, scope in
                let externalID = try Self.externalID(request)
                let body = try JSONCoding.decode(CustomerInputBody.self, from: request.body, allowedFields: CustomerInputBody.fields)
                let (customer, created) = try CustomerRecords(scope: scope).upsert(body.input, externalID: externalID, ifMatch: try Self.optionalIfMatch(request))
                return try Self.upserted(CustomerBody(customer), version: customer.version, created: created,
                                         location: "/v1/customers/\(customer.id.lowercasedText)")
            },
            tenantRoute("PUT", "/v1/parts/by-external-id/{external_id}", roles: Self.recordWriters) { request, _, scope in
                let externalID = try Self.externalID(request)
                let (part, created) = try PartRecords(scope: scope).upsert(try PartBody.decode(request.body), externalID: externalID, ifMatch: try Self.optionalIfMatch(request))
                return try Self.upserted(PartBody(part), version: part.version, created: created, location: "/v1/parts/\(part.id.lowercasedText)")
            },
            tenantRoute("PUT", "/v1/vehicles/by-external-id/{external_id}", roles: Self.recordWriters) { request, _, scope in
                let externalID = try Self.externalID(request)
                let body = try JSONCoding.decode(VehicleInputBody.self, from: request.body, allowedFields: VehicleInputBody.upsertFields)
                let (vehicle, created) = try VehicleRecords(scope: scope).upsert(body.input, ownerExternalID: body.customerExternalID, externalID: externalID, ifMatch: try Self.optionalIfMatch(request))
                return try Self.upserted(VehicleBody(vehicle), version: vehicle.version, created: created,
                                         location: "/v1/vehicles/\(vehicle.id.lowercasedText)")
            },
            bulkRoute("/v1/vehicles/bulk") { line, externalID, scope in
                let body = try JSONCoding.decode(VehicleInputBody.self, from: line, allowedFields: VehicleInputBody.upsertFields)
                let (vehicle, created) = try VehicleRecords(scope: scope).upsert(body.input, ownerExternalID: body.customerExternalID, externalID: externalID, ifMatch: nil)
                return (vehicle.id, created)
            },
            tenantRoute("PUT", "/v1/work-orders/by-external-id/{external_id}", roles: Self.recordWriters) { request, caller, scope in
                try Self.upsertWorkOrder(request.body, externalID: try Self.externalID(request), ifMatch: try Self.optionalIfMatch(request),
                                         caller: caller, scope: scope)
            },
            tenantRoute("PUT", "/v1/engineers/by-external-id/{external_id}", roles: [.admin, .dispatcher, .integration]) { request, _, scope in
                let externalID = try Self.externalID(request)
                let body = try JSONCoding.decode(EngineerInputBody.self, from: request.body, allowedFields: EngineerInputBody.fields)
                let (engineer, created) = try EngineerRoster(scope: scope).upsert(body.input, externalID: externalID, ifMatch: try Self.optionalIfMatch(request))
                return try Self.upserted(EngineerBody(engineer), version: engineer.version, created: created,
                                         location: "/v1/engineers/\(engineer.id.lowercasedText)")
            },
            bulkRoute("/v1/engineers/bulk") { line, externalID, scope in
                let body = try JSONCoding.decode(EngineerInputBody.self, from: line, allowedFields: EngineerInputBody.fields)
                let (engineer, created) = try EngineerRoster(scope: scope).upsert(body.input, externalID: externalID, ifMatch: nil)
                return (engineer.id, created)
            },
            bulkRoute("/v1/customers/bulk") { line, externalID, scope in
                let body = try JSONCoding.decode(CustomerInputBody.self, from: line, allowedFields: CustomerInputBody.fields)
                let (customer, created) = try CustomerRecords(scope: scope).upsert(body.input, externalID: externalID, ifMatch: nil)
                return (customer.id, created)
            },
            bulkRoute("/v1/parts/bulk") { line, externalID, scope in
                let (part, created) = try PartRecords(scope: scope).upsert(try PartBody.decode(line), externalID: externalID, ifMatch: nil)
                return (part.id, created)
            },
        ]
    }

    static func externalID(_ request: HTTPRequest) throws -> String {
        let text = request.pathParameters["external_id"] ?? ""
        guard (1...100).contains(text.count) else { throw ValidationError(field: "external_id", "must be 1 to 100 characters") }
        return text
    }

    /// If-Match is optional on an upsert: an integration replaying its system of record usually
    /// has no version to send; one that has gets the usual 412 when it is stale.
    static func optionalIfMatch(_ request: HTTPRequest) throws -> Int? {
        request.headers["If-Match"] == nil ? nil : try ifMatchVersion(request)
    }

    static func upserted(_ body: some Encodable, version: Int, created: Bool, location: String) throws -> HTTPResponse {
        created ? try .created(body, version: version, location: location) : try .record(body, version: version)
    }

    /// A body naming another external id than the path (or line) is refused: which one was meant?
    /// A new ticket is created as `POST /v1/work-orders` would (never merged into an open order);
    /// for an existing one the body's changeable fields apply as in `PATCH`, and the fields fixed
    /// at creation must match what the order has (409 naming the field otherwise).
    static func upsertWorkOrder(_ bytes: [UInt8], externalID: String, ifMatch: Int?, caller: TenantCaller,
                                scope: TenantScope) throws -> HTTPResponse {
        try scope.lockExternalID("work_order", externalID)
        guard let existing = try scope.workOrders.find(externalID: externalID) else {
            if ifMatch != nil { throw StoreError.notFound("work order with that external id") }
            var body = try JSONCoding.decode(NewWorkOrderBody.self, from: bytes, allowedFields: NewWorkOrderBody.fields)
            try ExternalIDs.same(body.externalId, externalID)
            body.externalId = externalID
            return try createWorkOrder(body, caller: caller, scope: scope)
        }
        let fixed = try JSONCoding.decode(FixedWorkOrderFields.self, from: bytes, allowedFields: NewWorkOrderBody.fields)
        try ExternalIDs.same(fixed.externalId, externalID)
        for (field, given, stored) in [("type_id", fixed.typeId, existing.typeID), ("customer_id", fixed.customerId, existing.customerID),
                                       ("vehicle_id", fixed.vehicleId, existing.vehicleID)] where given != nil && given != stored {
            throw Problem(status: 409, type: "conflict", title: "Conflict", detail: "\(field) cannot change once the order exists",
                          errors: [.init(field: field, message: "is fixed at creation")])
        }
        if let channel = fixed.channel, channel != existing.channel {
            throw Problem(status: 409, type: "conflict", title: "Conflict", detail: "channel cannot change once the order exists",
                          errors: [.init(field: "channel", message: "is fixed at creation")])
        }
        let body = try JSONCoding.decode(WorkOrderChangesBody.self, from: bytes, allowedFields: NewWorkOrderBody.fields)
        let order = try OrderLifecycle(scope: scope, tenant: caller.tenant, by: .key(caller.key))
            .edit(existing.id, expectedVersion: ifMatch ?? existing.version, body.changes)
        return try .record(WorkOrderBody(order, tenantID: caller.tenant.id), version: order.version)
    }

}

/// What an upsert of an existing order may repeat but not change.
struct FixedWorkOrderFields: Decodable {
    var typeId: UUID?
    var customerId: UUID?
    var vehicleId: UUID?
    var channel: WorkOrder.Channel?
    var externalId: String?
}
