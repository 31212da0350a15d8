import Foundation

/// What dispatch knows of the job to be done.
public struct DispatchJob: Sendable, Equatable {
    public var shopID: UUID?
    /// Where the work happens: the on-site location, else the shop's.
    public var place: GeoPoint?
    /// The engineer who last repaired this vehicle, if any.
    public var lastRepairer: UUID?

    public init(shopID: UUID?, place: GeoPoint?, lastRepairer: UUID?) {
        self.shopID = shopID
        self.place = place
        self.lastRepairer = lastRepairer
    }
}

/// What dispatch knows of one engineer at the moment of the decision.
public struct DispatchCandidate: Sendable, Equatable {
    public var engineerID: UUID
    public var active: Bool
    public var status: Engineer.Status
    public var location: GeoPoint?
    /// When `location` was reported: an old position says little about where they are now.
    public var locatedAt: Date?
    /// Whether the engineer belongs to the job's shop.
    public var inShop: Bool
    /// Levels of the skills the job requires (others may be left out).
    public var skills: [String: Int]
    /// Open orders whose clock runs (paused statuses not counted).
    public var openOrders: Int
    /// Orders assigned to the engineer today, in the tenant's day.
    public var assignedToday: Int

    public init(engineerID: UUID, active: Bool, status: Engineer.Status, location: GeoPoint?, locatedAt: Date?, inShop: Bool,
                skills: [String: Int], openOrders: Int, assignedToday: Int) {
        self.engineerID = engineerID
        self.active = active
        self.status = status
        self.location = location
        self.locatedAt = locatedAt
        self.inShop = inShop
        self.skills = skills
        self.openOrders = openOrders
        self.assignedToday = assignedToday
    }
}

/// A hard rule an engineer failed.
public enum DispatchExclusion: String, Sendable, Codable, CaseIterable {
    case inactive
    case offDuty = "off_duty"
    case onBreak = "on_break"
    /// Neither in the order's shop nor within the policy's radius of the job.
    case outOfArea = "out_of_area"
    /// Not in the order's shop, and their last position is older than the policy allows, so
    /// nobody knows whether they are near.
    case stalePosition = "stale_position"
    /// Lacks a required skill, or holds it below the required level.
    case missingSkill = "missing_skill"
    case atCapacity = "at_capacity"

    /// As the desk's alerts name it.
    public var chineseName: String {
        switch self {
        case .inactive: "已停用"
        case .offDuty: "不在岗"
        case .onBreak: "休息中"
        case .outOfArea: "超出服务范围"
        case .stalePosition: "位置过旧"
        case .missingSkill: "技能不符"
        case .atCapacity: "工单已满"
        }
    }
}

/// Each criterion rated 0 (worst) to 1 (best).
public struct DispatchRatings: Sendable, Equatable, Codable {
    public var distance: Double
    public var load: Double
    public var skill: Double
    public var fairness: Double
    public var familiarity: Double
}

/// An engineer who passed the hard rules, with how each criterion rated and the weighted score.
public struct RankedCandidate: Sendable, Equatable {
    public var candidate: DispatchCandidate
    public var distanceKm: Double?
    public var etaMinutes: Double?
    public var ratings: DispatchRatings
    public var score: Double
}

/// The outcome of ranking: survivors best first, and who was excluded by which rules.
public struct DispatchRanking: Sendable, Equatable {
    public var ranked: [RankedCandidate]
    public var excluded: [(engineerID: UUID, rules: [DispatchExclusion])]

    public static func == (lhs: DispatchRanking, rhs: DispatchRanking) -> Bool {
        lhs.ranked == rhs.ranked && lhs.excluded.map(\.engineerID) == rhs.excluded.map(\.engineerID)
            && lhs.excluded.map(\.rules) == rhs.excluded.map(\.rules)
    }

    /// How many engineers each rule excluded (one engineer may fail several).
    public var exclusionCounts: [DispatchExclusion: Int] {
        excluded.reduce(into: [:]) { counts, entry in for rule in entry.rules { counts[rule, default: 0] += 1 } }
    }

    /// Hard rules first, then `score = Σ(weight × rating) / Σ weight`. Ties go to the nearer
    /// engineer, then the less loaded, then the one with fewer orders today, then the lower id,
    /// so the same facts always give the same answer.
    public static func rank(_ candidates: [DispatchCandidate], for job: DispatchJob, policy: DispatchPolicy,
                            now: Date) -> DispatchRanking {
        var survivors: [(candidate: DispatchCandidate, distance: Double?)] = []
        var excluded: [(engineerID: UUID, rules: [DispatchExclusion])] = []
        for candidate in candidates {
            let distance = distanceKm(of: candidate, to: job, policy: policy, now: now)
            let rules = exclusions(of: candidate, distance: distance, job: job, policy: policy)
            if rules.isEmpty { survivors.append((candidate, distance)) } else { excluded.append((candidate.engineerID, rules)) }
        }
        let busiestToday = survivors.map(\.candidate.assignedToday).max() ?? 0
        let weights = policy.weights
        let ranked = survivors.map { survivor -> RankedCandidate in
            let candidate = survivor.candidate
            let ratings = DispatchRatings(
                distance: survivor.distance.map { max(0, 1 - $0 / policy.radiusKm) } ?? 0,
                load: max(0, 1 - Double(candidate.openOrders) / Double(policy.maxOpenOrders)),
                skill: skillRating(candidate.skills, required: policy.requiredSkills),
                fairness: busiestToday == 0 ? 1 : 1 - Double(candidate.assignedToday) / Double(busiestToday),
                familiarity: job.lastRepairer == candidate.engineerID ? 1 : 0)
            let weighted = weights.distance * ratings.distance + weights.load * ratings.load + weights.skill * ratings.skill
                + weights.fairness * ratings.fairness + weights.familiarity * ratings.familiarity
            return RankedCandidate(candidate: candidate, distanceKm: survivor.distance,
                                   etaMinutes: policy.averageSpeedKmh.flatMap { speed in survivor.distance.map { $0 / speed * 60 } },
                                   ratings: ratings, score: weighted / weights.total)
        }
        // Sort small keys, not the candidates themselves: thousands of survivors are common.
        let order = ranked.indices.map { SortKey(ranked[$0], index: $0) }.sorted(by: <)
        return DispatchRanking(ranked: order.map { ranked[$0.index] }, excluded: excluded)
    }

    /// How far the engineer is from the job, from a position no older than the policy allows;
    /// nil when either place is unknown or the position is stale.
    public static func distanceKm(of candidate: DispatchCandidate, to job: DispatchJob, policy: DispatchPolicy,
                                  now: Date) -> Double? {
        guard let place = job.place, let location = candidate.location, isFresh(candidate, policy: policy, now: now) else { return nil }
        return location.distanceKm(to: place)
    }

    /// A position without a time counts as stale: nobody can say when it was true.
    static func isFresh(_ candidate: DispatchCandidate, policy: DispatchPolicy, now: Date) -> Bool {
        guard let at = candidate.locatedAt else { return false }
        return now.timeIntervalSince(at) <= TimeInterval(policy.positionMaxAgeMinutes * 60)
    }

    /// The hard rules `candidate` fails, given `distance` from `distanceKm(of:to:policy:now:)`.
    public static func exclusions(of candidate: DispatchCandidate, distance: Double?, job: DispatchJob,
                           policy: DispatchPolicy) -> [DispatchExclusion] {
        var rules: [DispatchExclusion] = []
        if !candidate.active { rules.append(.inactive) }
        switch candidate.status {
        case .offDuty: rules.append(.offDuty)
        case .onBreak: rules.append(.onBreak)
        case .available, .busy: break
        }
        let nothingToCompare = job.shopID == nil && job.place == nil
        if !candidate.inShop && !nothingToCompare && !(distance.map { $0 <= policy.radiusKm } ?? false) {
            // A position is there but too old to use (distance is only nil for it then).
            let stale = distance == nil && job.place != nil && candidate.location != nil
            rules.append(stale ? .stalePosition : .outOfArea)
        }
        if policy.requiredSkills.contains(where: { (candidate.skills[$0.key] ?? 0) < $0.value }) { rules.append(.missingSkill) }
        if candidate.openOrders >= policy.maxOpenOrders { rules.append(.atCapacity) }
        return rules
    }

    /// How far above the required levels the engineer stands, averaged over the required skills:
    /// 0 at exactly the level required, 1 at master (5). No requirements rate everyone 1.
    static func skillRating(_ skills: [String: Int], required: [String: Int]) -> Double {
        guard !required.isEmpty else { return 1 }
        let surpluses = required.map { skill, need -> Double in
            need >= 5 ? 1 : Double((skills[skill] ?? 0) - need) / Double(5 - need)
        }
        return surpluses.reduce(0, +) / Double(surpluses.count)
    }

    /// Better first: higher score, then nearer (unknown distance last), less loaded, fewer
    /// today, lower id.
    struct SortKey: Comparable {
        var score: Double
        var distance: Double
        var openOrders: Int
        var assignedToday: Int
        var id: UUID
        var index: Int

        init(_ ranked: RankedCandidate, index: Int) {
            score = ranked.score
            distance = ranked.distanceKm ?? .infinity
            openOrders = ranked.candidate.openOrders
            assignedToday = ranked.candidate.assignedToday
            id = ranked.candidate.engineerID
            self.index = index
        }

        static func < (a: SortKey, b: SortKey) -> Bool {
            if a.score != b.score { return a.score > b.score }
            if a.distance != b.distance { return a.distance < b.distance }
            if a.openOrders != b.openOrders { return a.openOrders < b.openOrders }
            if a.assignedToday != b.assignedToday { return a.assignedToday < b.assignedToday }
            // Byte order is the order of the ids' hex text.
            return withUnsafeBytes(of: a.id.uuid) { x in withUnsafeBytes(of: b.id.uuid) { y in x.lexicographicallyPrecedes(y) } }
        }
    }
}
