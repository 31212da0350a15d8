// pitstop-api: reads its configuration, checks the schema, serves HTTP until SIGTERM or SIGINT,
// then drains in-flight requests and closes the database pool.
import Foundation
import HTTPServer
import Lifecycle
import Logging
import PitstopAPI
import PitstopStore
import Postgres

// `pitstop-api openapi` prints the OpenAPI document and exits, for validators and client generators.
if CommandLine.arguments.dropFirst().first == "openapi" {
    FileHandle.standardOutput.write(Data(APIApplication.openAPIJSON))
    exit(0)
}

let configuration: APIConfiguration
do {
    configuration = try APIConfiguration.fromEnvironment()
} catch {
    FileHandle.standardError.write(Data("pitstop-api: \(error)\n".utf8))
    exit(2)
}

let logger = Logger(component: "api", minimumLevel: configuration.logLevel)
do {
    try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
} catch {
    logger.error("cannot create PITSTOP_DATA_DIR", ["path": .string(configuration.dataDirectory), "error": .string("\(error)")])
    exit(1)
}
let signals = SignalWaiter()
var connection = Connection.Configuration(url: configuration.databaseURL, applicationName: "pitstop-api",
                                          onNotice: { logger.warning("database notice", ["notice": .string($0)]) })
connection.statementTimeout = configuration.statementTimeout
let pool = ConnectionPool(configuration: connection, size: configuration.databasePoolSize)

do {
    try Schema.check(pool)
} catch {
    logger.error("cannot start", ["error": .string("\(error)")])
    exit(1)
}

let application = APIApplication(configuration: configuration, database: Database(pool: pool), logger: logger)
do {
    try application.prepareStorage()
} catch {
    logger.error("cannot prepare the media store under PITSTOP_DATA_DIR", ["path": .string(configuration.dataDirectory),
                                                                          "error": .string("\(error)")])
    exit(1)
}
let server = application.makeServer()
do {
    try server.start()
} catch {
    logger.error("cannot start", ["error": .string("\(error)")])
    exit(1)
}
logger.info("listening", ["address": .string("\(configuration.host):\(server.port)"), "schema_version": .int(Schema.version),
                          "db_pool": .int(configuration.databasePoolSize)])

let systemd = SystemdNotifier()
systemd.ready()
if let interval = SystemdNotifier.watchdogInterval() {
    Thread.detachNewThread {
        // Half the interval, as sd_watchdog_enabled(3) advises.
        while !signals.wait(timeout: interval / 2) { systemd.watchdog() }
    }
}

// Media the tenants' retention purged leave this instance's disk within the hour.
Thread.detachNewThread {
    repeat {
        do {
            try application.sweepMedia()
        } catch {
            logger.warning("media sweep failed; retrying in an hour", ["error": .string("\(error)")])
        }
    } while !signals.wait(timeout: .seconds(3600))
}

let received = signals.wait()
logger.info("stopping", ["signal": .int(Int(received))])
systemd.stopping()
server.shutdown(grace: configuration.shutdownGrace)
pool.close()
logger.info("stopped")
