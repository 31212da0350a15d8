import Foundation

/// What an SLA policy promises: a time for each target, in business or calendar time, when to
/// warn before it breaks, and which statuses stop the resolution clock. Plain data the tenant
/// edits, stored as JSON.
public struct SLARules: Sendable, Equatable, Codable {
    /// The promises a clock can track.
    public enum Target: String, Sendable, Codable, CaseIterable, Comparable {
        /// Accepted by an engineer.
        case firstResponse = "first_response"
        /// The engineer checked in on site (on-site jobs only).
        case arrival
        /// The order completed.
        case resolution

        public static func < (a: Target, b: Target) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public struct Goal: Sendable, Equatable, Codable {
        public var minutes: Int
        /// Counted on the policy's business calendar; otherwise every minute counts.
        public var businessTime: Bool

        public init(minutes: Int, businessTime: Bool = true) {
            self.minutes = minutes
            self.businessTime = businessTime
        }
    }

    /// Who hears about a warning or a breach, and through which channels. Levels stop with the
    /// clock: a met target sends nothing more.
    public struct Escalation: Sendable, Equatable, Codable {
        public enum Trigger: String, Sendable, Codable, CaseIterable {
            case warning
            case breach
        }

        public var on: Trigger
        public var channels: [UUID]
        /// @-mention (robots) or text (SMS) the order's engineer too.
        public var mentionAssignee: Bool
        /// For breach levels: minutes after the due time (0: at the breach). A level the clock is
        /// met before is never sent.
        public var afterMinutes: Int

        public init(on: Trigger, channels: [UUID], mentionAssignee: Bool = false, afterMinutes: Int = 0) {
            self.on = on
            self.channels = channels
            self.mentionAssignee = mentionAssignee
            self.afterMinutes = afterMinutes
        }

        enum CodingKeys: String, CodingKey {
            case on, channels, mentionAssignee, afterMinutes
        }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            on = try container.decode(Trigger.self, forKey: .on)
            channels = try container.decode([UUID].self, forKey: .channels)
            mentionAssignee = try container.decodeIfPresent(Bool.self, forKey: .mentionAssignee) ?? false
            afterMinutes = try container.decodeIfPresent(Int.self, forKey: .afterMinutes) ?? 0
        }
    }

    /// The breach levels in the order they go out (by delay, then as listed).
    public var breachLevels: [Escalation] {
        escalation.enumerated().filter { $0.element.on == .breach }
            .sorted { ($0.element.afterMinutes, $0.offset) < ($1.element.afterMinutes, $1.offset) }.map(\.element)
    }

    public var firstResponse: Goal?
    public var arrival: Goal?
    public var resolution: Goal?
    /// Fractions of a target at which to warn, before the breach itself.
    public var warnAt: [Double]
    /// Statuses in which the resolution clock stands still (waiting for parts, for the customer).
    public var pausedStatuses: [WorkOrderStatus]
    public var escalation: [Escalation]

    public init(firstResponse: Goal? = nil, arrival: Goal? = nil, resolution: Goal? = nil, warnAt: [Double] = [0.5, 0.75, 0.9],
                pausedStatuses: [WorkOrderStatus] = [.awaitingParts], escalation: [Escalation] = []) {
        self.firstResponse = firstResponse
        self.arrival = arrival
        self.resolution = resolution
        self.warnAt = warnAt
        self.pausedStatuses = pausedStatuses
        self.escalation = escalation
    }

    enum CodingKeys: String, CodingKey {
        case firstResponse, arrival, resolution, warnAt, pausedStatuses, escalation
    }

    /// Fields left out take their defaults, so a client may send only what it changes.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SLARules()
        firstResponse = try container.decodeIfPresent(Goal.self, forKey: .firstResponse)
        arrival = try container.decodeIfPresent(Goal.self, forKey: .arrival)
        resolution = try container.decodeIfPresent(Goal.self, forKey: .resolution)
        warnAt = try container.decodeIfPresent([Double].self, forKey: .warnAt) ?? defaults.warnAt
        pausedStatuses = try container.decodeIfPresent([WorkOrderStatus].self, forKey: .pausedStatuses) ?? defaults.pausedStatuses
        escalation = try container.decodeIfPresent([Escalation].self, forKey: .escalation) ?? []
    }

    public func goal(_ target: Target) -> Goal? {
        switch target {
        case .firstResponse: firstResponse
        case .arrival: arrival
        case .resolution: resolution
        }
    }

    /// Every problem, by field, for the API.
    public var errors: [FieldError] {
        var errors: [FieldError] = []
        for target in Target.allCases {
            if let goal = goal(target), !(1...525_600).contains(goal.minutes) {
                errors.append(FieldError(field: "\(target.rawValue).minutes", message: "must be 1 to 525600 (a year)"))
            }
        }
        if firstResponse == nil && arrival == nil && resolution == nil {
            errors.append(FieldError(field: "resolution", message: "or another target must be set; a policy promises something"))
        }
        if warnAt.count > 5 || warnAt.contains(where: { !($0 > 0 && $0 < 1) }) || warnAt != warnAt.sorted() || Set(warnAt).count != warnAt.count {
            errors.append(FieldError(field: "warn_at", message: "must list up to 5 increasing fractions between 0 and 1"))
        }
        if escalation.count > 5 { errors.append(FieldError(field: "escalation", message: "may have at most 5 levels")) }
        for (index, level) in escalation.enumerated() {
            if level.channels.isEmpty || level.channels.count > 5 {
                errors.append(FieldError(field: "escalation[\(index)].channels", message: "must list 1 to 5 channels"))
            }
            if level.on == .warning ? level.afterMinutes != 0 : !(0...10_080).contains(level.afterMinutes) {
                errors.append(FieldError(field: "escalation[\(index)].after_minutes",
                                         message: "is for breach levels only: 0 to 10080 minutes after the due time"))
            }
        }
        let closed: Set<WorkOrderStatus> = [.completed, .cancelled]
        if pausedStatuses.contains(where: closed.contains) {
            errors.append(FieldError(field: "paused_statuses", message: "may not include completed or cancelled"))
        }
        return errors
    }
}
