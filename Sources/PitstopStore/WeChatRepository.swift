import Foundation
import PitstopCore
import Postgres

/// The scope tenant's WeChat accounts and the messages they received.
public struct WeChatRepository {
    let transaction: Transaction
    let tenantID: UUID

    static let columns = "id, name, original_id, token, encode(token_box, 'hex') AS token_box, type_id, shop_id, app_id, encode(aes_key_box, 'hex') AS aes_key_box, secret, created_at, revoked_at, version"

    /// Connects an account whose Token and EncodingAESKey (checked in `new`) arrive sealed as
    /// `tokenBox` and `aesKeyBox`.
    public func create(_ new: NewWeChatAccount, tokenBox: [UInt8], aesKeyBox: [UInt8]?) throws -> WeChatAccount {
        try ReferenceErrors.naming(["wechat_accounts_tenant_id_type_id_fkey": "type_id", "wechat_accounts_tenant_id_shop_id_fkey": "shop_id"]) {
            try Self.decode(transaction.query("""
                INSERT INTO wechat_accounts (tenant_id, id, secret, name, original_id, token_box, type_id, shop_id, app_id, aes_key_box)
                VALUES (\(tenantID), \(UUID()), \(KeySecret.newSecret()), \(new.name.trimmingCharacters(in: .whitespacesAndNewlines)),
                        \(new.originalID), \("\\x" + tokenBox.hex)::bytea, \(new.typeID), \(new.shopID), \(new.appID),
                        \(aesKeyBox.map { "\\x" + $0.hex })::bytea)
                RETURNING \(unsafeRaw: Self.columns)
                """)[0])
        }
    }

    public func get(id: UUID) throws -> WeChatAccount {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.columns) FROM wechat_accounts WHERE tenant_id = \(tenantID) AND id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("WeChat account") }
        return try Self.decode(row)
    }

    /// The account a server URL names, unless it was disconnected.
    public func active(secret: String) throws -> WeChatAccount? {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM wechat_accounts
            WHERE tenant_id = \(tenantID) AND secret = \(secret) AND revoked_at IS NULL
            """).first.map(Self.decode)
    }

    public func list(limit: Int, after: PageCursor?) throws -> [WeChatAccount] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM wechat_accounts
            WHERE tenant_id = \(tenantID)
              AND (\(after?.createdAt)::timestamptz IS NULL OR (created_at, id) < (\(after?.createdAt)::timestamptz, \(after?.id)::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT \(limit)
            """).rows.map(Self.decode)
    }

    /// Applies `changes` (checked) to a connected account still at `expectedVersion`; a new Token
    /// and key arrive sealed (`tokenBox`, `aesKeyBox`). A disconnected account is not found.
    public func update(id: UUID, expectedVersion: Int, _ changes: WeChatAccountChanges, tokenBox: [UInt8]?,
                       aesKeyBox: FieldUpdate<[UInt8]>) throws -> WeChatAccount {
        let rows = try ReferenceErrors.naming(["wechat_accounts_tenant_id_type_id_fkey": "type_id", "wechat_accounts_tenant_id_shop_id_fkey": "shop_id"]) {
            try transaction.query("""
                UPDATE wechat_accounts SET
                    name = coalesce(\(changes.name?.trimmingCharacters(in: .whitespacesAndNewlines))::text, name),
                    token_box = coalesce(\(tokenBox.map { "\\x" + $0.hex })::bytea, token_box),
                    token = CASE WHEN \(tokenBox != nil)::boolean THEN NULL ELSE token END,
                    type_id = coalesce(\(changes.typeID)::uuid, type_id),
                    shop_id = CASE \(changes.shopID.isKeep)::boolean WHEN true THEN shop_id ELSE \(changes.shopID.newValue)::uuid END,
                    app_id = CASE \(changes.appID.isKeep)::boolean WHEN true THEN app_id ELSE \(changes.appID.newValue)::text END,
                    aes_key_box = CASE \(aesKeyBox.isKeep)::boolean WHEN true THEN aes_key_box
                                       ELSE \(aesKeyBox.newValue.map { "\\x" + $0.hex })::bytea END,
                    version = version + 1
                WHERE tenant_id = \(tenantID) AND id = \(id) AND version = \(expectedVersion) AND revoked_at IS NULL
                RETURNING \(unsafeRaw: Self.columns)
                """).rows
        }
        guard let row = rows.first else {
            let current = try get(id: id)
            guard current.revokedAt == nil else { throw StoreError.notFound("WeChat account") }
            throw StoreError.versionMismatch(current: current.version)
        }
        return try Self.decode(row)
    }

    /// Seals a Token still kept in the clear (an account connected before Tokens were sealed).
    public func sealToken(account: UUID, box: [UInt8]) throws {
        try transaction.execute("""
            UPDATE wechat_accounts SET token_box = \("\\x" + box.hex)::bytea, token = NULL
            WHERE tenant_id = \(tenantID) AND id = \(account) AND token IS NOT NULL
            """)
    }

    /// Disconnects the account: its URL answers 404 from now on.
    public func revoke(id: UUID) throws -> WeChatAccount {
        let rows = try transaction.query("""
            UPDATE wechat_accounts SET revoked_at = coalesce(revoked_at, now())
            WHERE tenant_id = \(tenantID) AND id = \(id)
            RETURNING \(unsafeRaw: Self.columns)
            """)
        guard let row = rows.first else { throw StoreError.notFound("WeChat account") }
        return try Self.decode(row)
    }

    public enum Claim: Equatable {
        /// The message is new: handle it, then `answer` it.
        case claimed
        /// WeChat sent this MsgId before; here is the reply it got.
        case answered(reply: String)
    }

    /// Claims a message by its MsgId. A retry arriving while the first delivery is still being
    /// handled waits on the row until that transaction ends, then gets its reply.
    public func claim(account: UUID, msgID: String, from openID: String) throws -> Claim {
        let inserted = try transaction.execute("""
            INSERT INTO wechat_messages (tenant_id, account_id, msg_id, from_openid)
            VALUES (\(tenantID), \(account), \(msgID), \(openID))
            ON CONFLICT DO NOTHING
            """)
        if inserted == 1 { return .claimed }
        let reply = try transaction.query("""
            SELECT reply FROM wechat_messages WHERE tenant_id = \(tenantID) AND account_id = \(account) AND msg_id = \(msgID)
            """)[0].decode("reply", as: String.self)
        return .answered(reply: reply)
    }

    /// Records the reply a claimed message got, and the order it opened or joined.
    public func answer(account: UUID, msgID: String, reply: String, workOrder: UUID?) throws {
        try transaction.execute("""
            UPDATE wechat_messages SET reply = \(reply), work_order_id = \(workOrder)
            WHERE tenant_id = \(tenantID) AND account_id = \(account) AND msg_id = \(msgID)
            """)
    }

    static func decode(_ row: Row) throws -> WeChatAccount {
        let box = try row.decode("token_box", as: String?.self).map(NotificationRepository.bytes(hex:))
        let token: WeChatAccount.StoredToken = try box.map { .sealed($0) } ?? .plain(try row.decode("token"))
        return WeChatAccount(id: try row.decode("id"), name: try row.decode("name"), originalID: try row.decode("original_id"),
                      token: token, typeID: try row.decode("type_id"), shopID: try row.decode("shop_id"), appID: try row.decode("app_id"),
                      aesKeyBox: try row.decode("aes_key_box", as: String?.self).map(NotificationRepository.bytes(hex:)),
                      secret: try row.decode("secret"), createdAt: try row.decode("created_at"), revokedAt: try row.decode("revoked_at"),
                      version: try row.decode("version"))
    }
}
