// pitstop-worker: background work on the same schema as the API. Any number may run.
import Foundation
import Lifecycle
import Logging
import PitstopJobs
import Postgres

let configuration: WorkerConfiguration
do {
    configuration = try WorkerConfiguration.fromEnvironment()
} catch {
    FileHandle.standardError.write(Data("pitstop-worker: \(error)\n".utf8))
    exit(2)
}

let logger = Logger(component: "worker", minimumLevel: configuration.logLevel)
let signals = SignalWaiter()
let worker = Worker(configuration: configuration, connection: Connection.Configuration(
    url: configuration.databaseURL, applicationName: "pitstop-worker",
    onNotice: { logger.warning("database notice", ["notice": .string($0)]) }), logger: logger)

Thread.detachNewThread {
    let received = signals.wait()
    logger.info("stopping", ["signal": .int(Int(received))])
    worker.stop()
}

do {
    try worker.run()
} catch {
    logger.error("cannot start", ["error": .string("\(error)")])
    exit(1)
}
