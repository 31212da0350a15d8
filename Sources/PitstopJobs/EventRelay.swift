import Foundation
import Logging
import PitstopStore

/// Relays the outbox to webhook subscriptions: each event once, to every active subscription of
/// its type, as deliveries the sender then makes. Tenants with events waiting are found through a
/// function that reveals only their ids; each is relayed in its own transaction and row-level
/// scope, the events locked `FOR UPDATE SKIP LOCKED`, so any number of workers may relay at once.
public struct EventRelay: Sendable {
    let database: Database
    let logger: Logger
    /// Events relayed per tenant and transaction.
    let batch: Int

    public init(database: Database, logger: Logger, batch: Int = 500) {
        self.database = database
        self.logger = logger
        self.batch = batch
    }

    /// Relays what is waiting at `now`; returns how many events and how many deliveries that made.
    @discardableResult
    public func run(now: Date = Date()) throws -> (events: Int, deliveries: Int) {
        var events = 0
        var deliveries = 0
        let tenants = try database.withPlatform { try $0.tenantsWithUnrelayedEvents(at: now) }
        database.eachTenant(tenants, logger: logger, job: "event relay") { tenantID in
            let relayed = try database.withTenant(tenantID) { try $0.events.relay(now: now, limit: batch) }
            events += relayed.events
            deliveries += relayed.deliveries
        }
        return (events, deliveries)
    }
}
