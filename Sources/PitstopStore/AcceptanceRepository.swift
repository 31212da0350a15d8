import Foundation
import PitstopCore
import Postgres

/// The scope tenant's sign-offs: the customer's signature on a report version, the links they
/// sign through, and their rating of the finished job.
public struct AcceptanceRepository {
    let transaction: Transaction
    let tenantID: UUID

    /// What a signed acceptance records, without the image.
    public struct Acceptance: Sendable, Equatable {
        public var reportVersion: Int
        public var reportSHA256: String
        public var signerName: String
        public var signatureType: String
        public var signatureBytes: Int
        public var signedAt: Date
    }

    /// Records the customer's signature on report `reportVersion` (whose SHA-256 is given); one per order.
    public func accept(id: UUID, reportVersion: Int, reportSHA256: String, signerName: String, signature: Signature, actor: UUID?,
                       now: Date = Date()) throws -> Acceptance {
        do {
            try transaction.execute("""
                INSERT INTO work_order_acceptances (tenant_id, work_order_id, report_version, report_sha256, signer_name, signature_type,
                                                    signature, signed_at, actor_key_id)
                VALUES (\(tenantID), \(id), \(reportVersion), \(reportSHA256), \(signerName.trimmingCharacters(in: .whitespacesAndNewlines)),
                        \(signature.kind.rawValue), \("\\x" + signature.bytes.hex)::bytea, \(now), \(actor))
                """)
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            throw StoreError.conflict("the customer has already accepted this order")
        }
        guard let accepted = try acceptance(id: id) else { throw StoreError.notFound("acceptance") }
        return accepted
    }

    public func acceptance(id: UUID) throws -> Acceptance? {
        try transaction.query("""
            SELECT report_version, report_sha256, signer_name, signature_type, length(signature) AS bytes, signed_at
            FROM work_order_acceptances WHERE tenant_id = \(tenantID) AND work_order_id = \(id)
            """).first.map { row in
            Acceptance(reportVersion: try row.decode("report_version"), reportSHA256: try row.decode("report_sha256"),
                       signerName: try row.decode("signer_name"), signatureType: try row.decode("signature_type"),
                       signatureBytes: try row.decode("bytes"), signedAt: try row.decode("signed_at"))
        }
    }

    /// A new link for the customer to sign through; the secret is what its token carries.
    public func createLink(id: UUID, validFor seconds: TimeInterval, now: Date = Date()) throws -> (secret: String, expiresAt: Date) {
        let secret = KeySecret.newSecret()
        let expires = now.addingTimeInterval(seconds)
        try transaction.execute("""
            INSERT INTO acceptance_links (tenant_id, secret_sha256, work_order_id, created_at, expires_at)
            VALUES (\(tenantID), \(KeySecret.sha256(of: secret)), \(id), \(now), \(expires))
            """)
        return (secret, expires)
    }

    /// The order an unexpired signing link names.
    public func workOrderID(linkSecret secret: String, now: Date = Date()) throws -> UUID? {
        try transaction.query("""
            SELECT work_order_id FROM acceptance_links
            WHERE tenant_id = \(tenantID) AND secret_sha256 = \(KeySecret.sha256(of: secret)) AND expires_at > \(now)
            """).first.map { try $0.decode("work_order_id") }
    }

    /// The customer's rating, once per order, with its event.
    public func rate(id: UUID, score: Int, comment: String?, now: Date = Date()) throws {
        do {
            try transaction.execute("""
                WITH rated AS (
                    INSERT INTO work_order_ratings (tenant_id, work_order_id, score, comment, rated_at)
                    VALUES (\(tenantID), \(id), \(score), \(comment), \(now))
                    RETURNING work_order_id
                )
                INSERT INTO outbox (tenant_id, id, topic, aggregate_id, payload)
                SELECT \(tenantID), \(UUID()), \(EventType.workOrderRated.rawValue)::text, work_order_id,
                       jsonb_build_object('event', \(EventType.workOrderRated.rawValue)::text, 'work_order_id', work_order_id, 'score', \(score)::int, 'at', \(now)::timestamptz)
                FROM rated
                """)
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            throw StoreError.conflict("this order has been rated already")
        }
    }

    public func rating(id: UUID) throws -> (score: Int, comment: String?)? {
        try transaction.query("SELECT score, comment FROM work_order_ratings WHERE tenant_id = \(tenantID) AND work_order_id = \(id)")
            .first.map { (try $0.decode("score"), try $0.decode("comment")) }
    }
}
