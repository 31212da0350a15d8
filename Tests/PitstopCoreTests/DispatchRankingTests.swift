import Foundation
import PitstopCore
import Testing

@Suite struct DispatchRankingTests {
    // West Lake, Hangzhou, and points east of it: 0.01° of longitude is about 0.96 km there.
    static let shop = UUID(uuidString: "00000000-0000-0000-0000-0000000000a1")!
    static let otherShop = UUID(uuidString: "00000000-0000-0000-0000-0000000000a2")!
    static let job = GeoPoint(latitude: 30.25, longitude: 120.15)

    static func at(kmEast km: Double) -> GeoPoint {
        GeoPoint(latitude: 30.25, longitude: 120.15 + km / 96.2)
    }

    /// The moment of every decision here.
    static let now = Date(timeIntervalSince1970: 1_796_000_000)

    static func engineer(_ number: Int, kmEast: Double? = 1, minutesAgo: Double? = 5, shops: [UUID] = [shop],
                         skills: [String: Int] = ["engine": 3], open: Int = 0, today: Int = 0, active: Bool = true,
                         status: Engineer.Status = .available) -> DispatchCandidate {
        DispatchCandidate(engineerID: id(number), active: active, status: status, location: kmEast.map(at(kmEast:)),
                          locatedAt: minutesAgo.map { now.addingTimeInterval(-$0 * 60) },
                          inShop: shops.contains(shop), skills: skills, openOrders: open, assignedToday: today)
    }

    static func rank(_ candidates: [DispatchCandidate], for job: DispatchJob, policy: DispatchPolicy) -> DispatchRanking {
        DispatchRanking.rank(candidates, for: job, policy: policy, now: now)
    }

    let job = DispatchJob(shopID: shop, place: job, lastRepairer: nil)

    static func id(_ number: Int) -> UUID {
        UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", number))!
    }

    /// The engineers' numbers, in ranking order ("E3" for engineer 3).
    static func names(_ ranking: DispatchRanking) -> [String] {
        ranking.ranked.map { ranked in "E\(Int(ranked.candidate.engineerID.uuidString.suffix(12))!)" }
    }

    @Test func haversineMatchesTheTextbookExample() {
        // Nashville BNA to Los Angeles LAX, the usual worked example: 2887.2600 km with a radius
        // of 6372.8 km, so 2886.4484 km with the mean radius used here.
        let bna = GeoPoint(latitude: 36.12, longitude: -86.67)
        let lax = GeoPoint(latitude: 33.94, longitude: -118.40)
        #expect(abs(bna.distanceKm(to: lax) - 2886.4484) < 0.001)
        #expect(bna.distanceKm(to: bna) == 0)
    }

    @Test func hardRulesExcludeWithEveryReason() {
        let policy = DispatchPolicy(radiusKm: 10, maxOpenOrders: 3, requiredSkills: ["engine": 3])
        let candidates = [
            Self.engineer(1),
            Self.engineer(2, active: false),
            Self.engineer(3, status: .offDuty),
            Self.engineer(4, kmEast: 25, shops: [Self.otherShop]),
            Self.engineer(5, skills: ["engine": 2]),
            Self.engineer(6, skills: ["paint": 5]),
            Self.engineer(7, open: 3),
            Self.engineer(8, kmEast: 8, shops: [Self.otherShop]),
            Self.engineer(9, kmEast: nil, shops: [Self.otherShop]),
            Self.engineer(10, kmEast: 40),
            Self.engineer(11, skills: [:], open: 9, active: false, status: .offDuty),
        ]
        let ranking = Self.rank(candidates, for: job, policy: policy)
        // In the shop, or outside it but within the radius; far away is fine for a shop member.
        #expect(Set(Self.names(ranking)) == ["E1", "E8", "E10"])
        let reasons = Dictionary(uniqueKeysWithValues: ranking.excluded.map { ($0.engineerID, $0.rules) })
        #expect(reasons[candidates[1].engineerID] == [.inactive])
        #expect(reasons[candidates[2].engineerID] == [.offDuty])
        #expect(reasons[candidates[3].engineerID] == [.outOfArea])
        #expect(reasons[candidates[4].engineerID] == [.missingSkill])
        #expect(reasons[candidates[5].engineerID] == [.missingSkill])
        #expect(reasons[candidates[6].engineerID] == [.atCapacity])
        #expect(reasons[candidates[8].engineerID] == [.outOfArea])
        #expect(reasons[candidates[10].engineerID] == [.inactive, .offDuty, .missingSkill, .atCapacity])
        #expect(ranking.exclusionCounts[.missingSkill] == 3)
    }

    @Test func aPositionOlderThanThePolicysLimitCountsAsNeitherNearNorFar() {
        let policy = DispatchPolicy(positionMaxAgeMinutes: 30)
        let outsider = [Self.otherShop]
        let candidates = [
            Self.engineer(1, kmEast: 2, minutesAgo: 10, shops: outsider),
            Self.engineer(2, kmEast: 2, minutesAgo: 30, shops: outsider),
            Self.engineer(3, kmEast: 2, minutesAgo: 31, shops: outsider),
            // A week-old position next door, the case the rule is for.
            Self.engineer(4, kmEast: 0.1, minutesAgo: 7 * 24 * 60, shops: outsider),
            // A position whose time nobody knows.
            Self.engineer(5, kmEast: 2, minutesAgo: nil, shops: outsider),
            // Shop members qualify without a fresh position, but rank as if nobody knew where they are.
            Self.engineer(6, kmEast: 0.1, minutesAgo: 7 * 24 * 60),
            Self.engineer(7, kmEast: 3, minutesAgo: 1),
        ]
        let ranking = Self.rank(candidates, for: job, policy: policy)
        #expect(Self.names(ranking) == ["E1", "E2", "E7", "E6"])
        let reasons = Dictionary(uniqueKeysWithValues: ranking.excluded.map { ($0.engineerID, $0.rules) })
        #expect(reasons[candidates[2].engineerID] == [.stalePosition])
        #expect(reasons[candidates[3].engineerID] == [.stalePosition])
        #expect(reasons[candidates[4].engineerID] == [.stalePosition])
        let stale = try! #require(ranking.ranked.first { $0.candidate.engineerID == candidates[5].engineerID })
        #expect(stale.distanceKm == nil)
        #expect(stale.ratings.distance == 0)
        // The same engineers an hour later (the default limit) than their positions: nobody is near.
        let later = DispatchRanking.rank(candidates, for: job, policy: DispatchPolicy(), now: Self.now.addingTimeInterval(3600))
        #expect(Set(Self.names(later)) == ["E6", "E7"])
        #expect(later.exclusionCounts[.stalePosition] == 5)
    }

    @Test func aJobWithNoPlaceOrShopIgnoresTheAreaRule() {
        let anywhere = DispatchJob(shopID: nil, place: nil, lastRepairer: nil)
        let ranking = Self.rank([Self.engineer(1, kmEast: nil, shops: [])], for: anywhere, policy: DispatchPolicy())
        #expect(ranking.ranked.count == 1)
        #expect(ranking.ranked[0].ratings.distance == 0)
    }

    @Test func ratingsFollowTheirDefinitions() {
        let policy = DispatchPolicy(radiusKm: 20, maxOpenOrders: 4, requiredSkills: ["engine": 3, "electrics": 1], averageSpeedKmh: 30)
        let repairer = Self.engineer(2, kmEast: 5, skills: ["engine": 5, "electrics": 1], open: 1, today: 2)
        let ranking = Self.rank([Self.engineer(1, kmEast: 10, skills: ["engine": 4, "electrics": 3], open: 2, today: 4), repairer],
                                           for: DispatchJob(shopID: Self.shop, place: Self.job, lastRepairer: repairer.engineerID),
                                           policy: policy)
        let byName = Dictionary(uniqueKeysWithValues: zip(Self.names(ranking), ranking.ranked))
        let one = try! #require(byName["E1"])
        #expect(abs(one.distanceKm! - 10) < 0.1)
        #expect(abs(one.etaMinutes! - 20) < 0.2)
        #expect(abs(one.ratings.distance - 0.5) < 0.01)
        #expect(one.ratings.load == 0.5)
        #expect(abs(one.ratings.skill - (0.5 + 0.5) / 2) < 1e-9)
        #expect(one.ratings.fairness == 0)
        #expect(one.ratings.familiarity == 0)
        let two = try! #require(byName["E2"])
        #expect(two.ratings.skill == 0.5)
        #expect(two.ratings.fairness == 0.5)
        #expect(two.ratings.familiarity == 1)
        // Default weights 3/2/1/1/1.
        let expected = (3 * two.ratings.distance + 2 * 0.75 + 1 * 0.5 + 1 * 0.5 + 1 * 1) / 8
        #expect(abs(two.score - expected) < 1e-9)
        #expect(Self.names(ranking).first == "E2")
    }

    @Test func weightsChangeTheWinner() {
        let near = Self.engineer(1, kmEast: 1, open: 4)
        let idle = Self.engineer(2, kmEast: 15, open: 0)
        let byDistance = DispatchPolicy(maxOpenOrders: 5, weights: .init(distance: 10, load: 1, skill: 0, fairness: 0, familiarity: 0))
        let byLoad = DispatchPolicy(maxOpenOrders: 5, weights: .init(distance: 1, load: 10, skill: 0, fairness: 0, familiarity: 0))
        #expect(Self.names(Self.rank([near, idle], for: job, policy: byDistance)).first == "E1")
        #expect(Self.names(Self.rank([near, idle], for: job, policy: byLoad)).first == "E2")
        // Familiarity alone: the last repairer wins even from afar.
        let familiar = DispatchPolicy(weights: .init(distance: 0, load: 0, skill: 0, fairness: 0, familiarity: 1))
        let lastRepaired = DispatchJob(shopID: Self.shop, place: Self.job, lastRepairer: idle.engineerID)
        #expect(Self.names(Self.rank([near, idle], for: lastRepaired, policy: familiar)).first == "E2")
    }

    @Test func tiesBreakTheSameWayWhateverTheInputOrder() {
        // Equal scores: nearer first, then less loaded, then fewer today, then the lower id.
        let policy = DispatchPolicy(weights: .init(distance: 0, load: 0, skill: 1, fairness: 0, familiarity: 0))
        let candidates = [Self.engineer(4, kmEast: 2), Self.engineer(3, kmEast: 1, open: 2), Self.engineer(2, kmEast: 1, open: 1, today: 3),
                          Self.engineer(1, kmEast: 1, open: 1, today: 3), Self.engineer(5, kmEast: 1, open: 1, today: 1)]
        let expected = ["E5", "E1", "E2", "E3", "E4"]
        for shuffled in [candidates, candidates.reversed(), [candidates[2], candidates[0], candidates[4], candidates[1], candidates[3]]] {
            #expect(Self.names(Self.rank(shuffled, for: job, policy: policy)) == expected)
        }
    }

    @Test func policiesAreChecked() {
        var policy = DispatchPolicy(radiusKm: 0, positionMaxAgeMinutes: 0, maxOpenOrders: 0, requiredSkills: ["Engine": 6], averageSpeedKmh: -1,
                                    pausedStatuses: [.completed], weights: .init(distance: 0, load: 0, skill: 0, fairness: 0, familiarity: 0))
        #expect(Set(policy.errors.map(\.field)) == ["radius_km", "position_max_age_minutes", "max_open_orders", "required_skills.Engine",
                                                     "average_speed_kmh", "paused_statuses", "weights"])
        policy = DispatchPolicy()
        #expect(policy.errors.isEmpty)
    }
}
