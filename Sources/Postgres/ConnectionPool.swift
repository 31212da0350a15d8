import Foundation

/// A bounded set of connections shared by threads. `acquire` waits up to `acquireTimeout` for a
/// free connection and then fails rather than queueing without bound. A connection the server
/// closed (restart, terminate) is noticed when taken from the pool and replaced, so only the
/// work that was running on it when it broke can fail.
public final class ConnectionPool: @unchecked Sendable {
    public struct Statistics: Sendable, Equatable {
        public var size: Int
        public var inUse: Int
        public var idle: Int
        public var waiting: Int
    }

    public let size: Int
    public let acquireTimeout: Duration
    private let configuration: Connection.Configuration
    private let condition = NSCondition()
    private var idle: [Connection] = []
    private var inUse = 0
    private var waiting = 0
    private var closed = false

    public init(configuration: Connection.Configuration, size: Int, acquireTimeout: Duration = .seconds(5)) {
        precondition(size > 0, "a pool needs at least one connection")
        self.configuration = configuration
        self.size = size
        self.acquireTimeout = acquireTimeout
    }

    public var statistics: Statistics {
        condition.lock()
        defer { condition.unlock() }
        return Statistics(size: size, inUse: inUse, idle: idle.count, waiting: waiting)
    }

    /// Runs `body` with a connection of its own, returned to the pool afterwards.
    @discardableResult
    public func withConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        let connection = try acquire()
        do {
            let value = try body(connection)
            release(connection)
            return value
        } catch {
            release(connection)
            throw error
        }
    }

    /// Closes idle connections and makes further `acquire` calls fail; connections in use are
    /// closed as they come back.
    public func close() {
        condition.lock()
        closed = true
        idle.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    func acquire() throws -> Connection {
        let deadline = Date().addingTimeInterval(acquireTimeout.timeInterval)
        condition.lock()
        while true {
            if closed {
                condition.unlock()
                throw PostgresError(kind: .poolClosed, message: "the connection pool is closed")
            }
            // Oldest first: a read-only transaction's COMMIT answer has then most likely arrived
            // by the time its connection is taken again, and `settle` reads it without waiting.
            if !idle.isEmpty {
                let connection = idle.removeFirst()
                inUse += 1
                condition.unlock()
                connection.settle()
                if connection.isAlive { return connection }
                // Dropped by the server while idle: discard it and open a fresh one in its place.
                return try open()
            }
            if inUse < size {
                inUse += 1
                condition.unlock()
                return try open()
            }
            waiting += 1
            let signalled = condition.wait(until: deadline)
            waiting -= 1
            if !signalled && Date() >= deadline {
                condition.unlock()
                throw PostgresError(kind: .poolTimeout,
                                    message: "all \(size) connections stayed busy for \(acquireTimeout)")
            }
        }
    }

    /// Opens a connection for a slot already counted in `inUse`; gives the slot back on failure.
    private func open() throws -> Connection {
        do {
            return try Connection(configuration)
        } catch {
            condition.lock()
            inUse -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    /// Drops every idle connection: after one was found broken, the others likely are too.
    func discardIdle() {
        condition.lock()
        idle.removeAll()
        condition.unlock()
    }

    /// Gives a connection back. Whether the server dropped it meanwhile is checked when it is
    /// next taken (`acquire`), not here as well: one poll a use is enough.
    func release(_ connection: Connection) {
        let reusable = connection.isReusable
        condition.lock()
        inUse -= 1
        if reusable && !closed { idle.append(connection) }
        condition.signal()
        condition.unlock()
    }
}

extension Duration {
    var timeInterval: TimeInterval {
        TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18
    }
}
