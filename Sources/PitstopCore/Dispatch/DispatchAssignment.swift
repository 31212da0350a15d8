import Foundation

/// A policy as the tenant stored it, with the scope it applies to (nil: any shop or any type).
public struct ScopedDispatchPolicy: Sendable, Equatable {
    public var id: UUID
    public var shopID: UUID?
    public var typeID: UUID?
    public var rules: DispatchPolicy
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int

    public init(id: UUID, shopID: UUID?, typeID: UUID?, rules: DispatchPolicy, createdAt: Date, updatedAt: Date, version: Int) {
        self.id = id
        self.shopID = shopID
        self.typeID = typeID
        self.rules = rules
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }
}

/// One ranked engineer as an assignment keeps it: the facts and ratings behind the score.
public struct CandidateBreakdown: Sendable, Equatable, Codable {
    public var engineerID: UUID
    public var name: String
    public var distanceKm: Double?
    public var etaMinutes: Double?
    public var openOrders: Int
    public var assignedToday: Int
    public var ratings: DispatchRatings
    public var score: Double

    public init(_ ranked: RankedCandidate, name: String) {
        engineerID = ranked.candidate.engineerID
        self.name = name
        distanceKm = ranked.distanceKm.map { ($0 * 1000).rounded() / 1000 }
        etaMinutes = ranked.etaMinutes.map { ($0 * 10).rounded() / 10 }
        openOrders = ranked.candidate.openOrders
        assignedToday = ranked.candidate.assignedToday
        ratings = ranked.ratings
        score = ranked.score
    }
}

/// An order given to an engineer, and why.
public struct DispatchAssignment: Sendable, Equatable {
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// Picked by the policy.
        case auto
        /// Chosen by a dispatcher.
        case direct
        /// Moved from one engineer to another.
        case transfer
        /// Taken from the grab pool by the engineer.
        case claim
    }

    public var id: UUID
    public var workOrderID: UUID
    public var engineerID: UUID
    public var mode: Mode
    public var actorKeyID: UUID?
    public var reason: String?
    public var assignedAt: Date
    /// The rules in force for an automatic pick.
    public var rules: DispatchPolicy?
    /// Engineers the rules looked at after the database's first cut (active, on duty, near, skilled).
    public var considered: Int
    /// How many of those each hard rule excluded.
    public var excluded: [String: Int]
    /// The best survivors, best first.
    public var candidates: [CandidateBreakdown]

    public init(id: UUID, workOrderID: UUID, engineerID: UUID, mode: Mode, actorKeyID: UUID?, reason: String?, assignedAt: Date,
                rules: DispatchPolicy?, considered: Int, excluded: [String: Int], candidates: [CandidateBreakdown]) {
        self.id = id
        self.workOrderID = workOrderID
        self.engineerID = engineerID
        self.mode = mode
        self.actorKeyID = actorKeyID
        self.reason = reason
        self.assignedAt = assignedAt
        self.rules = rules
        self.considered = considered
        self.excluded = excluded
        self.candidates = candidates
    }
}

/// An automatically chosen engineer's turn to accept an order.
public struct DispatchOffer: Sendable, Equatable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case pending, accepted, declined, expired, withdrawn
        /// The message telling the engineer could not be delivered: passed on at once.
        case undelivered
    }

    public var id: UUID
    public var workOrderID: UUID
    public var engineerID: UUID
    public var round: Int
    public var offeredAt: Date
    public var expiresAt: Date
    public var state: State
    public var answeredAt: Date?
    public var declineReason: String?
    /// When the provider accepted the message telling the engineer; the time to answer runs
    /// from then. Nil while the message is on its way, or when the engineer has no channel.
    public var notifiedAt: Date?

    public init(id: UUID, workOrderID: UUID, engineerID: UUID, round: Int, offeredAt: Date, expiresAt: Date, state: State,
                answeredAt: Date?, declineReason: String?, notifiedAt: Date? = nil) {
        self.id = id
        self.workOrderID = workOrderID
        self.engineerID = engineerID
        self.round = round
        self.offeredAt = offeredAt
        self.expiresAt = expiresAt
        self.state = state
        self.answeredAt = answeredAt
        self.declineReason = declineReason
        self.notifiedAt = notifiedAt
    }
}
