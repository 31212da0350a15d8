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

    /// What one sweep sent.
    public struct Sent: Sendable, Equatable {
        public var warnings = 0
        public var breaches = 0
        public var escalations = 0

        public var total: Int { warnings + breaches + escalations }
    }

    /// Handles what is due at `now`.
    @discardableResult
    public func run(now: Date = Date()) throws -> Sent {
        var sent = Sent()
        let tenants = try database.withPlatform { try $0.tenantsWithDueSLAClocks(at: now) }
        database.eachTenant(tenants, logger: logger, job: "SLA sweep") { tenantID in
            let tenantSent = try database.withTenant(tenantID) { scope in
                var policies: [UUID: SLAPolicy] = [:]
                var counts = Sent()
                for (workOrder, clock) in try scope.slaClocks.due(at: now, limit: batch) {
                    if policies[clock.policyID] == nil { policies[clock.policyID] = try scope.sla.policy(id: clock.policyID) }
                    guard let policy = policies[clock.policyID],
                          let (fired, eventID) = try scope.slaClocks.fire(workOrder: workOrder, clock: clock, warnAt: policy.rules.warnAt,
                                                                          breachDelays: policy.rules.breachLevels.map(\.afterMinutes),
                                                                          now: now) else { continue }
                    switch fired {
                    case .warning: counts.warnings += 1
                    case .breach: counts.breaches += 1
                    case .escalation: counts.escalations += 1
                    }
                    try escalate(fired, eventID: eventID, workOrder: workOrder, clock: clock, policy: policy, scope: scope, now: now)
                }
                return counts
            }
            sent.warnings += tenantSent.warnings
            sent.breaches += tenantSent.breaches
            sent.escalations += tenantSent.escalations
        }
        return sent
    }

    /// Queues the message to every active channel of the policy's levels for this event, in the
    /// sweep's transaction: the event and its deliveries commit together or not at all.
    private func escalate(_ fired: SLADecision.Fired, eventID: UUID, workOrder: UUID, clock: SLAClockRepository.Clock,
                          policy: SLAPolicy, scope: TenantScope, now: Date) throws {
        let levels: [SLARules.Escalation]
        let fraction: Double?
        let topic = fired.event
        switch fired {
        case .warning(let value):
            (levels, fraction) = (policy.rules.escalation.filter { $0.on == .warning }, value)
        case .breach(let range), .escalation(let range):
            (levels, fraction) = (Array(policy.rules.breachLevels[range]), nil)
        }
        guard !levels.isEmpty else { return }
        let order = try scope.workOrders.get(id: workOrder)
        let tenant = try scope.tenant.get()
        let customer = try scope.customers.get(id: order.customerID)
        let plate = try order.vehicleID.flatMap { try scope.vehicles.get(id: $0).plate }
        let assigneePhone = try order.assigneeID.flatMap { try scope.engineers.get(id: $0).phone }
        var data: [String: JSONValue] = ["work_order_id": .string(order.id.lowercasedText), "number": .string(order.number),
                                         "target": .string(clock.target.rawValue)]
        if let due = clock.dueAt { data["due_at"] = .string(Timestamp.iso8601(due)) }
        if let fraction { data["fraction"] = .number(fraction) }
        let event: JSONValue = .object(["id": .string(eventID.lowercasedText), "type": .string(topic.rawValue),
                                        "timestamp": .string(Timestamp.iso8601(now)), "data": .object(data)])
        let facts = SLAFacts(workOrderID: order.id, number: order.number, customer: customer.name, plate: plate, target: clock.target,
                             dueAt: clock.dueAt, fraction: fraction, timeZone: tenant.zone.identifier,
                             link: tenant.link(order: order.id, number: order.number))
        var channels: [UUID: NotificationChannel] = [:]
        for level in levels {
            for channelID in level.channels {
                if channels[channelID] == nil {
                    // A channel deleted since the policy named it is skipped; any other error
                    // rolls the sweep back, to be tried again.
                    do {
                        channels[channelID] = try scope.notifications.channel(id: channelID).channel
                    } catch StoreError.notFound {
                        logger.warning("an escalation names a channel that is gone", ["channel_id": .string(channelID.lowercasedText)])
                        continue
                    }
                }
                guard let channel = channels[channelID], channel.active else { continue }
                let mobiles = (channel.settings.mobiles ?? []) + (level.mentionAssignee ? assigneePhone.map { [$0] } ?? [] : [])
                try scope.notifications.enqueue(eventID: eventID, topic: topic, channelID: channelID,
                                                message: SLANotificationText.render(facts, now: now, mobiles: mobiles, event: event), now: now)
            }
        }
    }
}
