import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    /// Business calendars and SLA policies (admins edit, dispatchers read), and the clocks of an
    /// order.
    var slaRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/sla-calendars", roles: [.admin]) { [self] request, _, scope in
                try idempotent(request, scope) {
                    let input = try JSONCoding.decode(SLACalendarInputBody.self, from: request.body, allowedFields: SLACalendarInputBody.fields).checked()
                    let stored = try scope.sla.createCalendar(input)
                    return try .created(SLACalendarBody(stored), version: stored.version, location: "/v1/sla-calendars/\(stored.id.lowercasedText)")
                }
            },
            tenantRoute("GET", "/v1/sla-calendars", roles: [.admin, .dispatcher]) { _, _, scope in
                try .json(["items": try scope.sla.calendars().map(SLACalendarBody.init)])
            },
            tenantRoute("GET", "/v1/sla-calendars/{id}", roles: [.admin, .dispatcher]) { request, _, scope in
                let stored = try scope.sla.calendar(id: try Self.pathID(request, "SLA calendar"))
                return try .record(SLACalendarBody(stored), version: stored.version)
            },
            tenantRoute("PUT", "/v1/sla-calendars/{id}", roles: [.admin]) { request, _, scope in
                let id = try Self.pathID(request, "SLA calendar")
                let version = try Self.ifMatchVersion(request)
                let input = try JSONCoding.decode(SLACalendarInputBody.self, from: request.body, allowedFields: SLACalendarInputBody.fields).checked()
                let stored = try scope.sla.replaceCalendar(id: id, expectedVersion: version, input)
                return try .record(SLACalendarBody(stored), version: stored.version)
            },
            tenantRoute("DELETE", "/v1/sla-calendars/{id}", roles: [.admin]) { request, _, scope in
                try scope.sla.deleteCalendar(id: try Self.pathID(request, "SLA calendar"))
                return .noContent()
            },
            tenantRoute("POST", "/v1/sla-policies", roles: [.admin]) { [self] request, _, scope in
                try idempotent(request, scope) {
                    let input = try JSONCoding.decode(SLAPolicyInputBody.self, from: request.body, allowedFields: SLAPolicyInputBody.fields).checked()
                    let policy = try ChainSetup(scope: scope).createSLAPolicy(input)
                    return try .created(SLAPolicyBody(policy), version: policy.version, location: "/v1/sla-policies/\(policy.id.lowercasedText)")
                }
            },
            tenantRoute("GET", "/v1/sla-policies", roles: [.admin, .dispatcher]) { _, _, scope in
                try .json(["items": try scope.sla.policies().map(SLAPolicyBody.init)])
            },
            tenantRoute("GET", "/v1/sla-policies/{id}", roles: [.admin, .dispatcher]) { request, _, scope in
                let policy = try scope.sla.policy(id: try Self.pathID(request, "SLA policy"))
                return try .record(SLAPolicyBody(policy), version: policy.version)
            },
            tenantRoute("PUT", "/v1/sla-policies/{id}", roles: [.admin]) { request, _, scope in
                let id = try Self.pathID(request, "SLA policy")
                let version = try Self.ifMatchVersion(request)
                let input = try JSONCoding.decode(SLAPolicyInputBody.self, from: request.body, allowedFields: SLAPolicyInputBody.fields).checked()
                let policy = try ChainSetup(scope: scope).replaceSLAPolicy(id, expectedVersion: version, input)
                return try .record(SLAPolicyBody(policy), version: policy.version)
            },
            tenantRoute("DELETE", "/v1/sla-policies/{id}", roles: [.admin]) { request, _, scope in
                try scope.sla.deletePolicy(id: try Self.pathID(request, "SLA policy"))
                return .noContent()
            },
            tenantRoute("GET", "/v1/work-orders/{id}/sla", roles: Self.allRoles) { request, caller, scope in
                let order = try Self.readableOrder(request, caller, scope)
                let now = Date()
                return try .json(SLAClocksBody(items: try scope.slaClocks.clocks(workOrder: order.id).map { SLAClockBody($0, now: now) },
                                               pauses: try scope.slaClocks.pauses(workOrder: order.id).map(SLAPauseBody.init)))
            },
        ]
    }
}

/// Working hours as the API writes them: `{"from": "09:00", "to": "12:00"}`.
struct HoursBody: Codable {
    var from: String
    var to: String

    init(from: String, to: String) {
        self.from = from
        self.to = to
    }

    init(_ hours: BusinessCalendar.Hours) {
        from = String(format: "%02d:%02d", hours.start / 60, hours.start % 60)
        to = String(format: "%02d:%02d", hours.end / 60, hours.end % 60)
    }
}

struct SLACalendarInputBody: Decodable {
    var name: String
    var timezone: String
    var weekly: [String: [HoursBody]]
    var holidays: [String]?
    var makeUpDays: [String]?
    var makeUpHours: [HoursBody]?

    static let fields: Set<String> = ["name", "timezone", "weekly", "holidays", "make_up_days", "make_up_hours"]

    func checked() throws -> SLARepository.CalendarInput {
        var errors = TextRules.nameErrors(name, field: "name")
        let zone = TimeZone(identifier: timezone)
        if zone == nil { errors.append(FieldError(field: "timezone", message: "must be an IANA time zone such as Asia/Shanghai")) }
        func hours(_ list: [HoursBody], field: String) -> [BusinessCalendar.Hours] {
            list.enumerated().compactMap { index, item in
                guard let hours = BusinessCalendar.Hours(from: item.from, to: item.to) else {
                    errors.append(FieldError(field: "\(field)[\(index)]", message: "must run from an earlier to a later HH:MM time (24:00 ends the day)"))
                    return nil
                }
                return hours
            }
        }
        var week: [Int: [BusinessCalendar.Hours]] = [:]
        for (name, list) in weekly {
            guard let index = BusinessCalendar.weekdayNames.firstIndex(of: name) else {
                errors.append(FieldError(field: "weekly.\(name)", message: "is not a weekday; use monday … sunday"))
                continue
            }
            week[index + 1] = hours(list, field: "weekly.\(name)")
        }
        let makeUp = makeUpHours.map { hours($0, field: "make_up_hours") }
        func dates(_ list: [String]?, field: String) -> Set<LocalDate> {
            if (list?.count ?? 0) > 1000 { errors.append(FieldError(field: field, message: "may list at most 1000 dates")) }
            return Set((list ?? []).enumerated().compactMap { index, text in
                guard let date = LocalDate(text) else {
                    errors.append(FieldError(field: "\(field)[\(index)]", message: "must be a date such as 2026-10-01"))
                    return nil
                }
                return date
            })
        }
        let holidayDates = dates(holidays, field: "holidays")
        let makeUpDates = dates(makeUpDays, field: "make_up_days")
        errors += BusinessCalendar.errors(weekly: week, makeUpHours: makeUp ?? [])
        guard errors.isEmpty, let zone else { throw ValidationError(errors) }
        return SLARepository.CalendarInput(name: name.trimmingCharacters(in: .whitespacesAndNewlines),
                                           calendar: BusinessCalendar(timeZone: zone, weekly: week, holidays: holidayDates,
                                                                      makeUpDays: makeUpDates, makeUpHours: makeUp),
                                           ownMakeUpHours: makeUp != nil)
    }
}

struct SLACalendarBody: Encodable {
    var id: UUID
    var name: String
    var timezone: String
    var weekly: [String: [HoursBody]]
    var holidays: [String]
    var makeUpDays: [String]
    /// Null: make-up days work Monday's hours.
    var makeUpHours: [HoursBody]?
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    init(_ stored: SLARepository.StoredCalendar) {
        id = stored.id
        name = stored.name
        timezone = stored.calendar.timeZone.identifier
        weekly = Dictionary(uniqueKeysWithValues: stored.calendar.weekly.compactMap { day, hours in
            (1...7).contains(day) ? (BusinessCalendar.weekdayNames[day - 1], hours.map(HoursBody.init)) : nil
        })
        holidays = stored.calendar.holidays.sorted().map(\.description)
        makeUpDays = stored.calendar.makeUpDays.sorted().map(\.description)
        makeUpHours = stored.hasOwnMakeUpHours ? stored.calendar.makeUpHours.map(HoursBody.init) : nil
        createdAt = stored.createdAt
        updatedAt = stored.updatedAt
        version = stored.version
    }
}

struct SLAGoalBody: Codable {
    var minutes: Int
    /// Business time on the policy's calendar (the default), or calendar time.
    var businessTime: Bool?
}

struct SLAMatchBody: Codable {
    var priorities: [WorkOrder.Priority]?
    var typeId: UUID?
    var shopId: UUID?
    var customerTag: String?
}

struct SLAPolicyInputBody: Decodable {
    var name: String
    var position: Int?
    var isDefault: Bool?
    var match: SLAMatchBody?
    var calendarId: UUID?
    var firstResponse: SLAGoalBody?
    var arrival: SLAGoalBody?
    var resolution: SLAGoalBody?
    var warnAt: [Double]?
    var pausedStatuses: [WorkOrderStatus]?
    var escalation: [EscalationBody]?

    static let fields: Set<String> = ["name", "position", "is_default", "match", "calendar_id", "first_response", "arrival", "resolution",
                                      "warn_at", "paused_statuses", "escalation"]

    func checked() throws -> SLARepository.PolicyInput {
        let goal = { (body: SLAGoalBody?) in body.map { SLARules.Goal(minutes: $0.minutes, businessTime: $0.businessTime ?? true) } }
        let defaults = SLARules()
        let levels = (escalation ?? []).map {
            SLARules.Escalation(on: $0.on, channels: $0.channels, mentionAssignee: $0.mentionAssignee ?? false, afterMinutes: $0.afterMinutes ?? 0)
        }
        let rules = SLARules(firstResponse: goal(firstResponse), arrival: goal(arrival), resolution: goal(resolution),
                             warnAt: warnAt ?? defaults.warnAt, pausedStatuses: pausedStatuses ?? defaults.pausedStatuses, escalation: levels)
        var errors = TextRules.nameErrors(name, field: "name") + rules.errors
        let position = position ?? 100
        if !(0...10_000).contains(position) { errors.append(FieldError(field: "position", message: "must be 0 to 10000")) }
        let isDefault = isDefault ?? false
        let match = SLAPolicy.Match(priorities: match?.priorities, typeID: match?.typeId, shopID: match?.shopId,
                                    customerTag: match?.customerTag)
        if isDefault && match != SLAPolicy.Match() {
            errors.append(FieldError(field: "match", message: "must be empty for the default policy, which covers every order no other matches"))
        }
        if let tag = match.customerTag { errors += TextRules.lengthErrors(tag, field: "match.customer_tag", limit: 50) }
        if match.priorities?.isEmpty == true { errors.append(FieldError(field: "match.priorities", message: "must list a priority, or be left out")) }
        guard errors.isEmpty else { throw ValidationError(errors) }
        return SLARepository.PolicyInput(name: name.trimmingCharacters(in: .whitespacesAndNewlines), position: position, isDefault: isDefault,
                                         match: match, calendarID: calendarId, rules: rules)
    }
}

/// One escalation level: on warnings or on the breach, these channels, and the engineer too.
struct EscalationBody: Codable {
    var on: SLARules.Escalation.Trigger
    var channels: [UUID]
    var mentionAssignee: Bool?
    /// Breach levels only: minutes after the due time.
    var afterMinutes: Int?
}

struct SLAPolicyBody: Encodable {
    var id: UUID
    var name: String
    var position: Int
    var isDefault: Bool
    var match: SLAMatchBody
    var calendarId: UUID?
    var firstResponse: SLAGoalBody?
    var arrival: SLAGoalBody?
    var resolution: SLAGoalBody?
    var warnAt: [Double]
    var pausedStatuses: [WorkOrderStatus]
    var escalation: [EscalationBody]
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    init(_ policy: SLAPolicy) {
        id = policy.id
        name = policy.name
        position = policy.position
        isDefault = policy.isDefault
        match = SLAMatchBody(priorities: policy.match.priorities, typeId: policy.match.typeID, shopId: policy.match.shopID,
                             customerTag: policy.match.customerTag)
        calendarId = policy.calendarID
        let goal = { (goal: SLARules.Goal?) in goal.map { SLAGoalBody(minutes: $0.minutes, businessTime: $0.businessTime) } }
        firstResponse = goal(policy.rules.firstResponse)
        arrival = goal(policy.rules.arrival)
        resolution = goal(policy.rules.resolution)
        warnAt = policy.rules.warnAt
        pausedStatuses = policy.rules.pausedStatuses
        escalation = policy.rules.escalation.map {
            EscalationBody(on: $0.on, channels: $0.channels, mentionAssignee: $0.mentionAssignee, afterMinutes: $0.afterMinutes)
        }
        createdAt = policy.createdAt
        updatedAt = policy.updatedAt
        version = policy.version
    }
}

struct SLAClockBody: Encodable {
    var target: String
    var policyId: UUID
    var state: String
    var startedAt: Date
    var dueAt: Date?
    var originalDueAt: Date?
    var warnings: [Date]
    var warningsSent: Int
    var metAt: Date?
    var breachedAt: Date?
    /// Wall-clock minutes to the due time, whole minutes toward zero (negative once a whole minute
    /// overdue); null once met, stopped or paused.
    var minutesLeft: Int?

    init(_ clock: SLAClockRepository.Clock, now: Date) {
        target = clock.target.rawValue
        policyId = clock.policyID
        state = clock.state.rawValue
        startedAt = clock.startedAt
        dueAt = clock.dueAt
        originalDueAt = clock.originalDueAt
        warnings = clock.warnings
        warningsSent = clock.warningsSent
        metAt = clock.metAt
        breachedAt = clock.breachedAt
        minutesLeft = clock.metAt == nil && (clock.state == .running || clock.state == .breached)
            ? clock.dueAt.map { MinutesLeft.until($0, from: now) } : nil
    }
}

struct SLAPauseBody: Encodable {
    var startedAt: Date
    var endedAt: Date?
    var status: String

    init(_ pause: SLAClockRepository.Pause) {
        startedAt = pause.startedAt
        endedAt = pause.endedAt
        status = pause.status
    }
}

struct SLAClocksBody: Encodable {
    var items: [SLAClockBody]
    var pauses: [SLAPauseBody]
}
