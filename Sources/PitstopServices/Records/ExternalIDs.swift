import Foundation
import PitstopCore
import PitstopStore

/// The rules every upsert by an outside system's id (a CRM's, an HR system's, a parts system's)
/// shares.
public enum ExternalIDs {
    /// A body (or line) may repeat the path's external id, never name another.
    public static func same(_ given: String?, _ externalID: String) throws {
        if let given, given != externalID {
            throw ValidationError(field: "external_id", "is \(externalID) in the path (or line); leave it out of the body or send the same")
        }
    }

    /// The `what` known as `externalID`: changed if we have it (at `ifMatch`, when given), else
    /// created. Upserts of one id queue on a lock, so two never create it twice; `ifMatch` names
    /// a version of a record that must exist.
    static func upsert<Record>(_ what: String, externalID: String, ifMatch: Int?, in scope: TenantScope,
                               find: () throws -> (id: UUID, version: Int)?, update: (UUID, Int) throws -> Record,
                               create: () throws -> Record) throws -> (Record, created: Bool) {
        try scope.lockExternalID(what, externalID)
        if let existing = try find() { return (try update(existing.id, ifMatch ?? existing.version), false) }
        if ifMatch != nil { throw StoreError.notFound("\(what) with that external id") }
        return (try create(), true)
    }
}
