import Foundation
import PitstopCore
import PitstopStore

/// Keeps an order's SLA clocks in step with the order: which policy applies (chosen by
/// `SLAPolicy.select` from the tenant's policies and the customer's tags), on which business
/// calendar, and what each change means for the clocks. The lifecycle calls it in the
/// transaction of the change.
struct SLAClockKeeper {
    let scope: TenantScope
    let now: Date

    /// A new order's clocks, under the policy that matches it (none without one).
    func started(_ order: WorkOrder) throws {
        guard let policy = try matchingPolicy(for: order) else { return }
        try scope.slaClocks.start(order, policy: policy, calendar: try calendar(of: policy), now: now)
    }

    /// After a status change of an order that has clocks, under the policy they run on.
    func statusChanged(_ order: WorkOrder, from previous: WorkOrderStatus) throws {
        guard let (policy, calendar) = try runningPolicy(of: order) else { return }
        try scope.slaClocks.statusChanged(order, from: previous, policy: policy, calendar: calendar, now: now)
    }

    /// The order waits on something that is no status (the customer's answer to extra work):
    /// its resolution clock stands still until `released`.
    func held(_ order: WorkOrder, reason: String) throws {
        guard let (policy, calendar) = try runningPolicy(of: order) else { return }
        try scope.slaClocks.hold(order, reason: reason, policy: policy, calendar: calendar, now: now)
    }

    func released(_ order: WorkOrder, reason: String) throws {
        guard let (policy, calendar) = try runningPolicy(of: order) else { return }
        try scope.slaClocks.release(order, reason: reason, policy: policy, calendar: calendar, now: now)
    }

    /// The policy an order's clocks run on, with its calendar; nil for an order without clocks.
    private func runningPolicy(of order: WorkOrder) throws -> (SLAPolicy, BusinessCalendar?)? {
        guard let policyID = try scope.slaClocks.clocks(workOrder: order.id).first?.policyID else { return nil }
        let policy = try scope.sla.policy(id: policyID)
        return (policy, try calendar(of: policy))
    }

    func arrived(_ order: UUID) throws {
        try scope.slaClocks.arrived(workOrder: order, at: now)
    }

    /// After the priority, shop or site changed: the policy that matches may be another one.
    func rematch(_ order: WorkOrder) throws {
        let policy = try matchingPolicy(for: order)
        try scope.slaClocks.rematch(order, policy: policy, calendar: try policy.flatMap(calendar(of:)), now: now)
    }

    private func matchingPolicy(for order: WorkOrder) throws -> SLAPolicy? {
        let policies = try scope.sla.policies()
        guard !policies.isEmpty else { return nil }
        let tags = try scope.customers.get(id: order.customerID).tags
        return SLAPolicy.select(from: policies, priority: order.priority, typeID: order.typeID, shopID: order.shopID, customerTags: tags)
    }

    private func calendar(of policy: SLAPolicy) throws -> BusinessCalendar? {
        try policy.calendarID.map { try scope.sla.calendar(id: $0).calendar }
    }
}
