import Foundation

/// A fixed set of threads running jobs from a bounded queue. Sized to the database pool: more
/// threads would only wait for connections. `submit` refuses when the queue is full, so the
/// server can answer 503 at once instead of queueing without bound.
final class WorkerPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var head = 0
    private let queueLimit: Int
    private var stopping = false
    private var threads: [Thread] = []

    init(threads count: Int, queueLimit: Int, name: String) {
        self.queueLimit = queueLimit
        for index in 0..<count {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "\(name)-\(index)"
            thread.stackSize = 1 << 20
            threads.append(thread)
            thread.start()
        }
    }

    private var reserved = 0

    /// Holds a place in the queue for a job submitted right after; false when the queue is full or
    /// the pool is stopping. Reserving first lets the caller suspend its connection only once it
    /// knows the job will run, so nothing can resume a connection that was never suspended.
    func reserve() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping, queue.count - head + reserved < queueLimit else { return false }
        reserved += 1
        return true
    }

    /// Queues a job for a place taken with `reserve()`.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        defer { condition.unlock() }
        reserved -= 1
        queue.append(job)
        condition.signal()
    }

    /// Lets queued jobs finish, then ends the threads.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == queue.count && !stopping { condition.wait() }
            if head == queue.count {
                condition.unlock()
                return
            }
            let job = queue[head]
            head += 1
            // Compact now and then rather than shifting the array on every take.
            if head > 1024 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}
