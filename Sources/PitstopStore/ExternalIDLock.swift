import Foundation
import Postgres

extension TenantScope {
    /// Holds, until the transaction ends, the right to create or change the record of `kind`
    /// that an outside system knows as `externalID`: two upserts of one id at the same moment
    /// take turns, so the second finds the first's record instead of creating a duplicate.
    public func lockExternalID(_ kind: String, _ externalID: String) throws {
        try lockIdentities([kind + "\u{1F}" + externalID])
    }

    /// Holds, until the transaction ends, each of `identities` (a phone, an openid, a plate…, each
    /// prefixed with what it is): two reports naming one customer or car at the same moment are
    /// matched one after the other, so the second finds the customer, vehicle and open order the
    /// first made instead of making them again. Taken in one order, so two transactions naming
    /// the same identities never wait on each other in a circle.
    ///
    /// One statement, however many: the subquery (fenced by OFFSET 0) sorts the lock keys
    /// themselves, so even two identities whose keys collide are taken in the one order.
    public func lockIdentities(_ identities: [String]) throws {
        guard !identities.isEmpty else { return }
        _ = try transaction.query("""
            SELECT pg_advisory_xact_lock(key)
            FROM (SELECT DISTINCT hashtextextended(\(tenantID.lowercasedText + "\u{1F}") || identity, 0) AS key
                  FROM unnest(\(identities)::text[]) AS identity ORDER BY key OFFSET 0) AS sorted
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
