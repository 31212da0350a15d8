import Foundation
import PitstopCore
import Postgres

/// The SLA clocks of the scope tenant's orders. The lifecycle calls in here inside the transaction
/// of each work-order change (creation, status changes, check-in, priority or shop changes), with
/// the policy and calendar in force, so a clock never disagrees with its order; the worker's sweep
/// then turns due warnings and breaches into timeline entries and events.
public struct SLAClockRepository {
    let transaction: Transaction
    let tenantID: UUID

    public struct Clock: Sendable, Equatable {
        public enum State: String, Sendable, CaseIterable {
            case running, paused, met, breached, stopped
        }

        public var target: SLARules.Target
        public var policyID: UUID
        public var state: State
        public var startedAt: Date
        public var dueAt: Date?
        public var originalDueAt: Date?
        public var warnings: [Date]
        public var warningsSent: Int
        public var metAt: Date?
        public var breachedAt: Date?
        public var nextCheckAt: Date?
        /// Breach levels sent so far (in `SLARules.breachLevels` order).
        public var escalationsSent: Int
    }

    /// A stretch the resolution clock stood still, and the status that stopped it.
    public struct Pause: Sendable, Equatable {
        public var startedAt: Date
        public var endedAt: Date?
        public var status: String
    }

    static let columns = """
        target, policy_id, state, started_at, due_at, original_due_at, warnings, warnings_sent, met_at, breached_at, next_check_at,
        escalations_sent
        """

    public func clocks(workOrder: UUID) throws -> [Clock] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM work_order_sla_clocks
            WHERE tenant_id = \(tenantID) AND work_order_id = \(workOrder)
            """).rows.map(Self.decode).sorted { $0.target < $1.target }
    }

    /// What became of these orders' clocks, by order and target, for messages about them that
    /// are about to go out.
    public func outcomes(workOrders: [UUID]) throws -> [ClockKey: SLAFacts.ClockNow] {
        guard !workOrders.isEmpty else { return [:] }
        var outcomes: [ClockKey: SLAFacts.ClockNow] = [:]
        for row in try transaction.query("""
            SELECT work_order_id, target, state, met_at FROM work_order_sla_clocks
            WHERE tenant_id = \(tenantID) AND work_order_id = ANY (\(workOrders)::uuid[])
            """).rows {
            let state: String = try row.decode("state")
            guard let target = SLARules.Target(rawValue: try row.decode("target")) else { continue }
            outcomes[ClockKey(workOrder: try row.decode("work_order_id"), target: target)] =
                SLAFacts.ClockNow(breached: state == "breached", met: try row.decode("met_at", as: Date?.self) != nil, stopped: state == "stopped")
        }
        return outcomes
    }

    public struct ClockKey: Hashable, Sendable {
        public var workOrder: UUID
        public var target: SLARules.Target

        public init(workOrder: UUID, target: SLARules.Target) {
            self.workOrder = workOrder
            self.target = target
        }
    }

    public func pauses(workOrder: UUID) throws -> [Pause] {
        try transaction.query("""
            SELECT started_at, ended_at, status FROM work_order_sla_pauses
            WHERE tenant_id = \(tenantID) AND work_order_id = \(workOrder) ORDER BY started_at
            """).rows.map { Pause(startedAt: try $0.decode("started_at"), endedAt: try $0.decode("ended_at"), status: try $0.decode("status")) }
    }

    /// Starts the clocks of a new order under `policy`, the one that matches it.
    public func start(_ order: WorkOrder, policy: SLAPolicy, calendar: BusinessCalendar?, now: Date) throws {
        for target in targets(of: policy, for: order) {
            try transaction.execute("""
                INSERT INTO work_order_sla_clocks (tenant_id, work_order_id, target, policy_id, state, started_at)
                VALUES (\(tenantID), \(order.id), \(target.rawValue), \(policy.id), 'running', \(order.createdAt))
                """)
        }
        try replan(order, policy: policy, calendar: calendar, now: now)
    }

    /// Follows a status change under `policy`, the one the clocks run on: met targets, the pause
    /// ledger, and stopped clocks on cancel.
    public func statusChanged(_ order: WorkOrder, from previous: WorkOrderStatus, policy: SLAPolicy, calendar: BusinessCalendar?,
                              now: Date) throws {
        let paused = Set(policy.rules.pausedStatuses)
        if paused.contains(order.status) && !paused.contains(previous) {
            try transaction.execute("""
                INSERT INTO work_order_sla_pauses (tenant_id, work_order_id, started_at, status)
                VALUES (\(tenantID), \(order.id), \(now), \(order.status.rawValue)) ON CONFLICT DO NOTHING
                """)
        } else if !paused.contains(order.status) {
            // A hold for the customer's answer is not a status's and outlasts status changes.
            try transaction.execute("""
                UPDATE work_order_sla_pauses SET ended_at = \(now)
                WHERE tenant_id = \(tenantID) AND work_order_id = \(order.id) AND ended_at IS NULL AND status <> \(ExtraWork.pauseReason)
                """)
        }
        if order.status == .cancelled {
            try transaction.execute("""
                UPDATE work_order_sla_clocks SET state = 'stopped', next_check_at = NULL
                WHERE tenant_id = \(tenantID) AND work_order_id = \(order.id) AND state IN ('running', 'paused')
                """)
            return
        }
        if Self.responded.contains(order.status) { try meet(.firstResponse, of: order.id, at: now) }
        if order.status == .completed { try meet(.resolution, of: order.id, at: now) }
        try replan(order, policy: policy, calendar: calendar, now: now)
    }

    /// Stops the resolution clock for `reason` (not a status) until `release`; the ledger keeps
    /// why, and the due time is worked out again when the hold ends.
    public func hold(_ order: WorkOrder, reason: String, policy: SLAPolicy, calendar: BusinessCalendar?, now: Date) throws {
        try transaction.execute("""
            INSERT INTO work_order_sla_pauses (tenant_id, work_order_id, started_at, status)
            VALUES (\(tenantID), \(order.id), \(now), \(reason)) ON CONFLICT DO NOTHING
            """)
        try replan(order, policy: policy, calendar: calendar, now: now)
    }

    public func release(_ order: WorkOrder, reason: String, policy: SLAPolicy, calendar: BusinessCalendar?, now: Date) throws {
        try transaction.execute("""
            UPDATE work_order_sla_pauses SET ended_at = \(now)
            WHERE tenant_id = \(tenantID) AND work_order_id = \(order.id) AND ended_at IS NULL AND status = \(reason)
            """)
        try replan(order, policy: policy, calendar: calendar, now: now)
    }

    /// The engineer checked in on site.
    public func arrived(workOrder: UUID, at now: Date) throws {
        try meet(.arrival, of: workOrder, at: now)
    }

    /// After the priority, shop or site changed, `policy` is the one that matches now (nil: none
    /// does). Start times, met targets and the pause ledger stay; due times are worked out again
    /// from them.
    public func rematch(_ order: WorkOrder, policy: SLAPolicy?, calendar: BusinessCalendar?, now: Date) throws {
        let clocks = try clocks(workOrder: order.id)
        guard let policy else {
            try transaction.execute("""
                UPDATE work_order_sla_clocks SET state = 'stopped', next_check_at = NULL
                WHERE tenant_id = \(tenantID) AND work_order_id = \(order.id) AND state IN ('running', 'paused')
                """)
            return
        }
        let wanted = Set(targets(of: policy, for: order))
        for target in wanted where !clocks.contains(where: { $0.target == target }) {
            try transaction.execute("""
                INSERT INTO work_order_sla_clocks (tenant_id, work_order_id, target, policy_id, state, started_at)
                VALUES (\(tenantID), \(order.id), \(target.rawValue), \(policy.id), 'running', \(order.createdAt))
                """)
        }
        try transaction.execute("""
            UPDATE work_order_sla_clocks SET policy_id = \(policy.id),
                state = CASE WHEN NOT (target = ANY (\(wanted.map(\.rawValue))::text[])) AND state IN ('running', 'paused') THEN 'stopped'
                             ELSE state END
            WHERE tenant_id = \(tenantID) AND work_order_id = \(order.id)
            """)
        try replan(order, policy: policy, calendar: calendar, now: now)
    }

    /// Clocks with a warning or breach due at `now`, earliest first, locked for this transaction;
    /// clocks another worker holds are skipped.
    public func due(at now: Date, limit: Int) throws -> [(workOrder: UUID, clock: Clock)] {
        try transaction.query("""
            SELECT work_order_id, \(unsafeRaw: Self.columns) FROM work_order_sla_clocks
            WHERE tenant_id = \(tenantID) AND next_check_at <= \(now)::timestamptz
            ORDER BY next_check_at
            LIMIT \(limit)
            FOR UPDATE SKIP LOCKED
            """).rows.map { (try $0.decode("work_order_id"), try Self.decode($0)) }
    }

    /// Acts on one due clock as `SLADecision` decides: marks it, writes the order's timeline entry
    /// and the event in this transaction. The order's version does not change: the clock is not
    /// part of the order's representation, and a warning must not make an editor's save fail.
    public func fire(workOrder: UUID, clock: Clock, warnAt: [Double], breachDelays: [Int],
                     now: Date) throws -> (fired: SLADecision.Fired, eventID: UUID)? {
        let progress = SLADecision.Progress(warnings: clock.warnings, warningsSent: clock.warningsSent, dueAt: clock.dueAt,
                                            breached: clock.state == .breached, met: clock.metAt != nil, escalationsSent: clock.escalationsSent)
        let (fired, sent, escalated, next): (SLADecision.Fired, Int, Int, Date?)
        switch SLADecision.decide(progress, warnAt: warnAt, breachDelays: breachDelays, now: now) {
        case .wait(let until):
            try reschedule(workOrder, clock, at: until)
            return nil
        case .fire(let what, let warningsSent, let escalationsSent, let check):
            (fired, sent, escalated, next) = (what, warningsSent, escalationsSent, check)
        }
        var fraction: Double?
        let due = clock.dueAt.map { ISO8601DateFormatter().string(from: $0) } ?? "unknown"
        let note: String
        switch fired {
        case .warning(let value):
            fraction = value
            note = "\(clock.target.rawValue): \(Int((value * 100).rounded()))% of the time used; due \(due)"
        case .breach:
            note = "\(clock.target.rawValue) breached: it was due \(due)"
        case .escalation(let levels):
            note = "\(clock.target.rawValue) still not met: escalated to level \(levels.upperBound) of the breach levels; it was due \(due)"
        }
        let breach = fired.timelineKind == .slaBreached
        let eventID = UUID()
        try transaction.execute("""
            WITH c AS (
                UPDATE work_order_sla_clocks SET warnings_sent = \(sent), next_check_at = \(next), escalations_sent = \(escalated),
                    state = CASE WHEN \(breach)::boolean THEN 'breached' ELSE state END,
                    breached_at = CASE WHEN \(breach)::boolean THEN due_at ELSE breached_at END
                WHERE tenant_id = \(tenantID) AND work_order_id = \(workOrder) AND target = \(clock.target.rawValue)
                RETURNING tenant_id, work_order_id, target, policy_id, due_at
            ), o AS (
                SELECT w.tenant_id, w.id, w.number, w.status FROM work_orders w JOIN c ON w.tenant_id = c.tenant_id AND w.id = c.work_order_id
            ), event AS (
                INSERT INTO work_order_events (tenant_id, id, work_order_id, occurred_at, actor_key_id, kind, from_status, to_status, note)
                SELECT o.tenant_id, \(UUID())::uuid, o.id, \(now)::timestamptz, NULL, \(fired.timelineKind.rawValue)::text, NULL, o.status, \(note)::text FROM o
            )
            INSERT INTO outbox (tenant_id, id, topic, aggregate_id, payload)
            SELECT o.tenant_id, \(eventID)::uuid, \(fired.event.rawValue)::text, o.id,
                   jsonb_build_object('event', \(fired.event.rawValue)::text, 'work_order_id', o.id, 'number', o.number,
                                      'target', c.target, 'policy_id', c.policy_id, 'due_at', c.due_at,
                                      'fraction', \(fraction)::float8, 'at', \(now)::timestamptz)
            FROM o, c
            """)
        return (fired, eventID)
    }

    private func reschedule(_ workOrder: UUID, _ clock: Clock, at next: Date?) throws {
        try transaction.execute("""
            UPDATE work_order_sla_clocks SET next_check_at = \(next)
            WHERE tenant_id = \(tenantID) AND work_order_id = \(workOrder) AND target = \(clock.target.rawValue)
            """)
    }

    /// Statuses that mean an engineer has taken the order on.
    static let responded: Set<WorkOrderStatus> = [.accepted, .diagnosing, .awaitingParts, .repairing, .qualityCheck, .awaitingAcceptance, .completed]

    private func targets(of policy: SLAPolicy, for order: WorkOrder) -> [SLARules.Target] {
        SLARules.Target.allCases.filter { policy.rules.goal($0) != nil && ($0 != .arrival || order.site != nil) }
    }

    /// Marks a target met. Met after its due time, it stays breached (with the time it was met).
    private func meet(_ target: SLARules.Target, of order: UUID, at now: Date) throws {
        try transaction.execute("""
            UPDATE work_order_sla_clocks SET
                met_at = \(now),
                state = CASE WHEN state = 'breached' OR (due_at IS NOT NULL AND due_at < \(now)) THEN 'breached' ELSE 'met' END,
                breached_at = CASE WHEN breached_at IS NULL AND due_at IS NOT NULL AND due_at < \(now) THEN due_at ELSE breached_at END,
                next_check_at = NULL
            WHERE tenant_id = \(tenantID) AND work_order_id = \(order) AND target = \(target.rawValue) AND met_at IS NULL
              AND state IN ('running', 'paused', 'breached')
            """)
    }

    /// Works out every unfinished clock's due and warning times again from its start, the pause
    /// ledger and the policy, and what the worker should look at next.
    private func replan(_ order: WorkOrder, policy: SLAPolicy, calendar: BusinessCalendar?, now: Date) throws {
        let ledger = try pauses(workOrder: order.id).map { SLAClock.Pause(start: $0.startedAt, end: $0.endedAt) }
        for clock in try clocks(workOrder: order.id) where clock.state == .running || clock.state == .paused || clock.state == .breached {
            guard let goal = policy.rules.goal(clock.target) else { continue }
            // Only resolution stands still while the order waits (for parts, for the customer).
            let plan = SLAPlan(goal: goal, startedAt: clock.startedAt, calendar: calendar,
                               pauses: clock.target == .resolution ? ledger : [], warnAt: policy.rules.warnAt)
            let state: Clock.State = clock.state == .breached ? .breached : (plan.dueAt == nil ? .paused : .running)
            // Warnings whose moment has passed since they were counted are not repeated.
            let sent = min(clock.warningsSent, plan.warnings.count)
            let delays = policy.rules.breachLevels.map(\.afterMinutes)
            let next: Date? = switch state {
            case .running: plan.nextCheck(afterWarnings: sent)
            // A breached clock still waits for its later escalation levels.
            case .breached: clock.metAt == nil && clock.escalationsSent < delays.count
                ? plan.dueAt.map { $0.addingTimeInterval(Double(delays[clock.escalationsSent]) * 60) } : nil
            default: nil
            }
            try transaction.execute("""
                UPDATE work_order_sla_clocks SET state = \(state.rawValue), due_at = \(plan.dueAt),
                    original_due_at = coalesce(original_due_at, \(plan.dueAt)::timestamptz),
                    warnings = \(plan.warnings)::timestamptz[], warnings_sent = \(sent), next_check_at = \(next)
                WHERE tenant_id = \(tenantID) AND work_order_id = \(order.id) AND target = \(clock.target.rawValue)
                """)
        }
    }

    static func decode(_ row: Row) throws -> Clock {
        let targetText: String = try row.decode("target")
        let stateText: String = try row.decode("state")
        guard let target = SLARules.Target(rawValue: targetText), let state = Clock.State(rawValue: stateText) else {
            throw PostgresError(kind: .decoding, message: "work_order_sla_clocks holds an unknown target or state")
        }
        return Clock(target: target, policyID: try row.decode("policy_id"), state: state, startedAt: try row.decode("started_at"),
                     dueAt: try row.decode("due_at"), originalDueAt: try row.decode("original_due_at"),
                     warnings: try row.decode("warnings"), warningsSent: try row.decode("warnings_sent"), metAt: try row.decode("met_at"),
                     breachedAt: try row.decode("breached_at"), nextCheckAt: try row.decode("next_check_at"),
                     escalationsSent: try row.decode("escalations_sent"))
    }
}
