import Foundation
import PitstopCore
import PitstopStore

/// The parts catalogue, by our id or by the parts system's (`external_id`): a part's rules
/// (`PartInput.errors`) checked before anything is written.
public struct PartRecords {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    public func create(_ input: PartInput) throws -> Part {
        guard input.errors.isEmpty else { throw ValidationError(input.errors) }
        return try scope.inventory.createPart(input)
    }

    public func replace(_ id: UUID, expectedVersion: Int, _ input: PartInput) throws -> Part {
        guard input.errors.isEmpty else { throw ValidationError(input.errors) }
        return try scope.inventory.replacePart(id: id, expectedVersion: expectedVersion, input)
    }

    /// The parts system's part `externalID`, created or replaced as `CustomerRecords.upsert` does.
    public func upsert(_ input: PartInput, externalID: String, ifMatch: Int?) throws -> (Part, created: Bool) {
        try ExternalIDs.same(input.externalID, externalID)
        try scope.lockExternalID("part", externalID)
        var input = input
        input.externalID = externalID
        if let existing = try scope.inventory.part(externalID: externalID) {
            return (try replace(existing.id, expectedVersion: ifMatch ?? existing.version, input), false)
        }
        if ifMatch != nil { throw StoreError.notFound("part with that external id") }
        return (try create(input), true)
    }
}
