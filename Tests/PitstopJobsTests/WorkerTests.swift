import Foundation
import Lifecycle
import Logging
import PitstopJobs
import PitstopStore
import PitstopTesting
import Postgres
import Testing

@Suite struct WorkerTests {
    /// A datagram socket standing in for systemd's NOTIFY_SOCKET.
    final class NotifySocket {
        let path: String
        let fd: Int32

        init() throws {
            path = NSTemporaryDirectory() + "pitstop-notify-\(UUID().uuidString.prefix(8))"
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { throw CocoaError(.fileWriteUnknown) }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit {
            close(fd)
            unlink(path)
        }

        /// Reads datagrams until one equals `message` or the socket times out.
        func waitFor(_ message: String) -> Bool {
            var buffer = [UInt8](repeating: 0, count: 512)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count <= 0 { return false }
                if String(decoding: buffer[0..<count], as: UTF8.self) == message { return true }
            }
        }
    }

    @Test func runsTellsSystemdAndStopsCleanly() throws {
        let notify = try NotifySocket()
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
