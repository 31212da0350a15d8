import Foundation
import Logging
import PitstopCore
import PitstopServices
import PitstopStore

/// Passes on dispatch offers whose deadline went by: the order goes back to unassigned and on to
/// the next engineer, or where the policy sends it after the last round. Orders a pool-mode
/// policy published go on the same way once their stay in the pool ran out. Tenants with due work
/// are found through a function that reveals only their ids; each is then handled in its own
/// transaction and row-level scope, with the due offers and orders locked `FOR UPDATE SKIP
/// LOCKED`, so any number of workers may sweep at once and none acts on one another holds.
public struct OfferSweep: Sendable {
    let database: Database
    let logger: Logger
    /// Offers handled per tenant and transaction.
    let batch: Int

    public init(database: Database, logger: Logger, batch: Int = 50) {
        self.database = database
        self.logger = logger
        self.batch = batch
    }

    /// Handles what is due at `now`; returns how many offers and pool stays lapsed.
    @discardableResult
    public func run(now: Date = Date()) throws -> Int {
        try lapseOffers(now: now) + lapsePoolStays(now: now)
    }

    private func lapseOffers(now: Date) throws -> Int {
        var handled = 0
        let tenants = try database.withPlatform { try $0.tenantsWithExpiredOffers(at: now) }
        database.eachTenant(tenants, logger: logger, job: "offer sweep") { tenantID in
            handled += try database.withTenant(tenantID) { scope in
                let tenant = try scope.tenant.get()
                let dispatcher = Dispatcher(scope: scope, tenant: tenant, now: now)
                let due = try scope.dispatch.expiredOffers(at: now, limit: batch)
                for offer in due {
                    let order = try scope.workOrders.get(id: offer.workOrderID)
                    _ = try dispatcher.passOn(order, from: offer.engineerID, offer: offer, as: .expired, reason: nil, by: .automation)
                }
                return due.count
            }
        }
        return handled
    }

    private func lapsePoolStays(now: Date) throws -> Int {
        var handled = 0
        let tenants = try database.withPlatform { try $0.tenantsWithLapsedPoolStays(at: now) }
        database.eachTenant(tenants, logger: logger, job: "pool sweep") { tenantID in
            handled += try database.withTenant(tenantID) { scope in
                let dispatcher = Dispatcher(scope: scope, tenant: try scope.tenant.get(), now: now)
                let due = try scope.workOrders.lapsedPoolStays(at: now, limit: batch)
                for order in due { _ = try dispatcher.poolStayLapsed(order) }
                return due.count
            }
        }
        return handled
    }
}
