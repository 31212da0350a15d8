import Foundation
import PitstopCore
import Postgres

/// The scope tenant's transfer requests: an assignee asking the desk to hand an order on.
public struct TransferRequestRepository {
    let transaction: Transaction
    let tenantID: UUID

    /// An open request by an engineer to hand the order on.
    public struct TransferRequest: Sendable, Equatable {
        public var id: UUID
        public var workOrderID: UUID
        public var engineerID: UUID
        public var reason: String
        public var requestedAt: Date
    }

    /// Records the assignee's request to hand the order on; one open request per order.
    public func request(id: UUID, engineer: UUID, reason: String, now: Date = Date()) throws -> TransferRequest {
        let requestID = UUID()
        do {
            try transaction.execute("""
                INSERT INTO transfer_requests (tenant_id, id, work_order_id, engineer_id, reason, requested_at)
                VALUES (\(tenantID), \(requestID), \(id), \(engineer), \(reason), \(now))
                """)
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            throw StoreError.conflict("a transfer of this order was requested already; a dispatcher will answer it")
        }
        return TransferRequest(id: requestID, workOrderID: id, engineerID: engineer, reason: reason, requestedAt: now)
    }

    /// Open transfer requests, oldest first: the dispatchers' inbox.
    public func open(limit: Int) throws -> [TransferRequest] {
        try transaction.query("""
            SELECT id, work_order_id, engineer_id, reason, requested_at FROM transfer_requests
            WHERE tenant_id = \(tenantID) AND resolved_at IS NULL ORDER BY requested_at, id LIMIT \(limit)
            """).rows.map {
            TransferRequest(id: try $0.decode(0), workOrderID: try $0.decode(1), engineerID: try $0.decode(2), reason: try $0.decode(3),
                            requestedAt: try $0.decode(4))
        }
    }
}
