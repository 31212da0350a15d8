import Foundation
import PitstopCore
import Postgres

/// The scope tenant's customers.
public struct CustomerRepository {
    let transaction: Transaction
    let tenantID: UUID

    static let columns = "id, name, phones, wechat_openid, wechat_unionid, email, tags, external_id, sms_opted_out_at, wechat_opted_out_at, erased_at, created_at, updated_at, version"

    /// Ways to find customers; several narrow the list together.
    public struct Filter: Sendable, Equatable {
        public var phone: String?
        public var wechatOpenID: String?
        public var externalID: String?

        public init(phone: String? = nil, wechatOpenID: String? = nil, externalID: String? = nil) {
            self.phone = phone
            self.wechatOpenID = wechatOpenID
            self.externalID = externalID
        }
    }

    /// Creates a customer from normalised input.
    public func create(_ input: CustomerInput) throws -> Customer {
        try Self.mappingUniqueViolations {
            let rows = try transaction.query("""
                INSERT INTO customers (tenant_id, id, name, phones, wechat_openid, wechat_unionid, email, tags, external_id,
                                       sms_opted_out_at, wechat_opted_out_at)
                VALUES (\(tenantID), \(UUID()), \(input.name ?? ""), \(input.phones ?? [])::text[], \(input.wechatOpenID.newValue),
                        \(input.wechatUnionID.newValue), \(input.email.newValue), \(input.tags ?? [])::text[], \(input.externalID.newValue),
                        CASE WHEN \(input.smsOptOut == true)::boolean THEN now() END,
                        CASE WHEN \(input.weChatOptOut == true)::boolean THEN now() END)
                RETURNING \(unsafeRaw: Self.columns)
                """)
            return try Self.decode(rows[0])
        }
    }

    public func get(id: UUID) throws -> Customer {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.columns) FROM customers WHERE tenant_id = \(tenantID) AND id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("customer") }
        return try Self.decode(row)
    }

    /// The customer the CRM knows as `externalID`, by its unique index.
    public func find(externalID: String) throws -> Customer? {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM customers WHERE tenant_id = \(tenantID) AND external_id = \(externalID)
            """).rows.first.map(Self.decode)
    }

    /// Newest first, narrowed by `filter`; pass the last customer of a page as `after`.
    public func list(_ filter: Filter, limit: Int, after: PageCursor?) throws -> [Customer] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM customers
            WHERE tenant_id = \(tenantID)
              AND (\(filter.phone)::text IS NULL OR phones @> ARRAY[\(filter.phone)::text])
              AND (\(filter.wechatOpenID)::text IS NULL OR wechat_openid = \(filter.wechatOpenID)::text)
              AND (\(filter.externalID)::text IS NULL OR external_id = \(filter.externalID)::text)
              AND (\(after?.createdAt)::timestamptz IS NULL OR (created_at, id) < (\(after?.createdAt)::timestamptz, \(after?.id)::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT \(limit)
            """).rows.map(Self.decode)
    }

    /// Applies the fields `input` sets, if the customer is still at `expectedVersion`.
    public func update(id: UUID, expectedVersion: Int, _ input: CustomerInput) throws -> Customer {
        let rows = try Self.mappingUniqueViolations {
            try transaction.query("""
                UPDATE customers SET
                    name = coalesce(\(input.name), name),
                    phones = coalesce(\(input.phones)::text[], phones),
                    wechat_openid = CASE WHEN \(input.wechatOpenID.isKeep)::boolean THEN wechat_openid ELSE \(input.wechatOpenID.newValue)::text END,
                    wechat_unionid = CASE WHEN \(input.wechatUnionID.isKeep)::boolean THEN wechat_unionid ELSE \(input.wechatUnionID.newValue)::text END,
                    email = CASE WHEN \(input.email.isKeep)::boolean THEN email ELSE \(input.email.newValue)::text END,
                    tags = coalesce(\(input.tags)::text[], tags),
                    external_id = CASE WHEN \(input.externalID.isKeep)::boolean THEN external_id ELSE \(input.externalID.newValue)::text END,
                    sms_opted_out_at = CASE \(input.smsOptOut)::boolean WHEN true THEN coalesce(sms_opted_out_at, now())
                                                                         WHEN false THEN NULL ELSE sms_opted_out_at END,
                    wechat_opted_out_at = CASE \(input.weChatOptOut)::boolean WHEN true THEN coalesce(wechat_opted_out_at, now())
                                                                               WHEN false THEN NULL ELSE wechat_opted_out_at END,
                    updated_at = now(),
                    version = version + 1
                WHERE tenant_id = \(tenantID) AND id = \(id) AND version = \(expectedVersion)
                RETURNING \(unsafeRaw: Self.columns)
                """)
        }
        if let row = rows.first { return try Self.decode(row) }
        throw try RecordVersion.failure(transaction, table: "customers", tenantID: tenantID, id: id, what: "customer")
    }

    /// Records that the follower `openID` unfollowed the tenant's account, or followed it again:
    /// WeChat messages stop, or may resume.
    public func weChatFollowing(openID: String, following: Bool) throws {
        try transaction.execute("""
            UPDATE customers
            SET wechat_opted_out_at = CASE WHEN \(following)::boolean THEN NULL ELSE coalesce(wechat_opted_out_at, now()) END,
                updated_at = now(), version = version + 1
            WHERE tenant_id = \(tenantID) AND wechat_openid = \(openID)
              AND (wechat_opted_out_at IS NULL) = \(!following)::boolean
            """)
    }

    /// Unique indexes name the field a client must change.
    static func mappingUniqueViolations<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            switch error.constraint {
            case "customers_external_id": throw StoreError.duplicate(field: "external_id", message: "belongs to another customer already")
            case "customers_wechat_openid": throw StoreError.duplicate(field: "wechat_openid", message: "belongs to another customer already")
            default: throw error
            }
        }
    }

    /// Marks every customer with `phone` as opted out of SMS, as a change of the record (its
    /// version moves); one opted out already keeps its time. Returns how many changed.
    public func optOutOfSMS(phone: String, now: Date) throws -> Int {
        try transaction.execute("""
            UPDATE customers SET sms_opted_out_at = \(now), updated_at = \(now), version = version + 1
            WHERE tenant_id = \(tenantID) AND phones @> ARRAY[\(phone)]::text[] AND sms_opted_out_at IS NULL
            """)
    }

    static func decode(_ row: Row) throws -> Customer {
        Customer(id: try row.decode("id"), name: try row.decode("name"), phones: try row.decode("phones"),
                 wechatOpenID: try row.decode("wechat_openid"), wechatUnionID: try row.decode("wechat_unionid"),
                 email: try row.decode("email"), tags: try row.decode("tags"), externalID: try row.decode("external_id"),
                 smsOptedOutAt: try row.decode("sms_opted_out_at"), weChatOptedOutAt: try row.decode("wechat_opted_out_at"),
                 erasedAt: try row.decode("erased_at"),
                 createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"), version: try row.decode("version"))
    }
}
