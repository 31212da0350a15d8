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

    /// The CRM's customer `externalID`: changed if we have it (at `ifMatch`, when given), else
    /// created with that id. Upserts of one id queue on a lock, so two never create it twice.
    public func upsert(_ input: CustomerInput, externalID: String, ifMatch: Int?) throws -> (Customer, created: Bool) {
        try ExternalIDs.same(input.externalID.newValue, externalID)
        try scope.lockExternalID("customer", externalID)
        var input = input
        if let existing = try scope.customers.find(externalID: externalID) {
            input.externalID = .keep
            return (try update(existing.id, expectedVersion: ifMatch ?? existing.version, input), false)
        }
        if ifMatch != nil { throw StoreError.notFound("customer with that external id") }
        input.externalID = .set(externalID)
        return (try create(input), true)
    }
}

/// The rule every upsert by external id shares.
public enum ExternalIDs {
    /// A body (or line) may repeat the path's external id, never name another.
    public static func same(_ given: String?, _ externalID: String) throws {
        if let given, given != externalID {
            throw ValidationError(field: "external_id", "is \(externalID) in the path (or line); leave it out of the body or send the same")
        }
    }
}
