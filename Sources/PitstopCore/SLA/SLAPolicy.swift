import Foundation

/// A tenant's SLA policy: which orders it covers and what it promises them. Policies are tried
/// in `position` order and the first that matches applies; the default policy covers the rest.
public struct SLAPolicy: Sendable, Equatable {
    /// Conditions an order must meet, each only when set.
    public struct Match: Sendable, Equatable, Codable {
        public var priorities: [WorkOrder.Priority]?
        public var typeID: UUID?
        public var shopID: UUID?
        /// One of the customer's tags (VIP, fleet …).
        public var customerTag: String?

        public init(priorities: [WorkOrder.Priority]? = nil, typeID: UUID? = nil, shopID: UUID? = nil, customerTag: String? = nil) {
            self.priorities = priorities
            self.typeID = typeID
            self.shopID = shopID
            self.customerTag = customerTag
        }

        public func covers(priority: WorkOrder.Priority, typeID: UUID, shopID: UUID?, customerTags: [String]) -> Bool {
            if let priorities, !priorities.contains(priority) { return false }
            if let wanted = self.typeID, wanted != typeID { return false }
            if let wanted = self.shopID, wanted != shopID { return false }
            if let tag = customerTag, !customerTags.contains(tag) { return false }
            return true
        }
    }

    public var id: UUID
    public var name: String
    public var position: Int
    public var isDefault: Bool
    public var match: Match
    /// The business calendar for business-time targets; without one they count every minute.
    public var calendarID: UUID?
    public var rules: SLARules
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int

    public init(id: UUID, name: String, position: Int, isDefault: Bool, match: Match, calendarID: UUID?, rules: SLARules,
                createdAt: Date, updatedAt: Date, version: Int) {
        self.id = id
        self.name = name
        self.position = position
        self.isDefault = isDefault
        self.match = match
        self.calendarID = calendarID
        self.rules = rules
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    /// The policy for an order: the first match by position, else the default, else none.
    public static func select(from policies: [SLAPolicy], priority: WorkOrder.Priority, typeID: UUID, shopID: UUID?,
                              customerTags: [String]) -> SLAPolicy? {
        policies.filter { !$0.isDefault }.sorted { ($0.position, $0.createdAt) < ($1.position, $1.createdAt) }
            .first { $0.match.covers(priority: priority, typeID: typeID, shopID: shopID, customerTags: customerTags) }
            ?? policies.first(where: \.isDefault)
    }
}
