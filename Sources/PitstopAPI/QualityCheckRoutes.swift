import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

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
                let results = body.results.map { QualityCheck.Result(item: $0.item, passed: $0.passed, note: $0.note) }
                let (moved, check) = try OrderLifecycle(scope: scope, tenant: caller.tenant, by: .key(caller.key))
                    .inspect(id, expectedVersion: version, inspectorName: body.inspector, results: results)
                return try .record(QualityCheckResultBody(workOrder: WorkOrderBody(moved, tenantID: caller.tenant.id),
                                                          qualityCheck: QualityCheckBody(check)), version: moved.version)
            },
            tenantRoute("GET", "/v1/work-orders/{id}/quality-checks", roles: Self.allRoles) { request, caller, scope in
                let order = try Self.readableOrder(request, caller, scope)
                return try .json(["items": try scope.qualityChecks.list(workOrder: order.id).map(QualityCheckBody.init)])
            },
        ]
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
