import Foundation
import Lifecycle
import Logging

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
    /// A report for a vehicle with an order opened this recently is linked to that order instead
    /// of opening another (unless the caller insists); zero turns the guard off.
    public var duplicateWindow: Duration
    /// SHA-256 (hex) of a platform key accepted in addition to those in the database, so an
    /// operator can bootstrap tenants before any platform key row exists.
    public var platformKeySHA256: String?

    public init(databaseURL: String, host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String = "./data",
                logLevel: Logger.Level = .info, databasePoolSize: Int = 8, maxBodyBytes: Int = 1 << 20,
                shutdownGrace: Duration = .seconds(10), statementTimeout: Duration = .seconds(30), duplicateWindow: Duration = .seconds(24 * 3600),
                platformKeySHA256: String? = nil) {
        self.databaseURL = databaseURL
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.logLevel = logLevel
        self.databasePoolSize = databasePoolSize
        self.maxBodyBytes = maxBodyBytes
        self.shutdownGrace = shutdownGrace
        self.statementTimeout = statementTimeout
        self.duplicateWindow = duplicateWindow
        self.platformKeySHA256 = platformKeySHA256
    }

    /// Reads `DATABASE_URL`, `PITSTOP_LISTEN`, `PITSTOP_DATA_DIR`, `PITSTOP_LOG_LEVEL`,
    /// `PITSTOP_DB_POOL_SIZE`, `PITSTOP_MAX_BODY_BYTES`, `PITSTOP_SHUTDOWN_GRACE_SECONDS`,
    /// `PITSTOP_STATEMENT_TIMEOUT_MS`, `PITSTOP_DUPLICATE_WINDOW_MINUTES` and
    /// `PITSTOP_PLATFORM_KEY_SHA256`; throws with every problem found.
    public static func fromEnvironment(_ values: [String: String] = ProcessInfo.processInfo.environment) throws -> APIConfiguration {
        var environment = Environment(values)
        let url = environment.required("DATABASE_URL", hint: "set it to the app role's URL, e.g. postgresql://pitstop_app@127.0.0.1:5432/pitstop")
        let listen = environment.hostPort("PITSTOP_LISTEN", default: ("127.0.0.1", 8080))
        let level = environment.logLevel("PITSTOP_LOG_LEVEL")
        let pool = environment.integer("PITSTOP_DB_POOL_SIZE", default: 8, range: 1...200)
        let body = environment.integer("PITSTOP_MAX_BODY_BYTES", default: 1 << 20, range: 1024...(64 << 20))
        let grace = environment.integer("PITSTOP_SHUTDOWN_GRACE_SECONDS", default: 10, range: 0...600)
        let statementTimeout = environment.integer("PITSTOP_STATEMENT_TIMEOUT_MS", default: 30_000, range: 100...3_600_000)
        let duplicateWindow = environment.integer("PITSTOP_DUPLICATE_WINDOW_MINUTES", default: 1440, range: 0...43_200)
        let platform = environment.string("PITSTOP_PLATFORM_KEY_SHA256")?.lowercased()
        if let platform, platform.count != 64 || !platform.allSatisfy(\.isHexDigit) {
            environment.report("PITSTOP_PLATFORM_KEY_SHA256 must be 64 hexadecimal digits (sha256sum of the key)")
        }
        try environment.validate()
        return APIConfiguration(databaseURL: url, host: listen.host, port: listen.port,
                                dataDirectory: environment.string("PITSTOP_DATA_DIR") ?? "./data", logLevel: level,
                                databasePoolSize: pool, maxBodyBytes: body, shutdownGrace: .seconds(grace),
                                statementTimeout: .milliseconds(statementTimeout), duplicateWindow: .seconds(duplicateWindow * 60),
                                platformKeySHA256: platform)
    }
}
