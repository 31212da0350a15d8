import Foundation
import Lifecycle
import Logging

/// Everything pitstop-worker reads from its environment.
public struct WorkerConfiguration: Sendable {
    public var databaseURL: String
    public var logLevel: Logger.Level
    public var heartbeatInterval: Duration
    /// The NOTIFY channel that wakes the worker early.
    public var wakeupChannel: String

    public init(databaseURL: String, logLevel: Logger.Level = .info, heartbeatInterval: Duration = .seconds(10),
                wakeupChannel: String = "pitstop_work") {
        self.databaseURL = databaseURL
        self.logLevel = logLevel
        self.heartbeatInterval = heartbeatInterval
        self.wakeupChannel = wakeupChannel
    }

    public static func fromEnvironment(_ values: [String: String] = ProcessInfo.processInfo.environment) throws -> WorkerConfiguration {
        var environment = Environment(values)
        let url = environment.required("DATABASE_URL", hint: "set it to the app role's URL, e.g. postgresql://pitstop_app@127.0.0.1:5432/pitstop")
        var level = Logger.Level.info
        if let text = environment.string("PITSTOP_LOG_LEVEL") {
            if let parsed = Logger.Level(name: text) { level = parsed } else {
                environment.report("PITSTOP_LOG_LEVEL=\(text) is not one of debug, info, warning, error")
            }
        }
        let heartbeat = environment.integer("PITSTOP_WORKER_HEARTBEAT_SECONDS", default: 10, range: 1...3600)
        guard environment.problems.isEmpty else { throw WorkerConfigurationError(problems: environment.problems) }
        return WorkerConfiguration(databaseURL: url, logLevel: level, heartbeatInterval: .seconds(heartbeat))
    }
}

public struct WorkerConfigurationError: Error, CustomStringConvertible {
    public var problems: [String]
    public var description: String { "configuration error:\n" + problems.map { "  - \($0)" }.joined(separator: "\n") }
}
