import Foundation

/// How a tenant (or one of its shops, or one kind of job) picks engineers: hard rules that
/// exclude, then weights that rank the rest. Plain data the tenant edits.
public struct DispatchPolicy: Sendable, Equatable, Codable {
    /// How much each criterion counts; `score = Σ(weight × rating) / Σ weight`.
    public struct Weights: Sendable, Equatable, Codable {
        public var distance: Double
        public var load: Double
        public var skill: Double
        public var fairness: Double
        public var familiarity: Double

        public init(distance: Double = 3, load: Double = 2, skill: Double = 1, fairness: Double = 1, familiarity: Double = 1) {
            self.distance = distance
            self.load = load
            self.skill = skill
            self.fairness = fairness
            self.familiarity = familiarity
        }

        var total: Double { distance + load + skill + fairness + familiarity }
    }

    /// What happens to a new order the moment it is reported, from any channel.
    public var mode: Mode
    /// In `pool` mode: how long the order waits in the grab pool for a claim.
    public var poolMinutes: Int
    /// In `pool` mode: where an order nobody claimed in time goes.
    public var afterPool: AfterPool
    /// Engineers who do not belong to the order's shop qualify only within this distance of the
    /// job; it is also the distance at which the distance rating reaches 0.
    public var radiusKm: Double
    /// A position older than this does not count: its engineer is neither near nor far.
    public var positionMaxAgeMinutes: Int
    /// An engineer with this many open orders (counting only those whose clock runs) takes no more.
    public var maxOpenOrders: Int
    /// Skill code → the least level the job needs.
    public var requiredSkills: [String: Int]
    /// Rate by estimated travel time at this speed instead of by distance, when set.
    public var averageSpeedKmh: Double?
    /// Statuses whose orders do not count towards an engineer's load (their clock is paused).
    public var pausedStatuses: [WorkOrderStatus]
    public var weights: Weights
    /// How long an automatically chosen engineer has to accept before the next one is asked.
    public var offerTimeoutSeconds: Int
    /// Engineers asked in turn before the order leaves automatic dispatch.
    public var maxRounds: Int
    /// Where an order goes when every round was declined or timed out.
    public var afterRounds: AfterRounds
    /// A check-in farther than this from the expected place is flagged for the dispatchers.
    public var checkInRadiusMeters: Int

    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// Dispatchers assign every order (the default, and the only behaviour before modes).
        case manual
        /// The best-ranked engineer gets the order at once, to accept or decline without a deadline;
        /// a decline passes it to the next, as many rounds as `maxRounds`.
        case assign
        /// Offered to the best-ranked engineer, who has `offerTimeoutSeconds` to accept; on a
        /// decline or time-out the next is asked, up to `maxRounds`, then `afterRounds`.
        case offer
        /// Published to the grab pool; unclaimed after `poolMinutes`, it goes where `afterPool` says.
        case pool
    }

    public enum AfterPool: String, Sendable, Codable, CaseIterable {
        /// Offered to engineers in turn, as in `offer` mode (after the rounds, to the dispatchers).
        case offer
        /// Left for a dispatcher.
        case dispatcher
    }

    public enum AfterRounds: String, Sendable, Codable, CaseIterable {
        /// Published to the grab pool for any eligible engineer to claim.
        case pool
        /// Left unassigned for a dispatcher (a timeline entry says so).
        case dispatcher
    }

    public init(mode: Mode = .manual, poolMinutes: Int = 15, afterPool: AfterPool = .offer, radiusKm: Double = 30, positionMaxAgeMinutes: Int = 60,
                maxOpenOrders: Int = 5, requiredSkills: [String: Int] = [:], averageSpeedKmh: Double? = nil,
                pausedStatuses: [WorkOrderStatus] = [.awaitingParts], weights: Weights = Weights(), offerTimeoutSeconds: Int = 300,
                maxRounds: Int = 3, afterRounds: AfterRounds = .pool, checkInRadiusMeters: Int = 500) {
        self.mode = mode
        self.poolMinutes = poolMinutes
        self.afterPool = afterPool
        self.radiusKm = radiusKm
        self.positionMaxAgeMinutes = positionMaxAgeMinutes
        self.maxOpenOrders = maxOpenOrders
        self.requiredSkills = requiredSkills
        self.averageSpeedKmh = averageSpeedKmh
        self.pausedStatuses = pausedStatuses
        self.weights = weights
        self.offerTimeoutSeconds = offerTimeoutSeconds
        self.maxRounds = maxRounds
        self.afterRounds = afterRounds
        self.checkInRadiusMeters = checkInRadiusMeters
    }

    /// Stored policies may predate a rule: missing ones take their defaults.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = DispatchPolicy()
        mode = try container.decodeIfPresent(Mode.self, forKey: .mode) ?? defaults.mode
        poolMinutes = try container.decodeIfPresent(Int.self, forKey: .poolMinutes) ?? defaults.poolMinutes
        afterPool = try container.decodeIfPresent(AfterPool.self, forKey: .afterPool) ?? defaults.afterPool
        radiusKm = try container.decodeIfPresent(Double.self, forKey: .radiusKm) ?? defaults.radiusKm
        positionMaxAgeMinutes = try container.decodeIfPresent(Int.self, forKey: .positionMaxAgeMinutes) ?? defaults.positionMaxAgeMinutes
        maxOpenOrders = try container.decodeIfPresent(Int.self, forKey: .maxOpenOrders) ?? defaults.maxOpenOrders
        requiredSkills = try container.decodeIfPresent([String: Int].self, forKey: .requiredSkills) ?? defaults.requiredSkills
        averageSpeedKmh = try container.decodeIfPresent(Double.self, forKey: .averageSpeedKmh)
        pausedStatuses = try container.decodeIfPresent([WorkOrderStatus].self, forKey: .pausedStatuses) ?? defaults.pausedStatuses
        weights = try container.decodeIfPresent(Weights.self, forKey: .weights) ?? defaults.weights
        offerTimeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .offerTimeoutSeconds) ?? defaults.offerTimeoutSeconds
        maxRounds = try container.decodeIfPresent(Int.self, forKey: .maxRounds) ?? defaults.maxRounds
        afterRounds = try container.decodeIfPresent(AfterRounds.self, forKey: .afterRounds) ?? defaults.afterRounds
        checkInRadiusMeters = try container.decodeIfPresent(Int.self, forKey: .checkInRadiusMeters) ?? defaults.checkInRadiusMeters
    }

    /// Every problem with the policy, by field.
    public var errors: [FieldError] {
        var errors: [FieldError] = []
        if !(radiusKm.isFinite && radiusKm > 0 && radiusKm <= 1000) {
            errors.append(FieldError(field: "radius_km", message: "must be more than 0 and at most 1000"))
        }
        if !(1...10_080).contains(positionMaxAgeMinutes) {
            errors.append(FieldError(field: "position_max_age_minutes", message: "must be 1 to 10080 (a week)"))
        }
        if !(1...100).contains(maxOpenOrders) { errors.append(FieldError(field: "max_open_orders", message: "must be 1 to 100")) }
        if requiredSkills.count > 20 { errors.append(FieldError(field: "required_skills", message: "may list at most 20 skills")) }
        for (skill, level) in requiredSkills.sorted(by: { $0.key < $1.key }) {
            if !TextRules.isCode(skill) { errors.append(FieldError(field: "required_skills.\(skill)", message: TextRules.codeRule)) }
            if !(1...5).contains(level) { errors.append(FieldError(field: "required_skills.\(skill)", message: "must be a level from 1 to 5")) }
        }
        if let speed = averageSpeedKmh, !(speed.isFinite && speed > 0 && speed <= 200) {
            errors.append(FieldError(field: "average_speed_kmh", message: "must be more than 0 and at most 200"))
        }
        if !(30...86_400).contains(offerTimeoutSeconds) {
            errors.append(FieldError(field: "offer_timeout_seconds", message: "must be 30 to 86400 (a day)"))
        }
        if !(1...20).contains(maxRounds) { errors.append(FieldError(field: "max_rounds", message: "must be 1 to 20")) }
        if !(1...1440).contains(poolMinutes) { errors.append(FieldError(field: "pool_minutes", message: "must be 1 to 1440 (a day)")) }
        if !(10...50_000).contains(checkInRadiusMeters) {
            errors.append(FieldError(field: "check_in_radius_meters", message: "must be 10 to 50000"))
        }
        if pausedStatuses.contains(where: { !$0.isOpen }) {
            errors.append(FieldError(field: "paused_statuses", message: "may list open statuses only"))
        }
        let named = [("distance", weights.distance), ("load", weights.load), ("skill", weights.skill),
                     ("fairness", weights.fairness), ("familiarity", weights.familiarity)]
        for (name, weight) in named where !(weight.isFinite && (0...100).contains(weight)) {
            errors.append(FieldError(field: "weights.\(name)", message: "must be 0 to 100"))
        }
        if named.allSatisfy({ $0.1 == 0 }) { errors.append(FieldError(field: "weights", message: "must give at least one criterion a weight")) }
        return errors
    }
}
