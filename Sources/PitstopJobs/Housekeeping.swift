import Foundation
import Logging
import PitstopStore

/// Work that must run on one worker at a time, once an interval: whichever worker takes the
/// `housekeeping` lease first does it (the lease outlives a worker that dies mid-run only by its
/// time-to-live). It forgets idempotency keys older than a day, and personal data older than each
/// tenant keeps it, in batches, each its own short transaction.
public struct Housekeeping: Sendable {
    let database: Database
    let logger: Logger
    /// This worker's name in the lease.
    let holder: String
    let lease: String
    let every: TimeInterval
    static let keyRetention: TimeInterval = 24 * 3600
    static let batch = 5000
    static let maxBatches = 100

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
        var removed = (trail: 0, weChat: 0, notifications: 0, media: 0)
        // Bounded: what is left after this many batches goes at the next run.
        for _ in 0..<Self.maxBatches {
            let batch = try database.withPlatform { try $0.prunePersonalData(at: now, batch: Self.batch) }
            // Media rows are only marked here: each API instance removes the files from its disk.
            let media = try database.withPlatform { try $0.pruneMedia(at: now, batch: Self.batch) }
            removed = (removed.trail + batch.trail, removed.weChat + batch.weChat, removed.notifications + batch.notifications, removed.media + media)
            if max(batch.trail, batch.weChat, batch.notifications, media) < Self.batch { break }
        }
        try database.withPlatform { try $0.finishLease(lease, holder: holder, now: now) }
        if pruned > 0 { logger.info("idempotency keys older than a day removed", ["count": .int(pruned)]) }
        if removed.trail + removed.weChat + removed.notifications + removed.media > 0 {
            logger.info("personal data past its retention removed", ["trail_points": .int(removed.trail), "wechat_messages": .int(removed.weChat),
                                                                       "notifications": .int(removed.notifications), "media_purged": .int(removed.media)])
        }
        return true
    }
}
