import Foundation
import PitstopCore
import PitstopStore

extension OrderLifecycle {
    /// Why a passed check cannot send the order on.
    public enum InspectionRefusal: Error, Equatable, CustomStringConvertible {
        /// Without a report the order would wait in awaiting_acceptance where signing cannot
        /// succeed. (A desk moving it there itself may mean a paper signature; it can complete
        /// the order directly.)
        case noReport

        public var description: String {
            "the order has no repair report: the engineer saves one (PUT /v1/me/work-orders/{id}/report) before it can go to the customer for acceptance"
        }
    }

    /// The inspector's check of an order in `quality_check` against its type's checklist: every
    /// item passed sends it on to the customer's acceptance, any failure back to repairing with
    /// the failed items named; the check is kept with the step.
    public func inspect(_ id: UUID, expectedVersion: Int, inspectorName: String, results: [QualityCheck.Result]) throws -> (WorkOrder, QualityCheck) {
        let order = try scope.workOrders.get(id: id)
        let checklist = try scope.workOrderTypes.get(id: order.typeID).checklist
        let errors = QualityCheck.errors(inspectorName: inspectorName, results: results, checklist: checklist)
        guard errors.isEmpty else { throw ValidationError(errors) }
        let check = QualityCheck(id: UUID(), workOrderID: id, inspectorKeyID: actor, inspectorName: inspectorName, results: results, checkedAt: now)
        if check.passed, try scope.repairReports.reports(id: id).isEmpty { throw InspectionRefusal.noReport }
        let note = check.passed ? "quality check passed (\(inspectorName))"
            : "quality check failed (\(inspectorName)): \(check.failedItems.joined(separator: ", "))"
        let moved = try move(id, expectedVersion: expectedVersion, to: check.passed ? .awaitingAcceptance : .repairing, note: String(note.prefix(2000)))
        try scope.qualityChecks.record(check)
        return (moved, check)
    }
}
