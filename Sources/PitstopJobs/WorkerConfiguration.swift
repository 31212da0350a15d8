import Foundation
import Lifecycle
import Logging
import PitstopStore

/// Everything pitstop-worker reads from its environment.
public struct WorkerConfiguration: Sendable {
    public var databaseURL: String
    public var logLevel: Logger.Level
    public var heartbeatInterval: Duration
    /// The NOTIFY channel that wakes the worker early.
    public var wakeupChannel: String
    /// PITSTOP_SECRET_KEY: opens channel secrets. Without it nothing is sent (deliveries wait).
    public var secretKey: [UInt8]?
    /// How long a delivery being sent is held before another worker may take it (a worker that
    /// died mid-send leaves it this long).
    public var deliveryLease: TimeInterval
    /// PITSTOP_ALLOW_PRIVATE_URLS: lets tenants' URLs reach loopback and private addresses (a
    /// proxy or receivers on a private network). Off by default: see `OutboundGuard`.
    public var allowPrivateURLs: Bool
    /// How many notifications go out at once: overall, of one tenant, to one endpoint.
    public var deliveryLimits: DeliverySender.Limits
    /// How long a stopping worker waits for sends under way before giving them back untried.
    public var stopGrace: Duration
    /// PITSTOP_PUBLIC_URL, as the API reads it: the links in messages to customers start with it.
    public var publicBaseURL: String

    /// The API's own default: http:// and its default listen address.
    public static let defaultPublicURL = "http://127.0.0.1:8080"

    public init(databaseURL: String, logLevel: Logger.Level = .info, heartbeatInterval: Duration = .seconds(10),
                wakeupChannel: String = NotificationRepository.wakeupChannel, secretKey: [UInt8]? = nil, deliveryLease: TimeInterval = 60,
                allowPrivateURLs: Bool = false, deliveryLimits: DeliverySender.Limits = .init(), stopGrace: Duration = .seconds(3),
                publicBaseURL: String = defaultPublicURL) {
        self.databaseURL = databaseURL
        self.logLevel = logLevel
        self.heartbeatInterval = heartbeatInterval
        self.wakeupChannel = wakeupChannel
        self.secretKey = secretKey
        self.deliveryLease = deliveryLease
        self.allowPrivateURLs = allowPrivateURLs
        self.deliveryLimits = deliveryLimits
        self.stopGrace = stopGrace
        self.publicBaseURL = publicBaseURL
    }

    public static func fromEnvironment(_ values: [String: String] = ProcessInfo.processInfo.environment) throws -> WorkerConfiguration {
        var environment = Environment(values)
        let url = environment.required("DATABASE_URL", hint: "set it to the app role's URL, e.g. postgresql://pitstop_app@127.0.0.1:5432/pitstop")
        let level = environment.logLevel("PITSTOP_LOG_LEVEL")
        let heartbeat = environment.integer("PITSTOP_WORKER_HEARTBEAT_SECONDS", default: 10, range: 1...3600)
        let key = environment.key("PITSTOP_SECRET_KEY")
        let lease = environment.integer("PITSTOP_DELIVERY_LEASE_SECONDS", default: 60, range: 1...3600)
        let allowPrivate = environment.flag("PITSTOP_ALLOW_PRIVATE_URLS", default: false)
        let inFlight = environment.integer("PITSTOP_DELIVERY_CONCURRENCY", default: 32, range: 1...256)
        let perTenant = environment.integer("PITSTOP_DELIVERY_PER_TENANT", default: 8, range: 1...256)
        let perChannel = environment.integer("PITSTOP_DELIVERY_PER_DESTINATION", default: 4, range: 1...64)
        let publicURL = environment.baseURL("PITSTOP_PUBLIC_URL")
        try environment.validate()
        return WorkerConfiguration(databaseURL: url, logLevel: level, heartbeatInterval: .seconds(heartbeat), secretKey: key,
                                   deliveryLease: TimeInterval(lease), allowPrivateURLs: allowPrivate,
                                   deliveryLimits: .init(inFlight: inFlight, perTenant: perTenant, perChannel: perChannel),
                                   publicBaseURL: publicURL ?? defaultPublicURL)
    }
}
