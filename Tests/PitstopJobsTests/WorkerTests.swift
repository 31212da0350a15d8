import Foundation
import Lifecycle
import Logging
import PitstopJobs
import PitstopStore
import PitstopTesting
import Postgres
import Testing

@Suite struct WorkerTests {
    @Test func runsTellsSystemdAndStopsCleanly() throws {
        let notify = try NotifySocketListener()
        let worker = Worker(configuration: WorkerConfiguration(databaseURL: "", heartbeatInterval: .milliseconds(100)),
                            connection: TestDatabase.shared.appConfiguration,
                            logger: Logger(component: "worker-test", minimumLevel: .error, sink: { _ in }),
                            systemd: SystemdNotifier(environment: ["NOTIFY_SOCKET": notify.path]))
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? worker.run()
            finished.signal()
        }
        #expect(notify.waitFor("READY=1"))
        #expect(notify.waitFor("WATCHDOG=1"))
        worker.stop()
        #expect(notify.waitFor("STOPPING=1"))
        #expect(finished.wait(timeout: .now() + 5) == .success)
        #expect(worker.completedTicks >= 1)
    }

    @Test func refusesToStartOnAnOutdatedSchema() throws {
        let empty = try TestDatabase.makeEmptyDatabase()
        let worker = Worker(configuration: WorkerConfiguration(databaseURL: ""), connection: empty,
                            logger: Logger(component: "worker-test", minimumLevel: .error, sink: { _ in }))
        let error = #expect(throws: Schema.Mismatch.self) { try worker.run() }
        #expect(error?.description.contains("pitstop-admin migrate") == true)
    }

    @Test func watchdogIntervalComesFromTheEnvironment() {
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000"]) == .seconds(30))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: [:]) == nil)
        #expect(!SystemdNotifier(environment: [:]).isEnabled)
    }
}
