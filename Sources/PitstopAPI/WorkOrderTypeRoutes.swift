import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    var workOrderTypeRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/work-order-types", roles: [.admin]) { [self] request, _, scope in
                try idempotent(request, scope) {
                    let type = try ChainSetup(scope: scope).createType(try Self.decodeTypeInput(request))
                    return try .created(WorkOrderTypeBody(type), version: type.version,
                                        location: "/v1/work-order-types/\(type.id.lowercasedText)")
                }
            },
            tenantRoute("GET", "/v1/work-order-types", roles: Self.allRoles) { request, _, scope in
                let page = try PageRequest(request)
                let types = try scope.workOrderTypes.list(limit: page.limit + 1, after: page.cursor)
                return try .page(types, limit: page.limit, cursor: { PageCursor(createdAt: $0.createdAt, id: $0.id) },
                                 body: WorkOrderTypeBody.init)
            },
            tenantRoute("GET", "/v1/work-order-types/{id}", roles: Self.allRoles) { request, _, scope in
                let type = try scope.workOrderTypes.get(id: try Self.pathID(request, "work-order type"))
                return try .record(WorkOrderTypeBody(type), version: type.version)
            },
            tenantRoute("PATCH", "/v1/work-order-types/{id}", roles: [.admin]) { request, _, scope in
                let id = try Self.pathID(request, "work-order type")
                let version = try Self.ifMatchVersion(request)
                let type = try ChainSetup(scope: scope).updateType(id, expectedVersion: version, try Self.decodeTypeInput(request))
                return try .record(WorkOrderTypeBody(type), version: type.version)
            },
        ]
    }

    static func decodeTypeInput(_ request: HTTPRequest) throws -> WorkOrderTypeInput {
        let body = try JSONCoding.decode(WorkOrderTypeInputBody.self, from: request.body, allowedFields: ["code", "name", "template", "checklist", "active"])
        return WorkOrderTypeInput(code: body.code, name: body.name, template: body.template, checklist: body.checklist, active: body.active)
    }
}

struct WorkOrderTypeInputBody: Decodable {
    var code: String?
    var name: String?
    var template: WorkOrderTemplate?
    var checklist: [String]?
    var active: Bool?
}

struct WorkOrderTypeBody: Encodable {
    var id: String
    var code: String
    var name: String
    var template: WorkOrderTemplate
    var checklist: [String]
    var active: Bool
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    init(_ type: WorkOrderType) {
        id = type.id.lowercasedText
        code = type.code
        name = type.name
        template = type.template
        checklist = type.checklist
        active = type.active
        createdAt = type.createdAt
        updatedAt = type.updatedAt
        version = type.version
    }
}
