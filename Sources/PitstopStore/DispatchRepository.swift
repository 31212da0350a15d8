import Foundation
import PitstopCore
import Postgres

/// The scope tenant's dispatch policies, the facts dispatch ranks engineers on, and the record
/// of every assignment.
public struct DispatchRepository {
    let transaction: Transaction
    let tenantID: UUID

    static let policyColumns = "id, shop_id, type_id, rules, created_at, updated_at, version"

    // MARK: policies

    public func createPolicy(shopID: UUID?, typeID: UUID?, rules: DispatchPolicy) throws -> ScopedDispatchPolicy {
        try Self.mappingPolicyErrors {
            try Self.decodePolicy(transaction.query("""
                INSERT INTO dispatch_policies (tenant_id, id, shop_id, type_id, rules)
                VALUES (\(tenantID), \(UUID()), \(shopID), \(typeID), \(JSONB(rules))::jsonb)
                RETURNING \(unsafeRaw: Self.policyColumns)
                """)[0])
        }
    }

    public func policy(id: UUID) throws -> ScopedDispatchPolicy {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.policyColumns) FROM dispatch_policies WHERE tenant_id = \(tenantID) AND id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("dispatch policy") }
        return try Self.decodePolicy(row)
    }

    /// Every policy: the tenant's default first, then shop-wide, type-wide and shop-and-type ones.
    public func policies() throws -> [ScopedDispatchPolicy] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.policyColumns) FROM dispatch_policies WHERE tenant_id = \(tenantID)
            ORDER BY (shop_id IS NOT NULL), (type_id IS NOT NULL), created_at, id
            LIMIT 1000
            """).rows.map(Self.decodePolicy)
    }

    public func replacePolicy(id: UUID, expectedVersion: Int, rules: DispatchPolicy) throws -> ScopedDispatchPolicy {
        let rows = try transaction.query("""
            UPDATE dispatch_policies SET rules = \(JSONB(rules))::jsonb, updated_at = now(), version = version + 1
            WHERE tenant_id = \(tenantID) AND id = \(id) AND version = \(expectedVersion)
            RETURNING \(unsafeRaw: Self.policyColumns)
            """)
        if let row = rows.first { return try Self.decodePolicy(row) }
        throw try RecordVersion.failure(transaction, table: "dispatch_policies", tenantID: tenantID, id: id, what: "dispatch policy")
    }

    public func deletePolicy(id: UUID) throws {
        guard try transaction.execute("DELETE FROM dispatch_policies WHERE tenant_id = \(tenantID) AND id = \(id)") == 1 else {
            throw StoreError.notFound("dispatch policy")
        }
    }

    /// The rules for an order at `shopID` of `typeID`: the most specific policy (shop and type,
    /// then type, then shop, then the tenant's default), else the built-in defaults.
    public func rules(shopID: UUID?, typeID: UUID) throws -> (rules: DispatchPolicy, policyID: UUID?) {
        let rows = try transaction.query("""
            SELECT \(unsafeRaw: Self.policyColumns) FROM dispatch_policies
            WHERE tenant_id = \(tenantID) AND (shop_id IS NULL OR shop_id = \(shopID)::uuid) AND (type_id IS NULL OR type_id = \(typeID))
            ORDER BY (type_id IS NOT NULL) DESC, (shop_id IS NOT NULL) DESC
            LIMIT 1
            """)
        guard let row = rows.first else { return (DispatchPolicy(), nil) }
        let policy = try Self.decodePolicy(row)
        return (policy.rules, policy.id)
    }

    // MARK: facts

    /// Where the order's work happens (its site, else its shop at `shopLocation`) and who last
    /// repaired its vehicle.
    public func job(for order: WorkOrder, shopLocation: GeoPoint?) throws -> DispatchJob {
        let place = order.site.map { GeoPoint(latitude: $0.latitude, longitude: $0.longitude) } ?? shopLocation
        var lastRepairer: UUID?
        if let vehicle = order.vehicleID {
            lastRepairer = try transaction.query("""
                SELECT assignee_id FROM work_orders
                WHERE tenant_id = \(tenantID) AND vehicle_id = \(vehicle) AND id <> \(order.id) AND status = 'completed'
                  AND assignee_id IS NOT NULL
                ORDER BY completed_at DESC
                LIMIT 1
                """).first?.decode("assignee_id")
        }
        return DispatchJob(shopID: order.shopID, place: place, lastRepairer: lastRepairer)
    }

    /// The engineers worth ranking for `job`, with their load and today's assignments. The
    /// database makes a first cut (active, on duty, in the job's shop or inside the radius's
    /// bounding box); the ranking applies every rule exactly. Four set-wise reads rather than
    /// subqueries per engineer, so the cost grows with the engineers near the job, not with
    /// probes per engineer.
    public func candidates(for job: DispatchJob, rules: DispatchPolicy, todayStarts: Date) throws -> [DispatchCandidate] {
        // A degree of latitude is about 111.32 km everywhere; one of longitude shrinks with cos(latitude).
        let latitudeSpan = rules.radiusKm / 111.32
        let longitudeSpan = job.place.map { rules.radiusKm / (111.32 * max(0.01, cos($0.latitude * .pi / 180))) } ?? 0
        let engineers = try transaction.query("""
            SELECT e.id, e.status, e.latitude, e.longitude, e.located_at, (m.engineer_id IS NOT NULL) AS in_shop
            FROM engineers e
            LEFT JOIN engineer_shops m ON m.tenant_id = e.tenant_id AND m.engineer_id = e.id AND m.shop_id = \(job.shopID)::uuid
            WHERE e.tenant_id = \(tenantID) AND e.active AND e.status IN ('available', 'busy')
              AND ((\(job.shopID)::uuid IS NULL AND \(job.place?.latitude)::float8 IS NULL)
                   OR m.engineer_id IS NOT NULL
                   OR (e.latitude BETWEEN \(job.place.map { $0.latitude - latitudeSpan })::float8
                                      AND \(job.place.map { $0.latitude + latitudeSpan })::float8
                       AND e.longitude BETWEEN \(job.place.map { $0.longitude - longitudeSpan })::float8
                                           AND \(job.place.map { $0.longitude + longitudeSpan })::float8))
            """)
        // The rest is read for the engineers found only (their number, not the tenant's, sets the
        // cost), in one round trip.
        // Formatted once as the server's array text, sent three times.
        let ids = try engineers.rows.map { try $0.decode(0, as: UUID.self) }.postgresText
        let facts = try transaction.queries([
            """
            SELECT engineer_id, skill, level FROM engineer_skills
            WHERE tenant_id = \(tenantID) AND engineer_id = ANY (\(ids)::uuid[])
              AND skill = ANY (\(rules.requiredSkills.keys.sorted())::text[])
            """,
            """
            SELECT assignee_id, count(*)::int FROM work_orders
            WHERE tenant_id = \(tenantID) AND assignee_id = ANY (\(ids)::uuid[]) AND status NOT IN ('completed', 'cancelled')
              AND status <> ALL (\(rules.pausedStatuses.map(\.rawValue))::text[])
            GROUP BY assignee_id
            """,
            """
            SELECT engineer_id, count(*)::int FROM dispatch_assignments
            WHERE tenant_id = \(tenantID) AND engineer_id = ANY (\(ids)::uuid[]) AND assigned_at >= \(todayStarts)::timestamptz
            GROUP BY engineer_id
            """,
        ])
        var skills: [UUID: [String: Int]] = [:]
        for row in facts[0].rows {
            skills[try row.decode(0), default: [:]][try row.decode(1)] = try row.decode(2)
        }
        let countsByEngineer = { (result: QueryResult) throws -> [UUID: Int] in
            try Dictionary(uniqueKeysWithValues: result.rows.map { (try $0.decode(0), try $0.decode(1)) })
        }
        let open = try countsByEngineer(facts[1])
        let today = try countsByEngineer(facts[2])
        return try engineers.rows.map { row in
            let id: UUID = try row.decode(0)
            let statusText: String = try row.decode(1)
            guard let status = Engineer.Status(rawValue: statusText) else {
                throw PostgresError(kind: .decoding, message: "engineers.status holds unknown status \(statusText)")
            }
            let latitude: Double? = try row.decode(2)
            let longitude: Double? = try row.decode(3)
            return DispatchCandidate(engineerID: id, active: true, status: status,
                                     location: latitude.flatMap { lat in longitude.map { GeoPoint(latitude: lat, longitude: $0) } },
                                     locatedAt: try row.decode(4), inShop: try row.decode(5), skills: skills[id] ?? [:], openOrders: open[id] ?? 0,
                                     assignedToday: today[id] ?? 0)
        }
    }

    /// What dispatch knows of one engineer for `job`: to check a claim or show the pool.
    public func candidate(engineer: UUID, for job: DispatchJob, rules: DispatchPolicy, todayStarts: Date) throws -> DispatchCandidate {
        let rows = try transaction.query("""
            SELECT e.id, e.active, e.status, e.latitude, e.longitude, e.located_at,
                   EXISTS (SELECT 1 FROM engineer_shops m WHERE m.tenant_id = e.tenant_id AND m.engineer_id = e.id
                                                           AND m.shop_id = \(job.shopID)::uuid) AS in_shop,
                   ARRAY(SELECT s.skill FROM engineer_skills s WHERE s.tenant_id = e.tenant_id AND s.engineer_id = e.id ORDER BY s.skill) AS names,
                   ARRAY(SELECT s.level FROM engineer_skills s WHERE s.tenant_id = e.tenant_id AND s.engineer_id = e.id ORDER BY s.skill) AS levels,
                   (SELECT count(*)::int FROM work_orders o
                    WHERE o.tenant_id = e.tenant_id AND o.assignee_id = e.id AND o.status NOT IN ('completed', 'cancelled')
                      AND o.status <> ALL (\(rules.pausedStatuses.map(\.rawValue))::text[])) AS open_orders,
                   (SELECT count(*)::int FROM dispatch_assignments a
                    WHERE a.tenant_id = e.tenant_id AND a.engineer_id = e.id AND a.assigned_at >= \(todayStarts)::timestamptz) AS today
            FROM engineers e WHERE e.tenant_id = \(tenantID) AND e.id = \(engineer)
            """)
        guard let row = rows.first else { throw StoreError.notFound("engineer") }
        let statusText: String = try row.decode("status")
        guard let status = Engineer.Status(rawValue: statusText) else {
            throw PostgresError(kind: .decoding, message: "engineers.status holds unknown status \(statusText)")
        }
        let latitude: Double? = try row.decode("latitude")
        let longitude: Double? = try row.decode("longitude")
        let names: [String] = try row.decode("names")
        let levels: [Int] = try row.decode("levels")
        return DispatchCandidate(engineerID: engineer, active: try row.decode("active"), status: status,
                                 location: latitude.flatMap { lat in longitude.map { GeoPoint(latitude: lat, longitude: $0) } },
                                 locatedAt: try row.decode("located_at"), inShop: try row.decode("in_shop"), skills: Dictionary(uniqueKeysWithValues: zip(names, levels)),
                                 openOrders: try row.decode("open_orders"), assignedToday: try row.decode("today"))
    }

    /// Names of the engineers, for the few a ranking shows.
    public func names(of engineers: [UUID]) throws -> [UUID: String] {
        guard !engineers.isEmpty else { return [:] }
        return try Dictionary(uniqueKeysWithValues: transaction.query("""
            SELECT id, name FROM engineers WHERE tenant_id = \(tenantID) AND id = ANY (\(engineers)::uuid[])
            """).rows.map { (try $0.decode(0), try $0.decode(1)) })
    }

    // MARK: assignments

    @discardableResult
    public func record(_ assignment: DispatchAssignment) throws -> DispatchAssignment {
        try transaction.execute("""
            INSERT INTO dispatch_assignments (tenant_id, id, work_order_id, engineer_id, mode, actor_key_id, reason, assigned_at,
                                              rules, considered, excluded, candidates)
            VALUES (\(tenantID), \(assignment.id), \(assignment.workOrderID), \(assignment.engineerID), \(assignment.mode.rawValue),
                    \(assignment.actorKeyID), \(assignment.reason), \(assignment.assignedAt), \(assignment.rules.map { JSONB($0) })::jsonb,
                    \(assignment.considered), \(JSONB(assignment.excluded))::jsonb, \(JSONB(assignment.candidates))::jsonb)
            """)
        return assignment
    }

    /// Every assignment of the order, newest first.
    /// Which of `orders` were ever given to `engineer` (offered, assigned, claimed, transferred).
    public func everAssigned(_ orders: [UUID], to engineer: UUID) throws -> Set<UUID> {
        guard !orders.isEmpty else { return [] }
        return Set(try transaction.query("""
            SELECT DISTINCT work_order_id FROM dispatch_assignments
            WHERE tenant_id = \(tenantID) AND engineer_id = \(engineer) AND work_order_id = ANY (\(orders)::uuid[])
            """).rows.map { try $0.decode(0, as: UUID.self) })
    }

    public func assignments(workOrder: UUID) throws -> [DispatchAssignment] {
        try transaction.query("""
            SELECT id, work_order_id, engineer_id, mode, actor_key_id, reason, assigned_at, rules, considered, excluded, candidates
            FROM dispatch_assignments
            WHERE tenant_id = \(tenantID) AND work_order_id = \(workOrder)
            ORDER BY assigned_at DESC, id DESC
            LIMIT 100
            """).rows.map { row in
            let modeText: String = try row.decode("mode")
            guard let mode = DispatchAssignment.Mode(rawValue: modeText) else {
                throw PostgresError(kind: .decoding, message: "dispatch_assignments.mode holds unknown mode \(modeText)")
            }
            return DispatchAssignment(id: try row.decode("id"), workOrderID: try row.decode("work_order_id"),
                                      engineerID: try row.decode("engineer_id"), mode: mode, actorKeyID: try row.decode("actor_key_id"),
                                      reason: try row.decode("reason"), assignedAt: try row.decode("assigned_at"),
                                      rules: try row.decodeJSONIfPresent("rules"), considered: try row.decode("considered"),
                                      excluded: try row.decodeJSON("excluded"), candidates: try row.decodeJSON("candidates"))
        }
    }

    // MARK: offers

    static let offerColumns = "id, work_order_id, engineer_id, round, offered_at, expires_at, state, answered_at, decline_reason, notified_at"

    public func createOffer(workOrder: UUID, engineer: UUID, round: Int, at now: Date, expiresAt: Date) throws -> DispatchOffer {
        try Self.decodeOffer(transaction.query("""
            INSERT INTO dispatch_offers (tenant_id, id, work_order_id, engineer_id, round, offered_at, expires_at)
            VALUES (\(tenantID), \(UUID()), \(workOrder), \(engineer), \(round), \(now), \(expiresAt))
            RETURNING \(unsafeRaw: Self.offerColumns)
            """)[0])
    }

    /// The order's open offer, if it has one; locked for an answer unless `forUpdate` is false
    /// (reads, which run in read-only transactions).
    public func pendingOffer(workOrder: UUID, forUpdate: Bool = true) throws -> DispatchOffer? {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.offerColumns) FROM dispatch_offers
            WHERE tenant_id = \(tenantID) AND work_order_id = \(workOrder) AND state = 'pending'
            \(unsafeRaw: forUpdate ? "FOR UPDATE" : "")
            """).first.map(Self.decodeOffer)
    }

    /// Every offer of the order, first round first.
    public func offers(workOrder: UUID) throws -> [DispatchOffer] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.offerColumns) FROM dispatch_offers
            WHERE tenant_id = \(tenantID) AND work_order_id = \(workOrder) ORDER BY round, offered_at
            """).rows.map(Self.decodeOffer)
    }

    /// Pending offers past their deadline, locked; offers another worker holds are skipped, so
    /// any number of workers can sweep at once without acting on one offer twice.
    public func expiredOffers(at now: Date, limit: Int) throws -> [DispatchOffer] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.offerColumns) FROM dispatch_offers
            WHERE tenant_id = \(tenantID) AND state = 'pending' AND expires_at <= \(now)::timestamptz
            ORDER BY expires_at
            LIMIT \(limit)
            FOR UPDATE SKIP LOCKED
            """).rows.map(Self.decodeOffer)
    }

    /// The engineer's message about a pending offer reached the provider at `now`: the time to
    /// answer starts again from here, as long as it was at first. Once only; nil when the offer
    /// is no longer pending (or was told already).
    @discardableResult
    public func noteNotified(offer: UUID, at now: Date) throws -> DispatchOffer? {
        try transaction.query("""
            UPDATE dispatch_offers SET notified_at = \(now), expires_at = \(now)::timestamptz + (expires_at - offered_at)
            WHERE tenant_id = \(tenantID) AND id = \(offer) AND state = 'pending' AND notified_at IS NULL
            RETURNING \(unsafeRaw: Self.offerColumns)
            """).rows.first.map(Self.decodeOffer)
    }

    /// Of the offers `ids`, those no longer waiting for an answer.
    public func settledOffers(_ ids: [UUID]) throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        return Set(try transaction.query("""
            SELECT id FROM dispatch_offers WHERE tenant_id = \(tenantID) AND id = ANY (\(ids)::uuid[]) AND state <> 'pending'
            """).rows.map { try $0.decode("id") as UUID })
    }

    public func offer(id: UUID, forUpdate: Bool = false) throws -> DispatchOffer? {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.offerColumns) FROM dispatch_offers WHERE tenant_id = \(tenantID) AND id = \(id)
            \(unsafeRaw: forUpdate ? "FOR UPDATE" : "")
            """).rows.first.map(Self.decodeOffer)
    }

    public func close(offer: UUID, as state: DispatchOffer.State, at now: Date, reason: String? = nil) throws {
        try transaction.execute("""
            UPDATE dispatch_offers SET state = \(state.rawValue), answered_at = \(now), decline_reason = \(reason)
            WHERE tenant_id = \(tenantID) AND id = \(offer) AND state = 'pending'
            """)
    }

    static func decodeOffer(_ row: Row) throws -> DispatchOffer {
        let stateText: String = try row.decode("state")
        guard let state = DispatchOffer.State(rawValue: stateText) else {
            throw PostgresError(kind: .decoding, message: "dispatch_offers.state holds unknown state \(stateText)")
        }
        return DispatchOffer(id: try row.decode("id"), workOrderID: try row.decode("work_order_id"), engineerID: try row.decode("engineer_id"),
                             round: try row.decode("round"), offeredAt: try row.decode("offered_at"), expiresAt: try row.decode("expires_at"),
                             state: state, answeredAt: try row.decode("answered_at"), declineReason: try row.decode("decline_reason"),
                             notifiedAt: try row.decode("notified_at"))
    }

    // MARK: decoding

    static func decodePolicy(_ row: Row) throws -> ScopedDispatchPolicy {
        ScopedDispatchPolicy(id: try row.decode("id"), shopID: try row.decode("shop_id"), typeID: try row.decode("type_id"),
                             rules: try row.decodeJSON("rules"), createdAt: try row.decode("created_at"),
                             updatedAt: try row.decode("updated_at"), version: try row.decode("version"))
    }

    /// A second policy for one scope, or a shop or type of another tenant: name the field.
    static func mappingPolicyErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try ReferenceErrors.naming(["dispatch_policies_tenant_id_shop_id_fkey": "shop_id",
                                               "dispatch_policies_tenant_id_type_id_fkey": "type_id"], body)
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            throw StoreError.duplicate(field: "scope", message: "already has a policy; change that one instead")
        }
    }
}
