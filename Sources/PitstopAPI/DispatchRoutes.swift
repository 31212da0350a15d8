import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    /// Policies, ranked candidates for an order, assignment (automatic or the dispatcher's pick),
    /// and the record of why each assignment went the way it did.
    var dispatchRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/dispatch-policies", roles: [.admin]) { [self] request, _, scope in
                try idempotent(request, scope) {
                    let body = try JSONCoding.decode(DispatchPolicyInputBody.self, from: request.body, allowedFields: DispatchPolicyInputBody.scopedFields)
                    let rules = body.rules()
                    let policy = try ChainSetup(scope: scope).createDispatchPolicy(shopID: body.shopId, typeID: body.typeId, rules: rules)
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
                let policy = try ChainSetup(scope: scope).replaceDispatchPolicy(id, expectedVersion: version, rules: body.rules())
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
                let dispatcher = Dispatcher(scope: scope, tenant: caller.tenant)
                let decision = try dispatcher.rank(order)
                return try .json(CandidatesBody(policyId: decision.policyID, considered: decision.considered,
                                                excluded: decision.ranking.exclusionNames,
                                                candidates: try dispatcher.breakdown(decision.ranking, first: limit)))
            },
            tenantRoute("POST", "/v1/work-orders/{id}/dispatch", roles: [.admin, .dispatcher]) { request, caller, scope in
                let id = try Self.pathID(request, "work order")
                let version = try Self.ifMatchVersion(request)
                let body = request.body.isEmpty ? DispatchRequestBody()
                    : try JSONCoding.decode(DispatchRequestBody.self, from: request.body, allowedFields: ["engineer_id", "reason", "override"])
                if let reason = body.reason, reason.count > 1000 { throw ValidationError(field: "reason", "must be at most 1000 characters") }
                let order = try scope.workOrders.get(id: id)
                guard let chosen = body.engineerId else {
                    switch try Dispatcher(scope: scope, tenant: caller.tenant).offerNext(order, expectedVersion: version, by: .key(caller.key)) {
                    case .offered(let offered, let assignment, let offer):
                        return try .record(DispatchResultBody(workOrder: WorkOrderBody(offered, tenantID: caller.tenant.id),
                                                              assignment: AssignmentBody(assignment), offer: offer.map(OfferBody.init)),
                                           version: offered.version)
                    case .nobodyEligible(let decision):
                        let counts = decision.ranking.exclusionNames.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                        throw Problem(status: 409, type: "no-eligible-engineer", title: "No eligible engineer",
                                      detail: "no engineer passes the dispatch rules for this order (\(decision.considered) considered"
                                          + (counts.isEmpty ? "" : "; excluded: \(counts.joined(separator: ", "))")
                                          + "); assign one directly with engineer_id, or change the policy")
                    case .pooled(let moved), .leftForDispatcher(let moved), .unchanged(let moved):
                        throw Problem.conflict("automatic dispatch has already asked every engineer it may for this order; "
                                               + "it is \(moved.pooledAt == nil ? "left to the dispatchers" : "in the grab pool")")
                    }
                }
                let (moved, assignment) = try Self.pick(order, expectedVersion: version, engineer: chosen, field: "engineer_id",
                                                        reason: body.reason, overriding: body.override ?? false, caller: caller, scope: scope)
                return try .record(DispatchResultBody(workOrder: WorkOrderBody(moved, tenantID: caller.tenant.id),
                                                      assignment: AssignmentBody(assignment), offer: nil), version: moved.version)
            },
            // The assignee's answers. No If-Match: the engineer answers the order as it stands.
            tenantRoute("POST", "/v1/work-orders/{id}/accept", roles: [.engineer]) { request, caller, scope in
                let (order, engineer) = try Self.assignedToCaller(request, caller, scope)
                let accepted = try Dispatcher(scope: scope, tenant: caller.tenant).accept(order, engineer: engineer, by: .key(caller.key))
                return try .record(WorkOrderBody(accepted, tenantID: caller.tenant.id), version: accepted.version)
            },
            tenantRoute("POST", "/v1/work-orders/{id}/decline", roles: [.engineer]) { request, caller, scope in
                let body = try JSONCoding.decode(DeclineBody.self, from: request.body, allowedFields: ["reason"])
                let reason = try Self.declineReason(body.reason)
                let (order, engineer) = try Self.assignedToCaller(request, caller, scope)
                let offer = try scope.dispatch.pendingOffer(workOrder: order.id)
                _ = try Dispatcher(scope: scope, tenant: caller.tenant).passOn(order, from: engineer, offer: offer, as: .declined,
                                                                               reason: reason, by: .key(caller.key))
                return .noContent()
            },
            tenantRoute("GET", "/v1/work-orders/{id}/dispatch", roles: [.admin, .dispatcher]) { request, _, scope in
                let order = try scope.workOrders.get(id: try Self.pathID(request, "work order"))
                return try .json(AssignmentsBody(items: try scope.dispatch.assignments(workOrder: order.id).map(AssignmentBody.init),
                                                 offers: try scope.dispatch.offers(workOrder: order.id).map(OfferBody.init)))
            },
        ]
    }

    /// The order of the `{id}` path, if it waits for the calling engineer's answer.
    static func assignedToCaller(_ request: HTTPRequest, _ caller: TenantCaller,
                                 _ scope: TenantScope) throws -> (order: WorkOrder, engineer: UUID) {
        try assignedToCaller(try pathID(request, "work order"), caller, scope)
    }

    static func assignedToCaller(_ id: UUID, _ caller: TenantCaller, _ scope: TenantScope) throws -> (order: WorkOrder, engineer: UUID) {
        guard let engineer = caller.key.engineerID else { throw Problem.forbidden("only an engineer's key answers for an engineer") }
        let order = try scope.workOrders.get(id: id)
        guard order.assigneeID == engineer, order.status == .assigned else {
            throw Problem.conflict("the order is not waiting for your answer (it is \(order.status.rawValue)"
                                   + (order.assigneeID == engineer ? ")" : ", assigned to someone else)"))
        }
        return (order, engineer)
    }
}

extension APIApplication {
    /// Why the engineer declines (or hands an order on), trimmed: they must say.
    static func declineReason(_ text: String) throws -> String {
        let reason = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...1000).contains(reason.count) else { throw ValidationError(field: "reason", "must be 1 to 1000 characters: say why") }
        return reason
    }

    /// A dispatcher's pick (`POST …/dispatch` with an engineer, or a `to: assigned` transition),
    /// with the pick's problems named by the body's `field`.
    static func pick(_ order: WorkOrder, expectedVersion: Int, engineer: UUID, field: String, reason: String?, overriding: Bool,
                     caller: TenantCaller, scope: TenantScope) throws -> (WorkOrder, DispatchAssignment) {
        do {
            return try Dispatcher(scope: scope, tenant: caller.tenant)
                .pick(order, expectedVersion: expectedVersion, engineer: engineer, reason: reason, overriding: overriding, by: .key(caller.key))
        } catch StoreError.notFound("engineer") {
            throw ValidationError(field: field, "does not name an engineer of this tenant")
        } catch let refusal as Dispatcher.PickRefusal {
            guard refusal.overridable else { throw ValidationError(field: field, refusal.message) }
            throw Problem(status: 409, type: "engineer-fails-dispatch-rules", title: "The engineer fails the dispatch rules",
                          detail: "the engineer \(refusal.message)", errors: [.init(field: field, message: refusal.message)])
        }
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
    var mode: DispatchPolicy.Mode?
    var poolMinutes: Int?
    var afterPool: DispatchPolicy.AfterPool?
    var radiusKm: Double?
    var positionMaxAgeMinutes: Int?
    var maxOpenOrders: Int?
    var requiredSkills: [String: Int]?
    var averageSpeedKmh: Double?
    var pausedStatuses: [WorkOrderStatus]?
    var weights: WeightsBody?
    var offerTimeoutSeconds: Int?
    var maxRounds: Int?
    var afterRounds: DispatchPolicy.AfterRounds?
    var checkInRadiusMeters: Int?

    static let ruleFields: Set<String> = ["mode", "pool_minutes", "after_pool", "radius_km", "position_max_age_minutes", "max_open_orders", "required_skills", "average_speed_kmh", "paused_statuses", "weights",
                                          "offer_timeout_seconds", "max_rounds", "after_rounds", "check_in_radius_meters"]
    static let scopedFields = ruleFields.union(["shop_id", "type_id"])

    func rules() -> DispatchPolicy {
        let defaults = DispatchPolicy()
        let weights = DispatchPolicy.Weights(distance: self.weights?.distance ?? defaults.weights.distance,
                                             load: self.weights?.load ?? defaults.weights.load,
                                             skill: self.weights?.skill ?? defaults.weights.skill,
                                             fairness: self.weights?.fairness ?? defaults.weights.fairness,
                                             familiarity: self.weights?.familiarity ?? defaults.weights.familiarity)
        let rules = DispatchPolicy(mode: mode ?? defaults.mode, poolMinutes: poolMinutes ?? defaults.poolMinutes,
                                   afterPool: afterPool ?? defaults.afterPool, radiusKm: radiusKm ?? defaults.radiusKm,
                                   positionMaxAgeMinutes: positionMaxAgeMinutes ?? defaults.positionMaxAgeMinutes, maxOpenOrders: maxOpenOrders ?? defaults.maxOpenOrders,
                                   requiredSkills: requiredSkills ?? [:], averageSpeedKmh: averageSpeedKmh,
                                   pausedStatuses: pausedStatuses ?? defaults.pausedStatuses, weights: weights,
                                   offerTimeoutSeconds: offerTimeoutSeconds ?? defaults.offerTimeoutSeconds,
                                   maxRounds: maxRounds ?? defaults.maxRounds, afterRounds: afterRounds ?? defaults.afterRounds,
                                   checkInRadiusMeters: checkInRadiusMeters ?? defaults.checkInRadiusMeters)
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
    /// Assign the pick although they fail a hard rule (not a deactivated engineer).
    var override: Bool?
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
    /// For an automatic pick: the engineer's deadline to accept.
    var offer: OfferBody?
}

struct OfferBody: Encodable {
    var id: UUID
    var engineerId: UUID
    var round: Int
    var offeredAt: Date
    var expiresAt: Date
    var state: DispatchOffer.State
    var answeredAt: Date?
    var declineReason: String?
    var notifiedAt: Date?

    init(_ offer: DispatchOffer) {
        id = offer.id
        engineerId = offer.engineerID
        round = offer.round
        offeredAt = offer.offeredAt
        expiresAt = offer.expiresAt
        state = offer.state
        answeredAt = offer.answeredAt
        declineReason = offer.declineReason
        notifiedAt = offer.notifiedAt
    }
}

struct AssignmentsBody: Encodable {
    var items: [AssignmentBody]
    /// Automatic offers, first round first, with how each was answered.
    var offers: [OfferBody]
}

struct DeclineBody: Decodable {
    var reason: String
}
