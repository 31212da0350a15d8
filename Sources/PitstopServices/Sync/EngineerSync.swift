import Foundation
import PitstopCore
import PitstopStore

/// What an engineer's app needs to catch up after being offline: the orders given to them that
/// changed since its cursor, the ones it should drop, and, whole each time because they are few
/// and a desk may have edited them without touching an order, its queue, the offers waiting for an
/// answer, and the customers and vehicles of its open orders.
///
/// The cursor is a place in the tenant's event feed (`EventRepository`): every change of an order
/// writes an event in its own transaction, and the feed never gains an event behind a cursor, so
/// a change is never missed; one may be sent twice, and the app keeps the higher version.
public struct EngineerSync {
    let scope: TenantScope
    let engineer: UUID

    public init(scope: TenantScope, engineer: UUID) {
        self.scope = scope
        self.engineer = engineer
    }

    public struct Changes: Sendable {
        /// Changed orders the engineer has, open or closed (a closed one leaves the queue).
        public var orders: [WorkOrder]
        /// Changed orders that were theirs and no longer are (declined, lapsed, transferred away).
        public var removed: [UUID]
        /// The open orders, most urgent first: anything else the app holds is no longer in work.
        public var queue: [WorkOrder]
        public var offers: [DispatchOffer]
        public var customers: [Customer]
        public var vehicles: [Vehicle]
        /// Where the next sync resumes.
        public var next: FeedCursor
        /// More changes wait after `next`: sync again at once.
        public var hasMore: Bool
    }

    /// The engineer's open orders are capped as the queue is: a phone shows no more.
    static let queueLimit = 200

    /// Changes after `since`, reading at most `limit` events; everything in reach without one.
    public func changes(since: FeedCursor?, limit: Int) throws -> Changes {
        // The horizon is read before the orders: each statement sees the database as it is when
        // it starts, so a change committed in between is in the orders and comes again next time,
        // rather than being behind the cursor and missing from the orders.
        var next = try since ?? scope.events.horizon()
        let queue = try scope.workOrders.assigned(to: engineer, limit: Self.queueLimit)
        var orders = queue
        var removed: [UUID] = []
        var hasMore = false
        if let since {
            let changed = try scope.events.changedOrders(after: since, limit: limit)
            let found = try scope.workOrders.get(ids: changed.ids)
            let mine = found.filter { $0.assigneeID == engineer }
            let position = Dictionary(uniqueKeysWithValues: changed.ids.enumerated().map { ($1, $0) })
            orders = mine.sorted { position[$0.id, default: 0] < position[$1.id, default: 0] }
            let others = found.filter { $0.assigneeID != engineer }.map(\.id)
            let wasMine = try scope.dispatch.everAssigned(others, to: engineer)
            removed = changed.ids.filter(wasMine.contains)
            hasMore = changed.events == limit
            // A page that read nothing leaves the cursor where it was.
            if let last = changed.last { next = last }
        }
        var offers: [DispatchOffer] = []
        for order in queue where order.status == .assigned {
            if let offer = try scope.dispatch.pendingOffer(workOrder: order.id, forUpdate: false), offer.engineerID == engineer {
                offers.append(offer)
            }
        }
        var customers: [UUID: Customer] = [:]
        var vehicles: [UUID: Vehicle] = [:]
        for order in queue {
            if customers[order.customerID] == nil { customers[order.customerID] = try scope.customers.get(id: order.customerID) }
            if let vehicle = order.vehicleID, vehicles[vehicle] == nil { vehicles[vehicle] = try scope.vehicles.get(id: vehicle) }
        }
        return Changes(orders: orders, removed: removed, queue: queue, offers: offers,
                       customers: customers.values.sorted { $0.id.uuidString < $1.id.uuidString },
                       vehicles: vehicles.values.sorted { $0.id.uuidString < $1.id.uuidString }, next: next, hasMore: hasMore)
    }
}
