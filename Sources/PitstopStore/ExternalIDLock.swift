import Foundation
import Postgres

extension TenantScope {
    /// Holds, until the transaction ends, the right to create or change the record of `kind`
    /// that an outside system knows as `externalID`: two upserts of one id at the same moment
    /// take turns, so the second finds the first's record instead of creating a duplicate.
    public func lockExternalID(_ kind: String, _ externalID: String) throws {
        _ = try transaction.query("""
            SELECT pg_advisory_xact_lock(hashtextextended(\(tenantID.lowercasedText + "\u{1F}" + kind + "\u{1F}" + externalID), 0))
            """)
    }
}
