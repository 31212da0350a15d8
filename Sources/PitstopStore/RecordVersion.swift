import Foundation
import Postgres

/// The optimistic-concurrency rule every versioned record follows: an UPDATE … WHERE version =
/// the version the client read either changes the row, or the record is missing (404) or has
/// moved on (412, with its current version so the client can fetch and retry).
enum RecordVersion {
    /// Why an UPDATE guarded by `version` changed nothing. `table` is a fixed name from code.
    static func failure(_ transaction: Transaction, table: String, tenantID: UUID, id: UUID, what: String) throws -> StoreError {
        let rows = try transaction.query("SELECT version FROM \(unsafeRaw: table) WHERE tenant_id = \(tenantID) AND id = \(id)")
        guard let row = rows.first else { return .notFound(what) }
        return .versionMismatch(current: try row.decode("version"))
    }
}
