import Foundation
import PitstopCore
import PitstopStore

/// Adding and changing vehicles, by our id or by the CRM's (`external_id`): the record's rules
/// (`VehicleInput.normalised`) checked before anything is written.
public struct VehicleRecords {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    public func create(_ input: VehicleInput) throws -> Vehicle {
        try scope.vehicles.create(try input.normalised(creating: true).get())
    }

    public func update(_ id: UUID, expectedVersion: Int, _ input: VehicleInput) throws -> Vehicle {
        try scope.vehicles.update(id: id, expectedVersion: expectedVersion, try input.normalised(creating: false).get())
    }

    /// The CRM's vehicle `externalID`, created or changed (`ExternalIDs.upsert`). The owner may be
    /// named by the CRM's customer id (`ownerExternalID`) instead of ours.
    public func upsert(_ input: VehicleInput, ownerExternalID: String?, externalID: String, ifMatch: Int?) throws -> (Vehicle, created: Bool) {
        try ExternalIDs.same(input.externalID.newValue, externalID)
        var input = input
        if let owner = ownerExternalID {
            guard input.customerID == nil else {
                throw ValidationError(field: "customer_external_id", "name the owner by customer_id or customer_external_id, not both")
            }
            guard let customer = try scope.customers.find(externalID: owner) else {
                throw ValidationError(field: "customer_external_id", "is not a customer of this tenant; import the customer first")
            }
            input.customerID = customer.id
        }
        var changes = input, new = input
        changes.externalID = .keep
        new.externalID = .set(externalID)
        return try ExternalIDs.upsert("vehicle", externalID: externalID, ifMatch: ifMatch, in: scope,
                                      find: { try scope.vehicles.find(externalID: externalID).map { ($0.id, $0.version) } },
                                      update: { try update($0, expectedVersion: $1, changes) }, create: { try create(new) })
    }
}
