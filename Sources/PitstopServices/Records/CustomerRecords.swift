import Foundation
import PitstopCore
import PitstopStore

/// Adding and changing customers, by our id or by the CRM's (`external_id`): the record's rules
/// (`CustomerInput.normalised`) checked before anything is written.
public struct CustomerRecords {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    public func create(_ input: CustomerInput) throws -> Customer {
        try scope.customers.create(try input.normalised(creating: true).get())
    }

    public func update(_ id: UUID, expectedVersion: Int, _ input: CustomerInput) throws -> Customer {
        try scope.customers.update(id: id, expectedVersion: expectedVersion, try input.normalised(creating: false).get())
    }

    /// The CRM's customer `externalID`, created or changed (`ExternalIDs.upsert`).
    public func upsert(_ input: CustomerInput, externalID: String, ifMatch: Int?) throws -> (Customer, created: Bool) {
        try ExternalIDs.same(input.externalID.newValue, externalID)
        var changes = input, new = input
        changes.externalID = .keep
        new.externalID = .set(externalID)
        return try ExternalIDs.upsert("customer", externalID: externalID, ifMatch: ifMatch, in: scope,
                                      find: { try scope.customers.find(externalID: externalID).map { ($0.id, $0.version) } },
                                      update: { try update($0, expectedVersion: $1, changes) }, create: { try create(new) })
    }
}

