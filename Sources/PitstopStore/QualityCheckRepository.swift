import Foundation
import PitstopCore
import Postgres

/// The scope tenant's quality checks: an inspector's results against the job type's checklist.
public struct QualityCheckRepository {
    let transaction: Transaction
    let tenantID: UUID

    public func record(_ check: QualityCheck) throws {
        try transaction.execute("""
            INSERT INTO quality_checks (tenant_id, id, work_order_id, inspector_key_id, inspector_name, results, passed, checked_at)
            VALUES (\(tenantID), \(check.id), \(check.workOrderID), \(check.inspectorKeyID),
                    \(check.inspectorName.trimmingCharacters(in: .whitespacesAndNewlines)), \(JSONB(check.results))::jsonb, \(check.passed),
                    \(check.checkedAt))
            """)
    }

    /// The order's quality checks, first first.
    public func list(workOrder id: UUID) throws -> [QualityCheck] {
        try transaction.query("""
            SELECT id, work_order_id, inspector_key_id, inspector_name, results, checked_at FROM quality_checks
            WHERE tenant_id = \(tenantID) AND work_order_id = \(id) ORDER BY checked_at, id
            """).rows.map { row in
            QualityCheck(id: try row.decode("id"), workOrderID: try row.decode("work_order_id"),
                         inspectorKeyID: try row.decode("inspector_key_id"), inspectorName: try row.decode("inspector_name"),
                         results: try row.decodeJSON("results"), checkedAt: try row.decode("checked_at"))
        }
    }
}
