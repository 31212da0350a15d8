import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore
import Postgres

extension APIApplication {
    /// The inspector's check of an order in `quality_check`: every item of the type's checklist
    /// passed sends it on to the customer's acceptance; any failure sends it back to repairing
    /// with the failed items named.
    var qualityCheckRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/work-orders/{id}/quality-check", roles: [.admin, .dispatcher, .inspector]) { request, caller, scope in
                let id = try Self.pathID(request, "work order")
                let version = try Self.ifMatchVersion(request)
                let body = try JSONCoding.decode(QualityCheckInputBody.self, from: request.body, allowedFields: ["inspector", "results"])
                let order = try scope.workOrders.get(id: id)
                let checklist = try scope.workOrderTypes.get(id: order.typeID).checklist
                let results = body.results.map { QualityCheck.Result(item: $0.item, passed: $0.passed, note: $0.note) }
                let errors = QualityCheck.errors(inspectorName: body.inspector, results: results, checklist: checklist)
                guard errors.isEmpty else { throw ValidationError(errors) }
                let check = QualityCheck(id: UUID(), workOrderID: id, inspectorKeyID: caller.key.id, inspectorName: body.inspector,
                                         results: results, checkedAt: Date())
                if check.passed { try Self.requireReport(order, scope: scope) }
                let note = check.passed ? "quality check passed (\(body.inspector))"
                    : "quality check failed (\(body.inspector)): \(check.failedItems.joined(separator: ", "))"
                let moved = try OrderLifecycle(scope: scope, tenant: caller.tenant, by: .key(caller.key), now: check.checkedAt)
                    .move(id, expectedVersion: version, to: check.passed ? .awaitingAcceptance : .repairing, note: String(note.prefix(2000)))
                try scope.workOrders.recordQualityCheck(check)
                return try .record(QualityCheckResultBody(workOrder: WorkOrderBody(moved, tenantID: caller.tenant.id),
                                                          qualityCheck: QualityCheckBody(check)), version: moved.version)
            },
            tenantRoute("GET", "/v1/work-orders/{id}/quality-checks", roles: Self.allRoles) { request, caller, scope in
                let order = try Self.readableOrder(request, caller, scope)
                return try .json(["items": try scope.workOrders.qualityChecks(id: order.id).map(QualityCheckBody.init)])
            },
        ]
    }
}

extension APIApplication {
    /// A passed check sends the order to the customer for acceptance, so it needs a repair report
    /// to sign: without one the order would wait in `awaiting_acceptance` where signing cannot
    /// succeed. (A desk moving an order there itself may mean a paper signature; it can complete
    /// the order directly.)
    static func requireReport(_ order: WorkOrder, scope: TenantScope) throws {
        guard try scope.workOrders.reports(id: order.id).isEmpty else { return }
        throw Problem.conflict("the order has no repair report: the engineer saves one (PUT /v1/me/work-orders/{id}/report) before it can go to the customer for acceptance")
    }
}

struct QualityCheckInputBody: Decodable {
    struct Result: Decodable {
        var item: String
        var passed: Bool
        var note: String?
    }

    var inspector: String
    var results: [Result]
}

struct QualityCheckBody: Encodable {
    var id: UUID
    var inspector: String
    var inspectorKeyId: UUID?
    var passed: Bool
    var failedItems: [String]
    var results: [QualityCheck.Result]
    var checkedAt: Date

    init(_ check: QualityCheck) {
        id = check.id
        inspector = check.inspectorName
        inspectorKeyId = check.inspectorKeyID
        passed = check.passed
        failedItems = check.failedItems
        results = check.results
        checkedAt = check.checkedAt
    }
}

struct QualityCheckResultBody: Encodable {
    var workOrder: WorkOrderBody
    var qualityCheck: QualityCheckBody
}
