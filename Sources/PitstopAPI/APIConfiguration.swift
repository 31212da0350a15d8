import Foundation
import Lifecycle
import Logging
import PitstopCore

/// Everything pitstop-api reads from its environment.
public struct APIConfiguration: Sendable {
    /// The app role's connection URL.
    public var databaseURL: String
    public var host: String
    public var port: Int
    /// Uploads and local state.
    public var dataDirectory: String
    public var logLevel: Logger.Level
    public var databasePoolSize: Int
    public var maxBodyBytes: Int
    public var shutdownGrace: Duration
    /// The longest a single SQL statement may run before PostgreSQL cancels it.
    public var statementTimeout: Duration
    /// SHA-256 (hex) of a platform key accepted in addition to those in the database, so an
    /// operator can bootstrap tenants before any platform key row exists.
    public var platformKeySHA256: String?
    /// Where customers reach this API (scheme, host and any path prefix, no trailing slash), for
    /// the intake and tracking URLs handed out; defaults to the listening address.
    public var publicURL: String?
    /// Public intake reports a link accepts an hour, and a client address may send an hour (each
    /// may arrive at once).
    public var intakeReportsPerLinkPerHour: Int
    public var intakeReportsPerAddressPerHour: Int
    /// Requests to the customer's pages and links (tracking, signing, the report form, SMS
    /// replies, photo links that are not good) one client address may make a minute, all of them at once if it likes. Behind
    /// a carrier's shared address (CGNAT) many phones are one address: raise it there.
    public var publicRequestsPerAddressPerMinute: Int
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    public var trustedProxies: Set<String>
    /// The largest photo and video the engineer's app may upload.
    public var mediaLimits: MediaLimits
    /// PITSTOP_SECRET_KEY: seals notification channel secrets. Without it, channels that need a
    /// secret cannot be saved.
    public var secretKey: [UInt8]?
    /// PITSTOP_ALLOW_PRIVATE_URLS: lets tenants' URLs reach loopback and private addresses (a
    /// proxy or receivers on a private network). Off by default: see `OutboundGuard`.
    public var allowPrivateURLs: Bool

    public init(databaseURL: String, host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String = "./data",
                logLevel: Logger.Level = .info, databasePoolSize: Int = 8, maxBodyBytes: Int = 1 << 20,
                shutdownGrace: Duration = .seconds(10), statementTimeout: Duration = .seconds(30),
                platformKeySHA256: String? = nil, publicURL: String? = nil, intakeReportsPerLinkPerHour: Int = 120,
                intakeReportsPerAddressPerHour: Int = 20, publicRequestsPerAddressPerMinute: Int = 60, trustedProxies: Set<String> = [], mediaLimits: MediaLimits = MediaLimits(),
                secretKey: [UInt8]? = nil, allowPrivateURLs: Bool = false) {
        self.databaseURL = databaseURL
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.logLevel = logLevel
        self.databasePoolSize = databasePoolSize
        self.maxBodyBytes = maxBodyBytes
        self.shutdownGrace = shutdownGrace
        self.statementTimeout = statementTimeout
        self.platformKeySHA256 = platformKeySHA256
        self.publicURL = publicURL
        self.intakeReportsPerLinkPerHour = intakeReportsPerLinkPerHour
        self.intakeReportsPerAddressPerHour = intakeReportsPerAddressPerHour
        self.publicRequestsPerAddressPerMinute = publicRequestsPerAddressPerMinute
        self.trustedProxies = trustedProxies
        self.mediaLimits = mediaLimits
        self.secretKey = secretKey
        self.allowPrivateURLs = allowPrivateURLs
    }

    /// The base of URLs given to customers.
    var publicBaseURL: String {
        publicURL ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// Reads `DATABASE_URL`, `PITSTOP_LISTEN`, `PITSTOP_DATA_DIR`, `PITSTOP_LOG_LEVEL`,
    /// `PITSTOP_DB_POOL_SIZE`, `PITSTOP_MAX_BODY_BYTES`, `PITSTOP_SHUTDOWN_GRACE_SECONDS`,
    /// `PITSTOP_STATEMENT_TIMEOUT_MS`, `PITSTOP_PLATFORM_KEY_SHA256`, `PITSTOP_PUBLIC_URL`, `PITSTOP_INTAKE_PER_LINK_PER_HOUR`,
    /// `PITSTOP_INTAKE_PER_ADDRESS_PER_HOUR`, `PITSTOP_PUBLIC_PER_ADDRESS_PER_MINUTE`, `PITSTOP_TRUSTED_PROXIES`, `PITSTOP_PHOTO_MAX_BYTES`,
    /// `PITSTOP_VIDEO_MAX_BYTES`, `PITSTOP_SECRET_KEY` and `PITSTOP_ALLOW_PRIVATE_URLS`; throws with every
    /// problem found.
    public static func fromEnvironment(_ values: [String: String] = ProcessInfo.processInfo.environment) throws -> APIConfiguration {
        var environment = Environment(values)
        let url = environment.required("DATABASE_URL", hint: "set it to the app role's URL, e.g. postgresql://pitstop_app@127.0.0.1:5432/pitstop")
        let listen = environment.hostPort("PITSTOP_LISTEN", default: ("127.0.0.1", 8080))
        let level = environment.logLevel("PITSTOP_LOG_LEVEL")
        let pool = environment.integer("PITSTOP_DB_POOL_SIZE", default: 8, range: 1...200)
        let body = environment.integer("PITSTOP_MAX_BODY_BYTES", default: 1 << 20, range: 1024...(64 << 20))
        let grace = environment.integer("PITSTOP_SHUTDOWN_GRACE_SECONDS", default: 10, range: 0...600)
        let statementTimeout = environment.integer("PITSTOP_STATEMENT_TIMEOUT_MS", default: 30_000, range: 100...3_600_000)
        let platform = environment.string("PITSTOP_PLATFORM_KEY_SHA256")?.lowercased()
        if let platform, platform.count != 64 || !platform.allSatisfy(\.isHexDigit) {
            environment.report("PITSTOP_PLATFORM_KEY_SHA256 must be 64 hexadecimal digits (sha256sum of the key)")
        }
        let publicURL = environment.baseURL("PITSTOP_PUBLIC_URL")
        let perLink = environment.integer("PITSTOP_INTAKE_PER_LINK_PER_HOUR", default: 120, range: 1...1_000_000)
        let perAddress = environment.integer("PITSTOP_INTAKE_PER_ADDRESS_PER_HOUR", default: 20, range: 1...1_000_000)
        let lookups = environment.integer("PITSTOP_PUBLIC_PER_ADDRESS_PER_MINUTE", default: 60, range: 1...1_000_000)
        let proxies = (environment.string("PITSTOP_TRUSTED_PROXIES") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for proxy in proxies where !Self.isIPAddress(proxy) {
            environment.report("PITSTOP_TRUSTED_PROXIES must list IP addresses separated by commas; \(proxy) is not one")
        }
        let photo = environment.integer("PITSTOP_PHOTO_MAX_BYTES", default: 10 << 20, range: 1024...(1 << 30))
        let video = environment.integer("PITSTOP_VIDEO_MAX_BYTES", default: 200 << 20, range: 1024...(16 << 30))
        let key = environment.key("PITSTOP_SECRET_KEY")
        let allowPrivate = environment.flag("PITSTOP_ALLOW_PRIVATE_URLS", default: false)
        try environment.validate()
        return APIConfiguration(databaseURL: url, host: listen.host, port: listen.port,
                                dataDirectory: environment.string("PITSTOP_DATA_DIR") ?? "./data", logLevel: level,
                                databasePoolSize: pool, maxBodyBytes: body, shutdownGrace: .seconds(grace),
                                statementTimeout: .milliseconds(statementTimeout),
                                platformKeySHA256: platform, publicURL: publicURL, intakeReportsPerLinkPerHour: perLink,
                                intakeReportsPerAddressPerHour: perAddress, publicRequestsPerAddressPerMinute: lookups, trustedProxies: Set(proxies),
                                mediaLimits: MediaLimits(photoBytes: photo, videoBytes: video), secretKey: key,
                                allowPrivateURLs: allowPrivate)
    }

    static func isIPAddress(_ text: String) -> Bool {
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        return inet_pton(AF_INET, text, &ipv4) == 1 || inet_pton(AF_INET6, text, &ipv6) == 1
    }
}
