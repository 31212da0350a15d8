import Foundation
import Logging
import PitstopCore
import PitstopStore

/// Turns SLA warnings and breaches that have come due into timeline entries, events and the
/// policy's escalation deliveries. Tenants with something due are found through a function that
/// reveals only their ids (and reads only the partial index of pending clocks, so an idle sweep
/// costs the same however many orders are open); each tenant's due clocks are then locked
/// `FOR UPDATE SKIP LOCKED` in its own scope, so any number of workers may sweep at once and no
/// warning goes out twice. A worker killed mid-batch rolls back: the clocks stay due and the next
/// sweep, by any worker, sends them.
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
                        let policy = policies[clock.policyID]
                        guard let (fired, eventID) = try scope.slaClocks.fire(workOrder: workOrder, clock: clock,
                                                                              warnAt: policy?.rules.warnAt ?? [], now: now) else { continue }
                        if case .breach = fired { counts.1 += 1 } else { counts.0 += 1 }
                        if let policy {
                            try escalate(fired, eventID: eventID, workOrder: workOrder, clock: clock, policy: policy, scope: scope, now: now)
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

    /// Queues the message to every active channel of the policy's levels for this event, in the
    /// sweep's transaction: the event and its deliveries commit together or not at all.
    private func escalate(_ fired: SLAClockRepository.Fired, eventID: UUID, workOrder: UUID, clock: SLAClockRepository.Clock,
                          policy: SLAPolicy, scope: TenantScope, now: Date) throws {
        let trigger: SLARules.Escalation.Trigger
        let fraction: Double?
        switch fired {
        case .warning(let value): (trigger, fraction) = (.warning, value)
        case .breach: (trigger, fraction) = (.breach, nil)
        }
        let levels = policy.rules.escalation.filter { $0.on == trigger }
        guard !levels.isEmpty else { return }
        let order = try scope.workOrders.get(id: workOrder)
        let tenant = try scope.tenant.get()
        let customer = try scope.customers.get(id: order.customerID)
        let plate = try order.vehicleID.flatMap { try scope.vehicles.get(id: $0).plate }
        let assigneePhone = try order.assigneeID.flatMap { try scope.engineers.get(id: $0).phone }
        let topic = fired == .breach ? "work_order.sla_breached" : "work_order.sla_warning"
        var data: [String: JSONValue] = ["work_order_id": .string(order.id.lowercasedText), "number": .string(order.number),
                                         "target": .string(clock.target.rawValue)]
        if let due = clock.dueAt { data["due_at"] = .string(ISO8601DateFormatter().string(from: due)) }
        if let fraction { data["fraction"] = .number(fraction) }
        let event: JSONValue = .object(["id": .string(eventID.lowercasedText), "type": .string(topic),
                                        "timestamp": .string(ISO8601DateFormatter().string(from: now)), "data": .object(data)])
        let facts = SLANotificationText.Facts(number: order.number, customer: customer.name, plate: plate, target: clock.target,
                                              dueAt: clock.dueAt, fraction: fraction, now: now,
                                              timeZone: TimeZone(identifier: tenant.timezone) ?? .current, link: nil)
        var channels: [UUID: NotificationChannel] = [:]
        for level in levels {
            for channelID in level.channels {
                if channels[channelID] == nil {
                    guard let channel = try? scope.notifications.channel(id: channelID).channel else {
                        logger.warning("an escalation names a channel that is gone", ["channel_id": .string(channelID.lowercasedText)])
                        continue
                    }
                    channels[channelID] = channel
                }
                guard let channel = channels[channelID], channel.active else { continue }
                let mobiles = (channel.settings.mobiles ?? []) + (level.mentionAssignee ? assigneePhone.map { [$0] } ?? [] : [])
                try scope.notifications.enqueue(eventID: eventID, topic: topic, channelID: channelID,
                                                message: SLANotificationText.render(facts, mobiles: mobiles, event: event), now: now)
            }
        }
    }
}
