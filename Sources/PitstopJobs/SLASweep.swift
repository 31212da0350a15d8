import Foundation
import Logging
import PitstopCore
import PitstopStore

/// Turns SLA warnings and breaches that have come due into timeline entries and events. Tenants
/// with something due are found through a function that reveals only their ids (and reads only
/// the partial index of pending clocks, so an idle sweep costs the same however many orders are
/// open); each tenant's due clocks are then locked `FOR UPDATE SKIP LOCKED` in its own scope, so
/// any number of workers may sweep at once and no warning goes out twice. A worker killed
/// mid-batch rolls back: the clocks stay due and the next sweep, by any worker, sends them.
public struct SLASweep: Sendable {
    let database: Database
    let logger: Logger
    /// Clocks handled per tenant and transaction.
    let batch: Int

    public init(database: Database, logger: Logger, batch: Int = 200) {
        self.database = database
        self.logger = logger
        self.batch = batch
    }

    /// Handles what is due at `now`; returns the warnings and breaches sent. A tenant whose
    /// batch fails is logged and left for the next sweep; the others go on.
    @discardableResult
    public func run(now: Date = Date()) throws -> (warnings: Int, breaches: Int) {
        var warnings = 0
        var breaches = 0
        for tenantID in try database.withPlatform({ try $0.tenantsWithDueSLAClocks(at: now) }) {
            do {
                let (sentWarnings, sentBreaches) = try database.withTenant(tenantID) { scope in
                    var policies: [UUID: SLAPolicy] = [:]
                    var counts = (0, 0)
                    for (workOrder, clock) in try scope.slaClocks.due(at: now, limit: batch) {
                        if policies[clock.policyID] == nil { policies[clock.policyID] = try scope.sla.policy(id: clock.policyID) }
                        switch try scope.slaClocks.fire(workOrder: workOrder, clock: clock, warnAt: policies[clock.policyID]?.rules.warnAt ?? [],
                                                        now: now) {
                        case .warning?: counts.0 += 1
                        case .breach?: counts.1 += 1
                        case nil: break
                        }
                    }
                    return counts
                }
                warnings += sentWarnings
                breaches += sentBreaches
            } catch {
                logger.error("SLA sweep failed for a tenant", ["tenant_id": .string(tenantID.uuidString.lowercased()),
                                                               "error": .string("\(error)")])
            }
        }
        return (warnings, breaches)
    }
}
