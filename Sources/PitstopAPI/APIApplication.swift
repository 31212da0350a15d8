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
                                    reportsPerAddressPerHour: configuration.intakeReportsPerAddressPerHour,
                                    lookupsPerAddressPerMinute: configuration.publicRequestsPerAddressPerMinute)
    }

    /// Creates the media store's folders and clears what a killed process left in its spool.
    /// Call before serving.
    public func prepareStorage() throws {
        try mediaStore.prepare(staleAfter: 24 * 3600, logger: logger)
    }

    /// Removes from this instance's disk the photos and videos no live record names: purged by
    /// the tenant's media retention (the worker marks them), or left by an upload whose record
    /// never committed. Files younger than an hour are left for the upload that may own them.
    /// Returns how many files went; each API instance sweeps its own disk.
    @discardableResult
    public func sweepMedia(now: Date = Date()) throws -> Int {
        var removed = 0
        let stored = Dictionary(grouping: mediaStore.storedFiles(before: now.addingTimeInterval(-3600)), by: \.tenant)
        for (tenant, files) in stored {
            // In slices, so one statement never carries a whole disk's names.
            for start in stride(from: 0, to: files.count, by: 1000) {
                let slice = files[start..<min(start + 1000, files.count)]
                let live = try database.withTenant(tenant, readOnly: true) { try $0.media.liveHashes(among: slice.map(\.sha256)) }
                for file in slice where !live.contains(file.sha256) {
                    if (try? FileManager.default.removeItem(atPath: file.path)) != nil { removed += 1 }
                }
            }
        }
        if removed > 0 { logger.info("media no record names removed from disk", ["files": .int(removed)]) }
        return removed
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
