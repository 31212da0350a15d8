import Foundation
import Logging
import PitstopStore

/// Work that must run on one worker at a time, once an interval: whichever worker takes the
/// `housekeeping` lease first does it (the lease outlives a worker that dies mid-run only by its
/// time-to-live). Today it forgets idempotency keys older than a day.
public struct Housekeeping: Sendable {
    let database: Database
    let logger: Logger
    /// This worker's name in the lease.
    let holder: String
    let lease: String
    let every: TimeInterval
    static let keyRetention: TimeInterval = 24 * 3600

    public init(database: Database, logger: Logger, holder: String = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8))",
                lease: String = "housekeeping", every: TimeInterval = 3600) {
        self.database = database
        self.logger = logger
        self.holder = holder
        self.lease = lease
        self.every = every
    }

    /// Runs the work if it is due and no other worker holds it; returns whether it ran.
    @discardableResult
    public func run(now: Date = Date()) throws -> Bool {
        guard try database.withPlatform({ try $0.takeLease(lease, holder: holder, ttl: 600, every: every, now: now) }) else {
            return false
        }
        let pruned = try database.withPlatform { try $0.pruneIdempotencyKeys(before: now.addingTimeInterval(-Self.keyRetention)) }
        try database.withPlatform { try $0.finishLease(lease, holder: holder, now: now) }
        if pruned > 0 { logger.info("idempotency keys older than a day removed", ["count": .int(pruned)]) }
        return true
    }
}
