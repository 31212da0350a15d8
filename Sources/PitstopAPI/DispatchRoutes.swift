import Foundation
import HTTPServer
import PitstopCore
import PitstopStore
import Postgres

extension APIApplication {
    /// Policies, ranked candidates for an order, assignment (automatic or the dispatcher's pick),
    /// and the record of why each assignment went the way it did.
    var dispatchRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/dispatch-policies", roles: [.admin]) { [self] request, _, scope in
                try idempotent(request, scope) {
                    let body = try JSONCoding.decode(DispatchPolicyInputBody.self, from: request.body, allowedFields: DispatchPolicyInputBody.scopedFields)
                    let rules = try body.checkedRules()
                    let policy = try scope.dispatch.createPolicy(shopID: body.shopId, typeID: body.typeId, rules: rules)
                    return try .created(DispatchPolicyBody(policy), version: policy.version,
                                        location: "/v1/dispatch-policies/\(policy.id.lowercasedText)")
                }
            },
            tenantRoute("GET", "/v1/dispatch-policies", roles: [.admin, .dispatcher]) { _, _, scope in
                try .json(["items": try scope.dispatch.policies().map(DispatchPolicyBody.init)])
            },
            tenantRoute("GET", "/v1/dispatch-policies/{id}", roles: [.admin, .dispatcher]) { request, _, scope in
                let policy = try scope.dispatch.policy(id: try Self.pathID(request, "dispatch policy"))
                return try .record(DispatchPolicyBody(policy), version: policy.version)
            },
            tenantRoute("PUT", "/v1/dispatch-policies/{id}", roles: [.admin]) { request, _, scope in
                let id = try Self.pathID(request, "dispatch policy")
                let version = try Self.ifMatchVersion(request)
                let body = try JSONCoding.decode(DispatchPolicyInputBody.self, from: request.body, allowedFields: DispatchPolicyInputBody.ruleFields)
                let policy = try scope.dispatch.replacePolicy(id: id, expectedVersion: version, rules: try body.checkedRules())
                return try .record(DispatchPolicyBody(policy), version: policy.version)
            },
            tenantRoute("DELETE", "/v1/dispatch-policies/{id}", roles: [.admin]) { request, _, scope in
                try scope.dispatch.deletePolicy(id: try Self.pathID(request, "dispatch policy"))
                return .noContent()
            },
            tenantRoute("GET", "/v1/work-orders/{id}/candidates", roles: [.admin, .dispatcher]) { request, caller, scope in
                let order = try scope.workOrders.get(id: try Self.pathID(request, "work order"))
                var limit = 20
                if let text = request.queryValue("limit") {
                    guard let value = Int(text), (1...100).contains(value) else { throw Problem.badQuery("limit", "must be a whole number from 1 to 100") }
                    limit = value
                }
                let decision = try Self.rank(order, tenant: caller.tenant, in: scope)
                return try .json(CandidatesBody(policyId: decision.policyID, considered: decision.considered,
                                                excluded: decision.ranking.exclusionNames,
                                                candidates: try Self.breakdown(decision.ranking, first: limit, in: scope)))
            },
            tenantRoute("POST", "/v1/work-orders/{id}/dispatch", roles: [.admin, .dispatcher]) { request, caller, scope in
                let id = try Self.pathID(request, "work order")
                let version = try Self.ifMatchVersion(request)
                let body = request.body.isEmpty ? DispatchRequestBody()
                    : try JSONCoding.decode(DispatchRequestBody.self, from: request.body, allowedFields: ["engineer_id", "reason"])
                if let reason = body.reason, reason.count > 1000 { throw ValidationError(field: "reason", "must be at most 1000 characters") }
                let order = try scope.workOrders.get(id: id)
                let assignment: DispatchAssignment
                if let chosen = body.engineerId {
                    do {
                        _ = try scope.engineers.get(id: chosen)
                    } catch StoreError.notFound {
                        throw ValidationError(field: "engineer_id", "does not name an engineer of this tenant")
                    }
                    assignment = DispatchAssignment(id: UUID(), workOrderID: id, engineerID: chosen, mode: .direct, actorKeyID: caller.key.id,
                                                    reason: body.reason, assignedAt: Date(), rules: nil, considered: 0, excluded: [:],
                                                    candidates: [])
                } else {
                    let decision = try Self.rank(order, tenant: caller.tenant, in: scope)
                    guard let best = decision.ranking.ranked.first else {
                        let counts = decision.ranking.exclusionNames.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                        throw Problem(status: 409, type: "no-eligible-engineer", title: "No eligible engineer",
                                      detail: "no engineer passes the dispatch rules for this order (\(decision.considered) considered"
                                          + (counts.isEmpty ? "" : "; excluded: \(counts.joined(separator: ", "))")
                                          + "); assign one directly with engineer_id, or change the policy")
                    }
                    assignment = DispatchAssignment(id: UUID(), workOrderID: id, engineerID: best.candidate.engineerID, mode: .auto,
                                                    actorKeyID: caller.key.id, reason: body.reason, assignedAt: Date(), rules: decision.rules,
                                                    considered: decision.considered, excluded: decision.ranking.exclusionNames,
                                                    candidates: try Self.breakdown(decision.ranking, first: 20, in: scope))
                }
                let moved = try scope.workOrders.transition(id: id, expectedVersion: version, to: .assigned,
                                                            note: assignment.mode == .auto ? "dispatched automatically" : body.reason,
                                                            reason: nil, assignee: assignment.engineerID, actor: caller.key.id,
                                                            reopenWindow: caller.tenant.reopenWindow)
                try scope.dispatch.record(assignment)
                return try .record(DispatchResultBody(workOrder: WorkOrderBody(moved, tenantID: caller.tenant.id),
                                                      assignment: AssignmentBody(assignment)), version: moved.version)
            },
            tenantRoute("GET", "/v1/work-orders/{id}/dispatch", roles: [.admin, .dispatcher]) { request, _, scope in
                let order = try scope.workOrders.get(id: try Self.pathID(request, "work order"))
                return try .json(["items": try scope.dispatch.assignments(workOrder: order.id).map(AssignmentBody.init)])
            },
        ]
    }

    struct Decision {
        var rules: DispatchPolicy
        var policyID: UUID?
        var considered: Int
        var ranking: DispatchRanking
    }

    /// The first `count` of a ranking with the engineers' names, as shown and as kept.
    static func breakdown(_ ranking: DispatchRanking, first count: Int, in scope: TenantScope) throws -> [CandidateBreakdown] {
        let shown = ranking.ranked.prefix(count)
        let names = try scope.dispatch.names(of: shown.map(\.candidate.engineerID))
        return shown.map { CandidateBreakdown($0, name: names[$0.candidate.engineerID] ?? "") }
    }

    /// Midnight of today in the tenant's zone: where "orders assigned today" starts counting.
    static func todayStarts(_ tenant: Tenant) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = tenant.zone
        return calendar.startOfDay(for: Date())
    }

    /// The hard rules `engineer` fails for `order` (none: eligible), and the distance to the job.
    static func eligibility(of engineer: UUID, for order: WorkOrder, tenant: Tenant,
                            in scope: TenantScope) throws -> (failed: [DispatchExclusion], distanceKm: Double?) {
        let (rules, _) = try scope.dispatch.rules(shopID: order.shopID, typeID: order.typeID)
        let job = try scope.dispatch.job(for: order)
        let candidate = try scope.dispatch.candidate(engineer: engineer, for: job, rules: rules, todayStarts: todayStarts(tenant))
        let distance = job.place.flatMap { place in candidate.location.map { $0.distanceKm(to: place) } }
        return (DispatchRanking.exclusions(of: candidate, distance: distance, job: job, policy: rules), distance)
    }

    /// Ranks the engineers for `order` by the policy in force for it.
    static func rank(_ order: WorkOrder, tenant: Tenant, in scope: TenantScope) throws -> Decision {
        let (rules, policyID) = try scope.dispatch.rules(shopID: order.shopID, typeID: order.typeID)
        let job = try scope.dispatch.job(for: order)
        let candidates = try scope.dispatch.candidates(for: job, rules: rules, todayStarts: todayStarts(tenant))
        return Decision(rules: rules, policyID: policyID, considered: candidates.count,
                        ranking: DispatchRanking.rank(candidates, for: job, policy: rules))
    }
}

extension DispatchRanking {
    /// Exclusion counts by the rule's API name.
    var exclusionNames: [String: Int] {
        Dictionary(uniqueKeysWithValues: exclusionCounts.map { ($0.key.rawValue, $0.value) })
    }
}

/// A policy's rules as a client sends them (every field optional: the defaults fill in), and for
/// creation its scope.
struct DispatchPolicyInputBody: Decodable {
    struct WeightsBody: Decodable {
        var distance: Double?
        var load: Double?
        var skill: Double?
        var fairness: Double?
        var familiarity: Double?
    }

    var shopId: UUID?
    var typeId: UUID?
    var radiusKm: Double?
    var maxOpenOrders: Int?
    var requiredSkills: [String: Int]?
    var averageSpeedKmh: Double?
    var pausedStatuses: [WorkOrderStatus]?
    var weights: WeightsBody?

    static let ruleFields: Set<String> = ["radius_km", "max_open_orders", "required_skills", "average_speed_kmh", "paused_statuses", "weights"]
    static let scopedFields = ruleFields.union(["shop_id", "type_id"])

    func checkedRules() throws -> DispatchPolicy {
        let defaults = DispatchPolicy()
        let weights = DispatchPolicy.Weights(distance: self.weights?.distance ?? defaults.weights.distance,
                                             load: self.weights?.load ?? defaults.weights.load,
                                             skill: self.weights?.skill ?? defaults.weights.skill,
                                             fairness: self.weights?.fairness ?? defaults.weights.fairness,
                                             familiarity: self.weights?.familiarity ?? defaults.weights.familiarity)
        let rules = DispatchPolicy(radiusKm: radiusKm ?? defaults.radiusKm, maxOpenOrders: maxOpenOrders ?? defaults.maxOpenOrders,
                                   requiredSkills: requiredSkills ?? [:], averageSpeedKmh: averageSpeedKmh,
                                   pausedStatuses: pausedStatuses ?? defaults.pausedStatuses, weights: weights)
        guard rules.errors.isEmpty else { throw ValidationError(rules.errors) }
        return rules
    }
}

struct DispatchPolicyBody: Encodable {
    var id: UUID
    var shopId: UUID?
    var typeId: UUID?
    var rules: DispatchPolicy
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    init(_ policy: ScopedDispatchPolicy) {
        id = policy.id
        shopId = policy.shopID
        typeId = policy.typeID
        rules = policy.rules
        createdAt = policy.createdAt
        updatedAt = policy.updatedAt
        version = policy.version
    }
}

struct DispatchRequestBody: Decodable {
    /// The dispatcher's pick; without it the policy picks.
    var engineerId: UUID?
    var reason: String?
}

struct CandidatesBody: Encodable {
    /// The policy in force; null for the built-in defaults.
    var policyId: UUID?
    var considered: Int
    var excluded: [String: Int]
    var candidates: [CandidateBreakdown]
}

struct AssignmentBody: Encodable {
    var id: UUID
    var workOrderId: UUID
    var engineerId: UUID
    var mode: DispatchAssignment.Mode
    var actorKeyId: UUID?
    var reason: String?
    var assignedAt: Date
    var rules: DispatchPolicy?
    var considered: Int
    var excluded: [String: Int]
    var candidates: [CandidateBreakdown]

    init(_ assignment: DispatchAssignment) {
        id = assignment.id
        workOrderId = assignment.workOrderID
        engineerId = assignment.engineerID
        mode = assignment.mode
        actorKeyId = assignment.actorKeyID
        reason = assignment.reason
        assignedAt = assignment.assignedAt
        rules = assignment.rules
        considered = assignment.considered
        excluded = assignment.excluded
        candidates = assignment.candidates
    }
}

struct DispatchResultBody: Encodable {
    var workOrder: WorkOrderBody
    var assignment: AssignmentBody
}
