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

extension TenantScope {
    /// Runs `body` inside a savepoint of this transaction: when it throws, what it did is undone
    /// and its error rethrown, and the transaction goes on (one bad line of an import costs only
    /// itself). Should undoing fail, that error is thrown instead and the transaction is lost.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        try transaction.execute("SAVEPOINT line")
        do {
            let value = try body()
            try transaction.execute("RELEASE SAVEPOINT line")
            return value
        } catch {
            try transaction.execute("ROLLBACK TO SAVEPOINT line")
            throw error
        }
    }
}
