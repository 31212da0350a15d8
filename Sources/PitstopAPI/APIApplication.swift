import Foundation
import HTTPServer
import Logging
import PitstopCore
import PitstopStore

/// The API: its routes over a database, with metrics and access logs. `makeServer` binds it to
/// a listening address; tests use the same object on port 0.
public final class APIApplication: Sendable {
    public let database: Database
    public let metrics = Metrics()
    let configuration: APIConfiguration
    let logger: Logger
    let authenticator: Authenticator
    let publicLimits: PublicLimits

    public init(configuration: APIConfiguration, database: Database, logger: Logger) {
        self.configuration = configuration
        self.database = database
        self.logger = logger
        authenticator = Authenticator(database: database, platformKeySHA256: configuration.platformKeySHA256)
        publicLimits = PublicLimits(reportsPerLinkPerHour: configuration.intakeReportsPerLinkPerHour,
                                    reportsPerAddressPerHour: configuration.intakeReportsPerAddressPerHour)
    }

    /// Creates the media store's folders and clears what a killed process left in its spool.
    /// Call before serving.
    public func prepareStorage() throws {
        try mediaStore.prepare(staleAfter: 24 * 3600, logger: logger)
    }

    public var router: Router {
        Router(healthRoutes + tenantRoutes + apiKeyRoutes + shopRoutes + customerRoutes + vehicleRoutes + engineerRoutes + workOrderTypeRoutes + workOrderRoutes
               + dispatchRoutes + poolRoutes + mobileRoutes + syncRoutes + mediaRoutes + slaRoutes + notificationRoutes + webhookRoutes + eventRoutes + knowledgeRoutes + partRoutes + externalIDRoutes + reportRoutes + requisitionRoutes + extraWorkRoutes + qualityCheckRoutes + acceptanceLinkRoutes + intakeLinkRoutes + publicIntakeRoutes + weChatAccountRoutes + weChatRoutes + customerMessageRoutes + smsReplyRoutes + platformRoutes + [
            Router.route("GET", "/v1/openapi.json", inline: true) { [self] _ in openAPIResponse() },
        ])
    }

    public func makeServer(host: String? = nil, port: Int? = nil, workerThreads: Int? = nil) -> HTTPServer {
        var server = HTTPServer.Configuration()
        server.host = host ?? configuration.host
        server.port = port ?? configuration.port
        server.workerThreads = workerThreads ?? configuration.databasePoolSize
        server.maxBodyBytes = configuration.maxBodyBytes
        server.trustedProxies = configuration.trustedProxies
        server.spoolDirectory = mediaStore.spool
        let metrics = self.metrics
        let logger = self.logger
        return HTTPServer(configuration: server, router: router, logger: logger) { request in
            metrics.record(request)
            logger.info("request", [
                "request_id": .string(request.requestID), "method": .string(request.method), "path": .string(request.path),
                "route": .string(request.route ?? ""), "status": .int(request.status),
                "duration_ms": .double((Double(request.duration.components.attoseconds) / 1e15
                                        + Double(request.duration.components.seconds) * 1000).rounded(toPlaces: 3)),
                "client": .string(request.clientAddress), "bytes_in": .int(request.bytesIn), "bytes_out": .int(request.bytesOut),
                "completed": .bool(request.completed),
            ])
        }
    }

    /// A route whose handler runs for an authenticated tenant key with one of `roles`, in one
    /// transaction scoped to that tenant.
    func tenantRoute(_ method: String, _ pattern: String, roles: Set<Role>,
                     _ body: @escaping @Sendable (HTTPRequest, TenantCaller, TenantScope) throws -> HTTPResponse) -> Router.Route {
        Router.route(method, pattern, preflight: Authenticator.preflight, ErrorMapping.wrap { [authenticator] request in
            try authenticator.withTenantCaller(request, roles: roles) { caller, scope in try body(request, caller, scope) }
        })
    }

    static let allRoles = Set(Role.allCases)
    /// Every role but the engineer's, whose key reads only what its work needs (`EngineerReach`).
    static let staffRoles = allRoles.subtracting([.engineer])
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (self * scale).rounded() / scale
    }
}
