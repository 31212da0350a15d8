import Foundation
import HTTPServer
import PitstopCore
import PitstopServices

extension APIApplication {
    var platformRoutes: [Router.Route] {
        [
            // Creates a tenant with its first admin key, which is returned once.
            Router.route("POST", "/v1/platform/tenants", preflight: Authenticator.preflight, ErrorMapping.wrap { [authenticator, database] request in
                try authenticator.requirePlatformKey(request)
                let input = try JSONCoding.decode(CreateTenantBody.self, from: request.body, allowedFields: ["name", "timezone"])
                let (tenant, key) = try database.withTenant(UUID()) { try ChainSetup(scope: $0).openTenant(name: input.name, timezone: input.timezone) }
                var response = try HTTPResponse.json(CreatedTenantBody(tenant: TenantBody(tenant), adminKey: KeyBody(key.key, secret: key.secret)), status: 201)
                response.headers.add("Cache-Control", "no-store")
                return response
            }),
        ]
    }
}

struct CreateTenantBody: Decodable {
    var name: String
    var timezone: String?
}

struct CreatedTenantBody: Encodable {
    var tenant: TenantBody
    var adminKey: KeyBody
}
