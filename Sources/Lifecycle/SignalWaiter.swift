import Dispatch
import Foundation

/// Blocks until SIGTERM or SIGINT arrives, for executables that run until stopped. The default
/// action of both signals is disabled, so the process decides how to stop.
public final class SignalWaiter: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "signals")
    public private(set) var received: Int32 = 0

    public init(signals: [Int32] = [SIGTERM, SIGINT]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [unowned self] in
                if received == 0 { received = number }
                semaphore.signal()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Returns the signal that arrived.
    @discardableResult
    public func wait() -> Int32 {
        semaphore.wait()
        // Passed on: every thread waiting (the main one, the watchdog's, a sweeper's) must wake,
        // not only the first.
        semaphore.signal()
        return queue.sync { received }
    }

    /// Waits up to `timeout`; true when a signal arrived (as for every later wait).
    public func wait(timeout: Duration) -> Bool {
        let milliseconds = Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard semaphore.wait(timeout: .now() + .milliseconds(milliseconds)) == .success else { return false }
        semaphore.signal()
        return true
    }
}
