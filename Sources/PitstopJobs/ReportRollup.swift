import Foundation
import Logging
import PitstopServices
import PitstopStore

/// Keeps the report rollups current: follows the work-order events of all tenants from a
/// watermark, in the changes feed's order, and recounts only the days the changed orders touch.
/// One worker does it at a time (the `report_rollup` lease); a batch whose recount fails leaves
/// the watermark where it was, so the batch is tried again (a recount is idempotent).
public struct ReportRollup: Sendable {
    let database: Database
    let logger: Logger
    let holder: String
    /// Events read per round.
    let batch: Int

    public init(database: Database, logger: Logger, holder: String = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8))",
                batch: Int = 2000) {
        self.database = database
        self.logger = logger
        self.holder = holder
        self.batch = batch
    }

    /// Counts one batch of events in; returns how many events it took (0: up to date, or another
    /// worker holds the lease).
    @discardableResult
    public func run(now: Date = Date()) throws -> Int {
        guard try database.withPlatform({ try $0.takeLease("report_rollup", holder: holder, ttl: 120, every: 0, now: now) }) else { return 0 }
        defer { _ = try? database.withPlatform { try $0.finishLease("report_rollup", holder: holder, now: now) } }
        let (mark, changes) = try database.withPlatform { platform in
            let mark = try platform.reportWatermark()
            return (mark, try platform.reportChanges(after: mark, limit: batch))
        }
        guard let last = changes.last else { return 0 }
        var byTenant: [UUID: Set<UUID>] = [:]
        for change in changes { byTenant[change.tenant, default: []].insert(change.order) }
        for (tenantID, orders) in byTenant {
            try database.withTenant(tenantID) { scope in
                _ = try ReportCounts(scope: scope).recount(orders: Array(orders))
            }
        }
        try database.withPlatform { try $0.advanceReportWatermark(to: last.cursor) }
        logger.debug("report rollups counted in", ["events": .int(changes.count), "from": .string(mark.encoded)])
        return changes.count
    }
}
