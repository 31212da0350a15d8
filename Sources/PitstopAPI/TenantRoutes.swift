import Foundation
import HTTPServer
import PitstopCore

extension APIApplication {
    var tenantRoutes: [Router.Route] {
        [
            tenantRoute("GET", "/v1/tenant", roles: Self.allRoles) { _, caller, _ in
                try .json(TenantBody(caller.tenant))
            },
        ]
    }
}

struct TenantBody: Encodable {
    /// Lower-case, as PostgreSQL prints it (JSONEncoder would upper-case a UUID).
    var id: String
    var name: String
    var timezone: String
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    init(_ tenant: Tenant) {
        id = tenant.id.uuidString.lowercased()
        name = tenant.name
        timezone = tenant.timezone
        createdAt = tenant.createdAt
        updatedAt = tenant.updatedAt
        version = tenant.version
    }
}
