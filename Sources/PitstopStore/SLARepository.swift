import Foundation
import PitstopCore
import Postgres

/// The scope tenant's SLA calendars and policies. Clocks are in `SLAClockRepository`.
public struct SLARepository {
    let transaction: Transaction
    let tenantID: UUID

    /// A calendar as stored: the working week and the tenant's name for it.
    public struct StoredCalendar: Sendable, Equatable {
        public var id: UUID
        public var name: String
        public var calendar: BusinessCalendar
        /// Whether make-up days have hours of their own (otherwise Monday's).
        public var hasOwnMakeUpHours: Bool
        public var createdAt: Date
        public var updatedAt: Date
        public var version: Int
    }

    public struct CalendarInput: Sendable {
        public var name: String
        public var calendar: BusinessCalendar
        public var ownMakeUpHours: Bool

        public init(name: String, calendar: BusinessCalendar, ownMakeUpHours: Bool) {
            self.name = name
            self.calendar = calendar
            self.ownMakeUpHours = ownMakeUpHours
        }
    }

    static let calendarColumns = """
        id, name, timezone, weekly, holidays::text[] AS holidays, make_up_days::text[] AS make_up_days, make_up_hours,
        created_at, updated_at, version
        """

    public func createCalendar(_ input: CalendarInput) throws -> StoredCalendar {
        try Self.decodeCalendar(transaction.query("""
            INSERT INTO sla_calendars (tenant_id, id, name, timezone, weekly, holidays, make_up_days, make_up_hours)
            VALUES (\(tenantID), \(UUID()), \(input.name), \(input.calendar.timeZone.identifier), \(JSONB(Self.weekly(input.calendar)))::jsonb,
                    \(input.calendar.holidays.sorted().map(\.description))::date[], \(input.calendar.makeUpDays.sorted().map(\.description))::date[],
                    \(input.ownMakeUpHours ? JSONB(Self.pairs(input.calendar.makeUpHours)) : nil)::jsonb)
            RETURNING \(unsafeRaw: Self.calendarColumns)
            """)[0])
    }

    public func calendar(id: UUID) throws -> StoredCalendar {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.calendarColumns) FROM sla_calendars WHERE tenant_id = \(tenantID) AND id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("SLA calendar") }
        return try Self.decodeCalendar(row)
    }

    public func calendars() throws -> [StoredCalendar] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.calendarColumns) FROM sla_calendars WHERE tenant_id = \(tenantID) ORDER BY created_at, id LIMIT 1000
            """).rows.map(Self.decodeCalendar)
    }

    /// Replaces a calendar. Clocks already running keep their due times until their order next
    /// changes (a status, a priority); new clocks use the new calendar at once.
    public func replaceCalendar(id: UUID, expectedVersion: Int, _ input: CalendarInput) throws -> StoredCalendar {
        let rows = try transaction.query("""
            UPDATE sla_calendars SET name = \(input.name), timezone = \(input.calendar.timeZone.identifier),
                weekly = \(JSONB(Self.weekly(input.calendar)))::jsonb,
                holidays = \(input.calendar.holidays.sorted().map(\.description))::date[],
                make_up_days = \(input.calendar.makeUpDays.sorted().map(\.description))::date[],
                make_up_hours = \(input.ownMakeUpHours ? JSONB(Self.pairs(input.calendar.makeUpHours)) : nil)::jsonb,
                updated_at = now(), version = version + 1
            WHERE tenant_id = \(tenantID) AND id = \(id) AND version = \(expectedVersion)
            RETURNING \(unsafeRaw: Self.calendarColumns)
            """)
        if let row = rows.first { return try Self.decodeCalendar(row) }
        throw try RecordVersion.failure(transaction, table: "sla_calendars", tenantID: tenantID, id: id, what: "SLA calendar")
    }

    public func deleteCalendar(id: UUID) throws {
        do {
            guard try transaction.execute("DELETE FROM sla_calendars WHERE tenant_id = \(tenantID) AND id = \(id)") == 1 else {
                throw StoreError.notFound("SLA calendar")
            }
        } catch let error as PostgresError where error.sqlState == .foreignKeyViolation {
            throw StoreError.conflict("a policy uses this calendar; point the policy at another calendar first")
        }
    }

    static func weekly(_ calendar: BusinessCalendar) -> [String: [[Int]]] {
        Dictionary(uniqueKeysWithValues: calendar.weekly.map { (String($0.key), pairs($0.value)) })
    }

    static func pairs(_ hours: [BusinessCalendar.Hours]) -> [[Int]] {
        hours.map { [$0.start, $0.end] }
    }

    static func hours(_ pairs: [[Int]]) -> [BusinessCalendar.Hours] {
        pairs.compactMap { $0.count == 2 ? BusinessCalendar.Hours(start: $0[0], end: $0[1]) : nil }
    }

    static func decodeCalendar(_ row: Row) throws -> StoredCalendar {
        let zoneName: String = try row.decode("timezone")
        guard let zone = TimeZone(identifier: zoneName) else {
            throw PostgresError(kind: .decoding, message: "sla_calendars.timezone holds unknown zone \(zoneName)")
        }
        let weekly: [String: [[Int]]] = try row.decodeJSON("weekly")
        let makeUp: [[Int]]? = try row.decodeJSONIfPresent("make_up_hours")
        let days = { (column: String) throws -> Set<LocalDate> in Set(try row.decode(column, as: [String].self).compactMap(LocalDate.init)) }
        let calendar = BusinessCalendar(timeZone: zone, weekly: Dictionary(uniqueKeysWithValues: weekly.compactMap { key, value in
                                            Int(key).map { ($0, hours(value)) }
                                        }),
                                        holidays: try days("holidays"), makeUpDays: try days("make_up_days"), makeUpHours: makeUp.map(hours))
        return StoredCalendar(id: try row.decode("id"), name: try row.decode("name"), calendar: calendar, hasOwnMakeUpHours: makeUp != nil,
                              createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"), version: try row.decode("version"))
    }

    // MARK: policies

    public struct PolicyInput: Sendable {
        public var name: String
        public var position: Int
        public var isDefault: Bool
        public var match: SLAPolicy.Match
        public var calendarID: UUID?
        public var rules: SLARules

        public init(name: String, position: Int, isDefault: Bool, match: SLAPolicy.Match, calendarID: UUID?, rules: SLARules) {
            self.name = name
            self.position = position
            self.isDefault = isDefault
            self.match = match
            self.calendarID = calendarID
            self.rules = rules
        }
    }

    static let policyColumns = """
        id, name, position, is_default, match_priorities, match_type_id, match_shop_id, match_customer_tag, calendar_id, rules,
        created_at, updated_at, version
        """

    public func createPolicy(_ input: PolicyInput) throws -> SLAPolicy {
        try Self.mappingPolicyErrors {
            try Self.decodePolicy(transaction.query("""
                INSERT INTO sla_policies (tenant_id, id, name, position, is_default, match_priorities, match_type_id, match_shop_id,
                                          match_customer_tag, calendar_id, rules)
                VALUES (\(tenantID), \(UUID()), \(input.name), \(input.position), \(input.isDefault),
                        \(input.match.priorities?.map(\.rawValue))::text[], \(input.match.typeID), \(input.match.shopID),
                        \(input.match.customerTag), \(input.calendarID), \(JSONB(input.rules))::jsonb)
                RETURNING \(unsafeRaw: Self.policyColumns)
                """)[0])
        }
    }

    public func policy(id: UUID) throws -> SLAPolicy {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.policyColumns) FROM sla_policies WHERE tenant_id = \(tenantID) AND id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("SLA policy") }
        return try Self.decodePolicy(row)
    }

    /// Every policy in the order they are tried; the default last.
    public func policies() throws -> [SLAPolicy] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.policyColumns) FROM sla_policies WHERE tenant_id = \(tenantID)
            ORDER BY is_default, position, created_at, id LIMIT 1000
            """).rows.map(Self.decodePolicy)
    }

    /// Replaces a policy. Orders keep the clocks they have until they next change.
    public func replacePolicy(id: UUID, expectedVersion: Int, _ input: PolicyInput) throws -> SLAPolicy {
        let rows = try Self.mappingPolicyErrors {
            try transaction.query("""
                UPDATE sla_policies SET name = \(input.name), position = \(input.position), is_default = \(input.isDefault),
                    match_priorities = \(input.match.priorities?.map(\.rawValue))::text[], match_type_id = \(input.match.typeID),
                    match_shop_id = \(input.match.shopID), match_customer_tag = \(input.match.customerTag), calendar_id = \(input.calendarID),
                    rules = \(JSONB(input.rules))::jsonb, updated_at = now(), version = version + 1
                WHERE tenant_id = \(tenantID) AND id = \(id) AND version = \(expectedVersion)
                RETURNING \(unsafeRaw: Self.policyColumns)
                """)
        }
        if let row = rows.first { return try Self.decodePolicy(row) }
        throw try RecordVersion.failure(transaction, table: "sla_policies", tenantID: tenantID, id: id, what: "SLA policy")
    }

    public func deletePolicy(id: UUID) throws {
        do {
            guard try transaction.execute("DELETE FROM sla_policies WHERE tenant_id = \(tenantID) AND id = \(id)") == 1 else {
                throw StoreError.notFound("SLA policy")
            }
        } catch let error as PostgresError where error.sqlState == .foreignKeyViolation {
            throw StoreError.conflict("orders have clocks under this policy; change its rules instead of removing it")
        }
    }

    static func mappingPolicyErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try ReferenceErrors.naming(["sla_policies_tenant_id_calendar_id_fkey": "calendar_id",
                                               "sla_policies_tenant_id_match_type_id_fkey": "match.type_id",
                                               "sla_policies_tenant_id_match_shop_id_fkey": "match.shop_id"], body)
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            throw StoreError.duplicate(field: "is_default", message: "another policy is the default already; change that one instead")
        }
    }

    static func decodePolicy(_ row: Row) throws -> SLAPolicy {
        let priorities: [String]? = try row.decode("match_priorities")
        return SLAPolicy(id: try row.decode("id"), name: try row.decode("name"), position: try row.decode("position"),
                         isDefault: try row.decode("is_default"),
                         match: SLAPolicy.Match(priorities: priorities?.compactMap(WorkOrder.Priority.init(rawValue:)),
                                                typeID: try row.decode("match_type_id"), shopID: try row.decode("match_shop_id"),
                                                customerTag: try row.decode("match_customer_tag")),
                         calendarID: try row.decode("calendar_id"), rules: try row.decodeJSON("rules"),
                         createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"), version: try row.decode("version"))
    }
}
