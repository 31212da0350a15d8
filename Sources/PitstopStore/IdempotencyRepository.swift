import Foundation
import Postgres

/// Idempotency-Key records of the scope tenant. A creating request claims its key in the same
/// transaction as the work it does; a concurrent request with the same key waits on the key's
/// row and then sees the stored outcome, so a key creates at most one thing.
public struct IdempotencyRepository {
    let transaction: Transaction
    let tenantID: UUID

    public enum Claim: Equatable {
        /// First use of the key: do the work, then `complete`.
        case claimed
        /// The key was used for this same request: answer with what it answered then.
        case replay(status: Int, body: String, location: String?)
        /// The key was used for a different request.
        case mismatch
    }

    public func claim(key: String, requestHash: String) throws -> Claim {
        let inserted = try transaction.query("""
            INSERT INTO idempotency_keys (tenant_id, key, request_hash) VALUES (\(tenantID), \(key), \(requestHash))
            ON CONFLICT (tenant_id, key) DO NOTHING
            RETURNING key
            """)
        if inserted.count == 1 { return .claimed }
        let rows = try transaction.query("""
            SELECT request_hash, status, response_body, location FROM idempotency_keys
            WHERE tenant_id = \(tenantID) AND key = \(key)
            """)
        guard let row = rows.first, let status: Int = try row.decode("status"), let body: String = try row.decode("response_body") else {
            // Only possible if the other transaction stored no outcome, which `complete` prevents.
            throw StoreError.conflict("a request with this Idempotency-Key is still in progress; retry shortly")
        }
        guard try row.decode("request_hash", as: String.self) == requestHash else { return .mismatch }
        return .replay(status: status, body: body, location: try row.decode("location"))
    }

    public func complete(key: String, status: Int, body: String, location: String?) throws {
        try transaction.execute("""
            UPDATE idempotency_keys SET status = \(status), response_body = \(body), location = \(location)
            WHERE tenant_id = \(tenantID) AND key = \(key)
            """)
    }
}
