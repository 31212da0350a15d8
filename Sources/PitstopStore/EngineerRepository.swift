import Foundation
import PitstopCore
import Postgres

/// The scope tenant's engineers, with their skills and shops.
public struct EngineerRepository {
    let transaction: Transaction
    let tenantID: UUID

    static let columns = """
        e.id, e.name, e.phone, e.certifications, e.active, e.status, e.latitude, e.longitude, e.located_at, e.external_id, \
        e.notify_channel_id, e.dingtalk_user_id, e.wecom_user_id, e.created_at, e.updated_at, e.version, \
        coalesce((SELECT jsonb_object_agg(s.skill, s.level) FROM engineer_skills s \
                  WHERE s.tenant_id = e.tenant_id AND s.engineer_id = e.id), '{}'::jsonb) AS skills, \
        coalesce((SELECT array_agg(m.shop_id ORDER BY m.shop_id) FROM engineer_shops m \
                  WHERE m.tenant_id = e.tenant_id AND m.engineer_id = e.id), '{}'::uuid[]) AS shop_ids
        """

    public func create(_ input: EngineerInput) throws -> Engineer {
        let id = UUID()
        try Self.mappingShopViolations {
            try transaction.execute("""
                INSERT INTO engineers (tenant_id, id, name, phone, certifications, active, status, external_id, notify_channel_id,
                                       dingtalk_user_id, wecom_user_id)
                VALUES (\(tenantID), \(id), \(input.name ?? ""), \(input.phone.newValue), \(input.certifications ?? [])::text[],
                        \(input.active ?? true), \((input.status ?? .offDuty).rawValue), \(input.externalID.newValue),
                        \(input.notifyChannelID.newValue), \(input.dingtalkUserID.newValue), \(input.wecomUserID.newValue))
                """)
            try replaceSkills(of: id, with: input.skills ?? [:])
            try replaceShops(of: id, with: input.shopIDs ?? [])
        }
        return try get(id: id)
    }

    public func get(id: UUID) throws -> Engineer {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.columns) FROM engineers e WHERE e.tenant_id = \(tenantID) AND e.id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("engineer") }
        return try Self.decode(row)
    }

    /// The engineer the HR system knows as `externalID`, by its unique index.
    public func find(externalID: String) throws -> Engineer? {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM engineers e WHERE e.tenant_id = \(tenantID) AND e.external_id = \(externalID)
            """).rows.first.map(Self.decode)
    }

    public func list(externalID: String? = nil, limit: Int, after: PageCursor?) throws -> [Engineer] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM engineers e
            WHERE e.tenant_id = \(tenantID) AND (\(externalID)::text IS NULL OR e.external_id = \(externalID)::text)
              AND (\(after?.createdAt)::timestamptz IS NULL OR (e.created_at, e.id) < (\(after?.createdAt)::timestamptz, \(after?.id)::uuid))
            ORDER BY e.created_at DESC, e.id DESC
            LIMIT \(limit)
            """).rows.map(Self.decode)
    }

    public func update(id: UUID, expectedVersion: Int, _ input: EngineerInput) throws -> Engineer {
        let changed = try Self.mappingShopViolations { try transaction.execute("""
            UPDATE engineers SET
                name = coalesce(\(input.name), name),
                phone = CASE WHEN \(input.phone.isKeep)::boolean THEN phone ELSE \(input.phone.newValue)::text END,
                certifications = coalesce(\(input.certifications)::text[], certifications),
                active = coalesce(\(input.active)::boolean, active),
                status = coalesce(\(input.status?.rawValue)::text, status),
                external_id = CASE WHEN \(input.externalID.isKeep)::boolean THEN external_id ELSE \(input.externalID.newValue)::text END,
                notify_channel_id = CASE WHEN \(input.notifyChannelID.isKeep)::boolean THEN notify_channel_id
                                         ELSE \(input.notifyChannelID.newValue)::uuid END,
                dingtalk_user_id = CASE WHEN \(input.dingtalkUserID.isKeep)::boolean THEN dingtalk_user_id ELSE \(input.dingtalkUserID.newValue)::text END,
                wecom_user_id = CASE WHEN \(input.wecomUserID.isKeep)::boolean THEN wecom_user_id ELSE \(input.wecomUserID.newValue)::text END,
                updated_at = now(),
                version = version + 1
            WHERE tenant_id = \(tenantID) AND id = \(id) AND version = \(expectedVersion)
            """) }
        guard changed == 1 else {
            throw try RecordVersion.failure(transaction, table: "engineers", tenantID: tenantID, id: id, what: "engineer")
        }
        try Self.mappingShopViolations {
            if let skills = input.skills { try replaceSkills(of: id, with: skills) }
            if let shops = input.shopIDs { try replaceShops(of: id, with: shops) }
        }
        return try get(id: id)
    }

    /// Keeps `point` as the engineer's latest position, unless the last one is younger than
    /// `minimumInterval`: then nothing changes and the answer is false. Positions are not edits of
    /// the engineer's record, so they do not move its version.
    public func recordLocation(id: UUID, at point: GeoPoint, minimumInterval: TimeInterval, now: Date = Date()) throws -> Bool {
        let updated = try transaction.execute("""
            UPDATE engineers SET latitude = \(point.latitude), longitude = \(point.longitude), located_at = \(now)
            WHERE tenant_id = \(tenantID) AND id = \(id)
              AND (located_at IS NULL OR located_at <= \(now.addingTimeInterval(-minimumInterval))::timestamptz)
            """)
        guard updated == 1 else {
            _ = try get(id: id)
            return false
        }
        // Orders in work (accepted until completed) keep the way there and back.
        try transaction.execute("""
            INSERT INTO location_trail (tenant_id, work_order_id, engineer_id, at, latitude, longitude)
            SELECT tenant_id, id, \(id), \(now), \(point.latitude), \(point.longitude) FROM work_orders
            WHERE tenant_id = \(tenantID) AND assignee_id = \(id)
              AND status IN ('accepted', 'diagnosing', 'awaiting_parts', 'repairing', 'quality_check', 'awaiting_acceptance')
            """)
        return true
    }

    /// The positions kept for an order while it was worked, oldest first.
    public func trail(workOrder: UUID) throws -> [(at: Date, point: GeoPoint)] {
        try transaction.query("""
            SELECT at, latitude, longitude FROM location_trail
            WHERE tenant_id = \(tenantID) AND work_order_id = \(workOrder) ORDER BY at
            LIMIT 5000
            """).rows.map { (try $0.decode(0), GeoPoint(latitude: try $0.decode(1), longitude: try $0.decode(2))) }
    }

    private func replaceSkills(of engineer: UUID, with skills: [String: Int]) throws {
        let ordered = skills.sorted { $0.key < $1.key }
        try transaction.execute("DELETE FROM engineer_skills WHERE tenant_id = \(tenantID) AND engineer_id = \(engineer)")
        try transaction.execute("""
            INSERT INTO engineer_skills (tenant_id, engineer_id, skill, level)
            SELECT \(tenantID)::uuid, \(engineer)::uuid, u.skill, u.level FROM unnest(\(ordered.map(\.key))::text[], \(ordered.map(\.value))::int[]) AS u(skill, level)
            """)
    }

    private func replaceShops(of engineer: UUID, with shops: [UUID]) throws {
        try transaction.execute("DELETE FROM engineer_shops WHERE tenant_id = \(tenantID) AND engineer_id = \(engineer)")
        try transaction.execute("""
            INSERT INTO engineer_shops (tenant_id, engineer_id, shop_id)
            SELECT DISTINCT \(tenantID)::uuid, \(engineer)::uuid, u.shop FROM unnest(\(shops)::uuid[]) AS u(shop)
            """)
    }

    /// A shop id of another tenant (or none) breaks the composite foreign key: name the field.
    /// Foreign-key and unique failures a client can act on, named by field.
    static func mappingShopViolations<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError where error.sqlState == .foreignKeyViolation && error.constraint == "engineers_notify_channel_fkey" {
            throw ValidationError(field: "notify_channel_id", "does not name a notification channel of this tenant")
        } catch let error as PostgresError where error.sqlState == .foreignKeyViolation {
            throw ValidationError(field: "shop_ids", "lists a shop that is not one of this tenant's")
        } catch let error as PostgresError where error.sqlState == .uniqueViolation && error.constraint == "engineers_external_id" {
            throw StoreError.duplicate(field: "external_id", message: "is another engineer's")
        }
    }

    static func decode(_ row: Row) throws -> Engineer {
        let latitude: Double? = try row.decode("latitude")
        let longitude: Double? = try row.decode("longitude")
        let statusText: String = try row.decode("status")
        guard let status = Engineer.Status(rawValue: statusText) else {
            throw PostgresError(kind: .decoding, message: "engineers.status holds unknown status \(statusText)")
        }
        return Engineer(id: try row.decode("id"), name: try row.decode("name"), phone: try row.decode("phone"),
                        skills: try row.decodeJSON("skills"), shopIDs: try row.decode("shop_ids"),
                        certifications: try row.decode("certifications"), active: try row.decode("active"), status: status,
                        location: latitude.flatMap { lat in longitude.map { GeoPoint(latitude: lat, longitude: $0) } },
                        locatedAt: try row.decode("located_at"), externalID: try row.decode("external_id"),
                        messaging: Engineer.Messaging(channelID: try row.decode("notify_channel_id"), dingtalkUserID: try row.decode("dingtalk_user_id"),
                                                      wecomUserID: try row.decode("wecom_user_id")),
                        createdAt: try row.decode("created_at"),
                        updatedAt: try row.decode("updated_at"), version: try row.decode("version"))
    }
}
