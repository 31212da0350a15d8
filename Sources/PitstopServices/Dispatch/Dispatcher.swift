import Foundation
import PitstopCore
import PitstopStore

/// Dispatch decisions inside one tenant's transaction: ranking, offering an order to the best
/// engineer not yet asked, and what follows a decline or a time-out. The API and the worker's
/// sweep both go through here, so an order moves the same way whoever moves it.
public struct Dispatcher {
    let scope: TenantScope
    let tenant: Tenant
    let now: Date

    public init(scope: TenantScope, tenant: Tenant, now: Date = Date()) {
        self.scope = scope
        self.tenant = tenant
        self.now = now
    }

    public struct Decision: Sendable {
        public var rules: DispatchPolicy
        /// The policy in force; nil for the built-in defaults.
        public var policyID: UUID?
        public var considered: Int
        public var ranking: DispatchRanking
    }

    public enum Outcome: Sendable {
        /// The best engineer not yet asked has the order: with an offer, until its deadline to
        /// accept; without one (the policy's `assign` mode), until they accept or decline.
        case offered(WorkOrder, DispatchAssignment, DispatchOffer?)
        /// Nobody passes the rules, and nobody was asked before: nothing changed.
        case nobodyEligible(Decision)
        /// Every round was used up (or nobody is left to ask): published to the grab pool.
        case pooled(WorkOrder)
        /// As above, but the policy leaves it to the dispatchers.
        case leftForDispatcher(WorkOrder)
        /// The offer was no longer the order's concern (accepted, reassigned): nothing changed.
        case unchanged(WorkOrder)
    }

    /// Midnight of today in the tenant's zone: where "orders assigned today" starts counting.
    public var todayStarts: Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = tenant.zone
        return calendar.startOfDay(for: now)
    }

    /// Ranks engineers for `order` by the policy in force for it, leaving out `excluded`.
    public func rank(_ order: WorkOrder, excluding excluded: Set<UUID> = []) throws -> Decision {
        try rank(order, excluding: excluded, in: try context(for: order))
    }

    /// The policy in force for an order and its job: what both a ranking and an eligibility
    /// check need, read once.
    private struct Context {
        var rules: DispatchPolicy
        var policyID: UUID?
        var job: DispatchJob
    }

    private func context(for order: WorkOrder) throws -> Context {
        let (rules, policyID) = try scope.dispatch.rules(shopID: order.shopID, typeID: order.typeID)
        return Context(rules: rules, policyID: policyID, job: try job(for: order))
    }

    private func rank(_ order: WorkOrder, excluding excluded: Set<UUID>, in context: Context) throws -> Decision {
        let (rules, policyID, job) = (context.rules, context.policyID, context.job)
        let candidates = try scope.dispatch.candidates(for: job, rules: rules, todayStarts: todayStarts)
            .filter { !excluded.contains($0.engineerID) }
        return Decision(rules: rules, policyID: policyID, considered: candidates.count,
                        ranking: DispatchRanking.rank(candidates, for: job, policy: rules, now: now))
    }

    /// The order's job; its shop's position stands in for a site it was reported without.
    private func job(for order: WorkOrder) throws -> DispatchJob {
        // Only needed when there is no site: a shop lookup per ranking is saved for most orders.
        let shopLocation = order.site == nil ? try order.shopID.flatMap { try scope.shops.get(id: $0).location } : nil
        return try scope.dispatch.job(for: order, shopLocation: shopLocation)
    }

    /// The first `count` of a ranking with the engineers' names, as shown and as kept.
    public func breakdown(_ ranking: DispatchRanking, first count: Int) throws -> [CandidateBreakdown] {
        let shown = ranking.ranked.prefix(count)
        let names = try scope.dispatch.names(of: shown.map(\.candidate.engineerID))
        return shown.map { CandidateBreakdown($0, name: names[$0.candidate.engineerID] ?? "") }
    }

    /// The hard rules `engineer` fails for `order` (none: eligible), and the distance to the job.
    public func eligibility(of engineer: UUID, for order: WorkOrder) throws -> (failed: [DispatchExclusion], distanceKm: Double?) {
        try eligibility(of: engineer, in: try context(for: order))
    }

    private func eligibility(of engineer: UUID, in context: Context) throws -> (failed: [DispatchExclusion], distanceKm: Double?) {
        let (rules, job) = (context.rules, context.job)
        let candidate = try scope.dispatch.candidate(engineer: engineer, for: job, rules: rules, todayStarts: todayStarts)
        let distance = DispatchRanking.distanceKm(of: candidate, to: job, policy: rules, now: now)
        return (DispatchRanking.exclusions(of: candidate, distance: distance, job: job, policy: rules), distance)
    }

    /// Why a dispatcher's pick was refused: the hard rules the engineer fails. Any but
    /// `inactive` may be overridden by a dispatcher who says so.
    public struct PickRefusal: Error, Sendable {
        public var failed: [DispatchExclusion]

        public var overridable: Bool { !failed.contains(.inactive) }

        /// The rules failed, as the API names them.
        public var names: String { failed.map(\.rawValue).joined(separator: ", ") }

        public var message: String {
            overridable ? "fails the dispatch rules (\(names)); send \"override\": true to assign anyway"
                : "is deactivated and takes no orders"
        }
    }

    /// A dispatcher's pick of `engineer`, through the same hard rules and ranking as the policy's
    /// own: an engineer who fails a rule gets the order only when `overriding` (never a
    /// deactivated one), and the assignment keeps the ranking the pick was made against, with
    /// the rules overridden named in its reason.
    public func pick(_ order: WorkOrder, expectedVersion: Int, engineer: UUID, reason: String?, overriding: Bool,
                     by party: ActingParty) throws -> (WorkOrder, DispatchAssignment) {
        // A step the order cannot take, or the party may not make, is said first: the engineer
        // does not matter then.
        let actor = party.stepActor(assignee: order.assigneeID)
        try WorkOrderLifecycle.validate(from: order.status, to: .assigned, by: actor)
        // Automatic dispatch and a claim also assign, but choosing whom is the desk's.
        guard actor == .desk else {
            throw WorkOrderLifecycle.TransitionError.notPermitted(current: order.status, requested: .assigned, actor: actor, permitted: [.desk])
        }
        let context = try context(for: order)
        let failed = try eligibility(of: engineer, in: context).failed
        let refusal = PickRefusal(failed: failed)
        guard failed.isEmpty || (overriding && refusal.overridable) else { throw refusal }
        let decision = try rank(order, excluding: [], in: context)
        let overridden = failed.isEmpty ? nil : "over the dispatch rules (\(refusal.names))"
        let kept = [overridden, reason].compactMap { $0 }.joined(separator: ": ")
        let picked = try lifecycle(party).assign(order.id, expectedVersion: expectedVersion, to: engineer, note: reason,
                                                 basis: .picked(reason: kept.isEmpty ? nil : kept, decision,
                                                                shown: try breakdown(decision.ranking, first: 20)))
        try notices.tell(engineer, .assigned, about: picked.0)
        return picked
    }

    /// `engineer` (the caller's own engineer key) takes a pooled order. Claims of one order queue
    /// on its row lock: the first finds it pooled and takes it, every later one finds it taken.
    /// An engineer who fails a hard rule is refused with the rules named.
    public func claim(_ id: UUID, engineer: UUID, by party: ActingParty) throws -> (WorkOrder, DispatchAssignment) {
        let order = try scope.workOrders.get(id: id, forUpdate: true)
        guard order.pooledAt != nil, order.status == .new || order.status == .reopened else { throw ClaimRefusal.notPooled }
        let failed = try eligibility(of: engineer, for: order).failed
        guard failed.isEmpty else { throw ClaimRefusal.ineligible(failed) }
        return try lifecycle(party).assign(id, expectedVersion: order.version, to: engineer, note: "claimed from the pool",
                                           basis: .claimed)
    }

    /// Why an engineer may not take a pooled order.
    public enum ClaimRefusal: Error, Equatable {
        /// Someone else took it, or it was withdrawn.
        case notPooled
        /// The hard rules the engineer fails.
        case ineligible([DispatchExclusion])
    }

    /// Offers an unassigned order (at `expectedVersion`) to the best-ranked engineer not asked
    /// before. When the rounds are used up, or nobody is left after earlier rounds, the order goes
    /// where the policy says.
    public func offerNext(_ order: WorkOrder, expectedVersion: Int, by party: ActingParty) throws -> Outcome {
        // Every automatic assignment is one round, with an offer or (assign mode) without.
        let previous = try scope.dispatch.assignments(workOrder: order.id).filter { $0.mode == .auto }
        let decision = try rank(order, excluding: Set(previous.map(\.engineerID)))
        let round = previous.count + 1
        guard let best = decision.ranking.ranked.first, round <= decision.rules.maxRounds else {
            if previous.isEmpty { return .nobodyEligible(decision) }
            let note = "no engineer accepted in \(previous.count) round\(previous.count == 1 ? "" : "s")"
            // An order that came from the pool does not go back to it.
            switch decision.rules.mode == .pool ? .dispatcher : decision.rules.afterRounds {
            case .pool:
                return .pooled(try scope.workOrders.pool(id: order.id, expectedVersion: expectedVersion, note: note, actor: party.keyID, now: now))
            case .dispatcher:
                return .leftForDispatcher(try scope.workOrders.markDispatchExhausted(id: order.id, note: note, now: now))
            }
        }
        let (offered, assignment) = try lifecycle(party).assign(order.id, expectedVersion: expectedVersion, to: best.candidate.engineerID,
                                                                 note: "offered automatically (round \(round))",
                                                                 basis: .ranked(decision, shown: try breakdown(decision.ranking, first: 20)))
        let engineer = best.candidate.engineerID
        guard decision.rules.mode != .assign else {
            try notices.tell(engineer, .assigned, about: offered)
            return .offered(offered, assignment, nil)
        }
        let timeout = decision.rules.offerTimeoutSeconds
        let offer = try scope.dispatch.createOffer(workOrder: order.id, engineer: engineer, round: round, at: now,
                                                   expiresAt: now.addingTimeInterval(TimeInterval(timeout)))
        try notices.tell(engineer, .offered(minutes: max(1, timeout / 60)), about: offered, offer: offer)
        return .offered(offered, assignment, offer)
    }

    /// What a new order's policy says happens the moment it is reported: nothing (manual), the
    /// best engineer at once (assign), an offer (offer), or the grab pool (pool). When nobody
    /// qualifies, the order is left to the desk with the reasons on its timeline, and the alert
    /// channels hear of it. Returns the order as it now stands. The policy acts, whoever reported.
    public func dispatchNew(_ order: WorkOrder) throws -> WorkOrder {
        let party = ActingParty.automation
        let (rules, _) = try scope.dispatch.rules(shopID: order.shopID, typeID: order.typeID)
        switch rules.mode {
        case .manual:
            return order
        case .pool:
            return try scope.workOrders.pool(id: order.id, expectedVersion: order.version,
                                             note: "published to the grab pool automatically; unclaimed after \(rules.poolMinutes) min it goes to "
                                                 + (rules.afterPool == .offer ? "automatic offers" : "the dispatchers"),
                                             until: now.addingTimeInterval(TimeInterval(rules.poolMinutes) * 60), actor: party.keyID, now: now)
        case .assign, .offer:
            switch try offerNext(order, expectedVersion: order.version, by: party) {
            case .offered(let moved, _, _), .pooled(let moved), .leftForDispatcher(let moved), .unchanged(let moved):
                return moved
            case .nobodyEligible(let decision):
                return try leaveForDesk(order, decision)
            }
        }
    }

    /// A pool-mode order nobody claimed in time: out of the pool, and on to automatic offers or
    /// to the dispatchers, as its policy says.
    public func poolStayLapsed(_ order: WorkOrder) throws -> WorkOrder {
        let (rules, _) = try scope.dispatch.rules(shopID: order.shopID, typeID: order.typeID)
        let out = try scope.workOrders.unpool(id: order.id, expectedVersion: order.version, actor: nil, now: now)
        let unclaimed = "nobody claimed it from the grab pool in \(rules.poolMinutes) min"
        guard rules.afterPool == .offer else { return try scope.workOrders.markDispatchExhausted(id: out.id, note: unclaimed, now: now) }
        switch try offerNext(out, expectedVersion: out.version, by: .automation) {
        case .offered(let moved, _, _), .pooled(let moved), .leftForDispatcher(let moved), .unchanged(let moved):
            return moved
        case .nobodyEligible(let decision):
            return try leaveForDesk(out, decision)
        }
    }

    /// Nobody passes the hard rules: the desk gets the order, told how many each rule excluded.
    private func leaveForDesk(_ order: WorkOrder, _ decision: Decision) throws -> WorkOrder {
        let counts = decision.ranking.exclusionCounts
        let reasons = counts.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }
        let note = "no engineer qualifies (\(decision.considered) considered"
            + (reasons.isEmpty ? "" : "; excluded: \(reasons.joined(separator: ", "))") + "): assign one by hand or change the policy"
        let eventID = UUID()
        let left = try scope.workOrders.markDispatchExhausted(id: order.id, note: note, eventID: eventID, now: now)
        let event: JSONValue = .object(["id": .string(eventID.lowercasedText), "type": .string(EventType.workOrderNeedsDispatcher.rawValue),
                                        "work_order_id": .string(order.id.lowercasedText), "number": .string(order.number)])
        try scope.notifications.alertChannels(about: eventID, topic: .workOrderNeedsDispatcher,
                                              message: AlertText.nobodyQualifies(order: order.number, considered: decision.considered,
                                                                                 excluded: counts, event: event),
                                              now: now)
        return left
    }

    private func lifecycle(_ party: ActingParty) -> OrderLifecycle {
        OrderLifecycle(scope: scope, tenant: tenant, by: party, now: now)
    }

    private var notices: EngineerNotices { EngineerNotices(scope: scope, tenant: tenant, now: now) }

    /// `engineer` takes the order offered or assigned to them: their offer, if any, is closed as
    /// accepted with the step.
    public func accept(_ order: WorkOrder, engineer: UUID, by party: ActingParty) throws -> WorkOrder {
        if let offer = try scope.dispatch.pendingOffer(workOrder: order.id), offer.engineerID == engineer {
            try scope.dispatch.close(offer: offer.id, as: .accepted, at: now)
        }
        return try lifecycle(party).move(order.id, expectedVersion: order.version, to: .accepted, note: nil)
    }

    /// After `engineer` declined or let the offer lapse: the order goes back to unassigned and
    /// on to the next engineer. Nothing happens if the order has moved on in the meantime.
    public func passOn(_ order: WorkOrder, from engineer: UUID, offer: DispatchOffer?, as state: DispatchOffer.State,
                       reason: String?, by party: ActingParty) throws -> Outcome {
        guard order.status == .assigned, order.assigneeID == engineer else {
            // Reassigned, cancelled or accepted meanwhile: the offer no longer stands.
            if let offer { try scope.dispatch.close(offer: offer.id, as: .withdrawn, at: now) }
            return .unchanged(order)
        }
        if let offer { try scope.dispatch.close(offer: offer.id, as: state, at: now, reason: reason) }
        let note = switch state {
        case .declined: "declined: \(reason ?? "")"
        case .undelivered: "the engineer could not be told of the offer: \(reason ?? "")"
        default: "the offer was not accepted in time"
        }
        let back = try lifecycle(party).move(order.id, expectedVersion: order.version, to: .new, note: String(note.prefix(2000)))
        // Whoever handed it back, asking the next engineer is the policy's doing.
        return try offerNext(back, expectedVersion: back.version, by: .automation)
    }
}

extension DispatchRanking {
    /// Exclusion counts by the rule's API name.
    public var exclusionNames: [String: Int] {
        Dictionary(uniqueKeysWithValues: exclusionCounts.map { ($0.key.rawValue, $0.value) })
    }
}
