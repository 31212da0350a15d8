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

    /// The parts system's part `externalID`, created or replaced (`ExternalIDs.upsert`).
    public func upsert(_ input: PartInput, externalID: String, ifMatch: Int?) throws -> (Part, created: Bool) {
        try ExternalIDs.same(input.externalID, externalID)
        var input = input
        input.externalID = externalID
        return try ExternalIDs.upsert("part", externalID: externalID, ifMatch: ifMatch, in: scope,
                                      find: { try scope.inventory.part(externalID: externalID).map { ($0.id, $0.version) } },
                                      update: { try replace($0, expectedVersion: $1, input) }, create: { try create(input) })
    }
}
