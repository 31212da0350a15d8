import Foundation
import PitstopCore
import PitstopStore

/// What an engineer's key may read: the orders given to them (offered, accepted, in work, done),
/// the pooled orders they qualify for and may claim, and the customers and vehicles of their open
/// orders. Anything else is answered like a missing record, so that the key can neither read the
/// chain's customer list nor probe which ids exist.
public struct EngineerReach {
    let scope: TenantScope
    let tenant: Tenant
    let engineer: UUID

    public init(scope: TenantScope, tenant: Tenant, engineer: UUID) {
        self.scope = scope
        self.tenant = tenant
        self.engineer = engineer
    }

    public func order(_ id: UUID) throws -> WorkOrder {
        let order = try scope.workOrders.get(id: id)
        guard try sees(order) else { throw StoreError.notFound("work order") }
        return order
    }

    public func sees(_ order: WorkOrder) throws -> Bool {
        if order.assigneeID == engineer { return true }
        guard order.pooledAt != nil, order.assigneeID == nil else { return false }
        return try Dispatcher(scope: scope, tenant: tenant).eligibility(of: engineer, for: order).failed.isEmpty
    }

    public func customer(_ id: UUID) throws -> Customer {
        guard try scope.workOrders.hasOpenOrder(assignedTo: engineer, customer: id) else { throw StoreError.notFound("customer") }
        return try scope.customers.get(id: id)
    }

    public func vehicle(_ id: UUID) throws -> Vehicle {
        guard try scope.workOrders.hasOpenOrder(assignedTo: engineer, vehicle: id) else { throw StoreError.notFound("vehicle") }
        return try scope.vehicles.get(id: id)
    }
}
