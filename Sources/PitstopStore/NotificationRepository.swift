import Crypto
import Foundation
import PitstopCore
import Postgres

/// The scope tenant's notification channels and deliveries. Secrets arrive and leave sealed
/// (`ChannelSecrets` seals them); this layer never sees one in the clear.
public struct NotificationRepository {
    let transaction: Transaction
    let tenantID: UUID

    static let channelColumns = """
        id, name, kind, url, encode(secret_box, 'hex') AS secret_box, settings, active, event_types, alerts, failing_since, disabled_reason,
        created_at, updated_at, version
        """

    public struct ChannelInput: Sendable {
        public var name: String
        public var kind: NotificationChannel.Kind
        public var url: String
        public var settings: NotificationChannel.Settings
        public var active: Bool
        /// Set for webhook subscriptions only.
        public var eventTypes: [String]?
        public var alerts: Bool

        public init(name: String, kind: NotificationChannel.Kind, url: String, settings: NotificationChannel.Settings, active: Bool,
                    eventTypes: [String]? = nil, alerts: Bool = false) {
            self.name = name
            self.kind = kind
            self.url = url
            self.settings = settings
            self.active = active
            self.eventTypes = eventTypes
            self.alerts = alerts
        }
    }

    public func createChannel(_ input: ChannelInput, secretBox: [UInt8]?) throws -> NotificationChannel {
        try Self.decodeChannel(transaction.query("""
            INSERT INTO notification_channels (tenant_id, id, name, kind, url, secret_box, settings, active, event_types, alerts)
            VALUES (\(tenantID), \(UUID()), \(input.name), \(input.kind.rawValue), \(input.url), \(secretBox.map { "\\x" + $0.hex })::bytea,
                    \(JSONB(input.settings))::jsonb, \(input.active), \(input.eventTypes)::text[], \(input.alerts))
            RETURNING \(unsafeRaw: Self.channelColumns)
            """)[0]).channel
    }

    /// A channel or subscription; `subscription` (when given) says which the caller expects, and
    /// the other kind is reported as missing.
    public func channel(id: UUID, subscription: Bool? = nil) throws -> (channel: NotificationChannel, secretBox: [UInt8]?) {
        let rows = try transaction.query("""
            SELECT \(unsafeRaw: Self.channelColumns) FROM notification_channels
            WHERE tenant_id = \(tenantID) AND id = \(id) AND (\(subscription)::boolean IS NULL OR (event_types IS NOT NULL) = \(subscription)::boolean)
            """)
        guard let row = rows.first else { throw StoreError.notFound(subscription == true ? "webhook subscription" : "notification channel") }
        return try Self.decodeChannel(row)
    }

    /// A new secret for the URL an SMS channel's provider pushes replies to; the old one stops
    /// working. Only its hash is kept.
    public func newReplySecret(channel id: UUID) throws -> String {
        let secret = KeySecret.newSecret()
        guard try transaction.execute("""
            UPDATE notification_channels SET reply_secret_sha256 = \(KeySecret.sha256(of: secret))
            WHERE tenant_id = \(tenantID) AND id = \(id) AND event_types IS NULL
            """) == 1 else { throw StoreError.notFound("notification channel") }
        return secret
    }

    /// The channel whose reply URL carries `secret`.
    public func channel(replySecret secret: String) throws -> NotificationChannel? {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.channelColumns) FROM notification_channels
            WHERE tenant_id = \(tenantID) AND reply_secret_sha256 = \(KeySecret.sha256(of: secret))
            """).rows.first.map { try Self.decodeChannel($0).channel }
    }

    /// The channels, or (`subscriptions`) the webhook subscriptions, oldest first.
    public func channels(subscriptions: Bool = false) throws -> [NotificationChannel] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.channelColumns) FROM notification_channels
            WHERE tenant_id = \(tenantID) AND (event_types IS NOT NULL) = \(subscriptions)
            ORDER BY created_at, id LIMIT 1000
            """).rows.map { try Self.decodeChannel($0).channel }
    }

    /// Replaces a channel's settings; a nil `secretBox` keeps the secret it has. Saving it active
    /// starts its failure clock afresh (someone looked at it) and clears why it was switched off.
    public func replaceChannel(id: UUID, expectedVersion: Int, _ input: ChannelInput, secretBox: [UInt8]?) throws -> NotificationChannel {
        let rows = try transaction.query("""
            UPDATE notification_channels SET name = \(input.name), kind = \(input.kind.rawValue), url = \(input.url),
                secret_box = coalesce(\(secretBox.map { "\\x" + $0.hex })::bytea, secret_box), settings = \(JSONB(input.settings))::jsonb,
                active = \(input.active), event_types = \(input.eventTypes)::text[], alerts = \(input.alerts),
                failing_since = CASE WHEN \(input.active) THEN NULL ELSE failing_since END,
                disabled_reason = CASE WHEN \(input.active) THEN NULL ELSE disabled_reason END,
                updated_at = now(), version = version + 1
            WHERE tenant_id = \(tenantID) AND id = \(id) AND version = \(expectedVersion)
            RETURNING \(unsafeRaw: Self.channelColumns)
            """)
        if let row = rows.first { return try Self.decodeChannel(row).channel }
        throw try RecordVersion.failure(transaction, table: "notification_channels", tenantID: tenantID, id: id, what: "notification channel")
    }

    /// Removes a channel (`subscription` false) or a webhook subscription (true).
    public func deleteChannel(id: UUID, subscription: Bool) throws {
        do {
            guard try transaction.execute("""
                DELETE FROM notification_channels WHERE tenant_id = \(tenantID) AND id = \(id) AND (event_types IS NOT NULL) = \(subscription)
                """) == 1 else {
                throw StoreError.notFound(subscription ? "webhook subscription" : "notification channel")
            }
        } catch let error as PostgresError where error.sqlState == .foreignKeyViolation {
            throw StoreError.conflict("the channel has deliveries on record; set active to false instead")
        }
    }

    static func decodeChannel(_ row: Row) throws -> (channel: NotificationChannel, secretBox: [UInt8]?) {
        let kindText: String = try row.decode("kind")
        guard let kind = NotificationChannel.Kind(rawValue: kindText) else {
            throw PostgresError(kind: .decoding, message: "notification_channels.kind holds unknown kind \(kindText)")
        }
        let box = try row.decode("secret_box", as: String?.self).map(Self.bytes(hex:))
        return (NotificationChannel(id: try row.decode("id"), name: try row.decode("name"), kind: kind, url: try row.decode("url"),
                                    hasSecret: box != nil, settings: try row.decodeJSON("settings"), active: try row.decode("active"),
                                    eventTypes: try row.decode("event_types"), alerts: try row.decode("alerts"),
                                    failingSince: try row.decode("failing_since"), disabledReason: try row.decode("disabled_reason"),
                                    createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"),
                                    version: try row.decode("version")), box)
    }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for byte in hex.utf8 {
            let value: UInt8 = byte <= 0x39 ? byte - 0x30 : (byte | 0x20) - 0x61 + 10
            if let first = high {
                out.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return out
    }

    // MARK: deliveries

    public struct Delivery: Sendable, Equatable {
        /// `skipped`: a warning whose clock breached or was met before it could be sent.
        public enum State: String, Sendable, CaseIterable { case pending, delivered, dead, skipped }
        public var id: UUID
        public var eventID: UUID
        public var channelID: UUID
        public var topic: String
        public var message: NotificationMessage
        public var state: State
        public var attempts: Int
        public var nextAttemptAt: Date
        public var lastError: String?
        public var createdAt: Date
        public var deliveredAt: Date?
        /// The engineer a personal message is for, and the offer it tells them of.
        public var engineerID: UUID?
        public var offerID: UUID?
    }

    public struct Attempt: Sendable, Equatable {
        public var attempt: Int
        public var startedAt: Date
        public var statusCode: Int?
        public var latencyMilliseconds: Int
        public var error: String?
        /// delivered, failed, throttled, rejected or abandoned; nil for tries logged before the
        /// log said.
        public var outcome: String?
    }

    static let deliveryColumns = """
        id, event_id, channel_id, topic, message, state, attempts, next_attempt_at, last_error, created_at, delivered_at, engineer_id, offer_id
        """

    /// One delivery of event `eventID` to a channel, unless there is one already (a retried
    /// fan-out changes nothing). A personal message names its engineer, and the offer it is about.
    public func enqueue(eventID: UUID, topic: EventType, channelID: UUID, message: NotificationMessage, now: Date,
                        engineerID: UUID? = nil, offerID: UUID? = nil) throws {
        _ = try ReferenceErrors.naming(["notification_deliveries_tenant_id_channel_id_fkey": "channel_id"]) {
            try transaction.execute("""
                INSERT INTO notification_deliveries (tenant_id, id, event_id, channel_id, topic, message, next_attempt_at, created_at,
                                                     engineer_id, offer_id)
                VALUES (\(tenantID), \(UUID()), \(eventID), \(channelID), \(topic.rawValue), \(JSONB(message))::jsonb, \(now), \(now),
                        \(engineerID), \(offerID))
                ON CONFLICT (tenant_id, event_id, channel_id) DO NOTHING
                """)
        }
    }

    /// The channel workers LISTEN on: a NOTIFY there ends their wait.
    public static let wakeupChannel = "pitstop_work"

    /// Wakes the workers when this transaction commits (NOTIFY is sent at commit, and not at all
    /// on a rollback), so a message queued now goes out now rather than at the sender's next look.
    public func wakeWorkers() throws {
        _ = try transaction.query("SELECT pg_notify(\(Self.wakeupChannel), '')")
    }

    // MARK: app tokens

    /// The access token an app channel last fetched, sealed, with until when it is used and
    /// when it was fetched; nil when there is none.
    public func appToken(channel: UUID) throws -> (box: [UInt8], expiresAt: Date, fetchedAt: Date)? {
        try transaction.query("""
            SELECT encode(token_box, 'hex') AS box, expires_at, fetched_at FROM provider_tokens
            WHERE tenant_id = \(tenantID) AND channel_id = \(channel)
            """).rows.first.map { (Self.bytes(hex: try $0.decode("box")), try $0.decode("expires_at"), try $0.decode("fetched_at")) }
    }

    /// Keeps a token fetched at `now`, for every worker to use until `expiresAt` (a margin short
    /// of the provider's expiry). Two workers
    /// may fetch at once: both get the same token within its lifetime, so the later write wins
    /// and loses nothing.
    public func keepAppToken(channel: UUID, box: [UInt8], expiresAt: Date, now: Date) throws {
        try transaction.execute("""
            INSERT INTO provider_tokens (tenant_id, channel_id, token_box, expires_at, fetched_at)
            VALUES (\(tenantID), \(channel), \("\\x" + box.hex)::bytea, \(expiresAt), \(now))
            ON CONFLICT (tenant_id, channel_id) DO UPDATE SET token_box = excluded.token_box, expires_at = excluded.expires_at,
                fetched_at = excluded.fetched_at
            """)
    }

    /// Forgets the token fetched at `fetchedAt`, which the provider no longer takes; one fetched
    /// since (by another worker) is kept.
    public func dropAppToken(channel: UUID, fetchedAt: Date) throws {
        try transaction.execute("""
            DELETE FROM provider_tokens WHERE tenant_id = \(tenantID) AND channel_id = \(channel) AND fetched_at = \(fetchedAt)
            """)
    }

    /// Deliveries due at `now` to channels other than robots, taken for `lease`: their next
    /// attempt moves past the lease and the attempt is counted before anything is sent, so a
    /// sender that dies leaves them to the next. At most `perChannel` are in flight to one
    /// channel, counting the `flying` ones this sender already has out; channels holding back
    /// (`next_send_at`: an endpoint's 429) are left alone. Each channel is looked at through its
    /// own index range, so one channel's backlog never hides another's.
    public func claimSingles(at now: Date, lease: TimeInterval, limit: Int, perChannel: Int, flying: [UUID: Int]) throws -> [Delivery] {
        let busy = flying.filter { $0.value > 0 }
        return try transaction.query("""
            WITH busy AS (
                SELECT * FROM unnest(\(Array(busy.keys))::uuid[], \(Array(busy.values))::int[]) AS b (channel_id, flying)
            ), ranked AS (
                SELECT x.id, x.next_attempt_at,
                       row_number() OVER (PARTITION BY x.channel_id ORDER BY x.next_attempt_at, x.id) + coalesce(b.flying, 0) AS place
                FROM notification_channels c
                -- Locked here, rows another sender is taking are passed over for the channel's next
                -- ones, instead of filling its first places and leaving the round empty-handed.
                CROSS JOIN LATERAL (
                    SELECT d.id, d.channel_id, d.next_attempt_at
                    FROM notification_deliveries d
                    WHERE d.tenant_id = c.tenant_id AND d.channel_id = c.id AND d.state = 'pending' AND d.next_attempt_at <= \(now)::timestamptz
                    ORDER BY d.next_attempt_at, d.id LIMIT \(perChannel)
                    FOR UPDATE SKIP LOCKED) x
                LEFT JOIN busy b ON b.channel_id = c.id
                WHERE c.tenant_id = \(tenantID) AND c.kind NOT IN ('dingtalk', 'wecom')
                  AND (c.next_send_at IS NULL OR c.next_send_at <= \(now)::timestamptz)
            ), chosen AS (
                SELECT id FROM ranked WHERE place <= \(perChannel) ORDER BY next_attempt_at, id LIMIT \(limit)
            ), locked AS (
                SELECT d.id FROM notification_deliveries d
                WHERE d.tenant_id = \(tenantID) AND d.id IN (SELECT id FROM chosen) AND d.state = 'pending'
                FOR UPDATE SKIP LOCKED
            )
            UPDATE notification_deliveries d SET next_attempt_at = \(now.addingTimeInterval(lease)), attempts = d.attempts + 1
            FROM locked WHERE d.tenant_id = \(tenantID) AND d.id = locked.id
            RETURNING d.id, d.event_id, d.channel_id, d.topic, d.message, d.state, d.attempts, d.next_attempt_at, d.last_error, d.created_at,
                      d.delivered_at, d.engineer_id, d.offer_id
            """).rows.map(Self.decodeDelivery).sorted { ($0.nextAttemptAt, $0.id.uuidString) < ($1.nextAttemptAt, $1.id.uuidString) }
    }

    /// Robot channels free to send at `now` (their pacing slot has come) that have deliveries
    /// due, other than `excluding`, locked for this transaction; a robot another worker is
    /// taking is skipped, so two workers never take one robot's slot.
    public func robotsReady(at now: Date, excluding: [UUID], limit: Int) throws -> [(channel: NotificationChannel, secretBox: [UInt8]?)] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.channelColumns) FROM notification_channels c
            WHERE c.tenant_id = \(tenantID) AND c.kind IN ('dingtalk', 'wecom')
              AND (c.next_send_at IS NULL OR c.next_send_at <= \(now)::timestamptz) AND NOT (c.id = ANY (\(excluding)::uuid[]))
              AND EXISTS (SELECT 1 FROM notification_deliveries d
                          WHERE d.tenant_id = c.tenant_id AND d.channel_id = c.id AND d.state = 'pending'
                            AND d.next_attempt_at <= \(now)::timestamptz)
            ORDER BY c.next_send_at NULLS FIRST, c.id
            LIMIT \(limit)
            FOR UPDATE OF c SKIP LOCKED
            """).rows.map(Self.decodeChannel)
    }

    /// A channel's deliveries due at `now`, oldest first, locked for this transaction (the
    /// caller takes some and leaves the rest).
    public func waiting(channel: UUID, at now: Date, limit: Int) throws -> [Delivery] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.deliveryColumns) FROM notification_deliveries
            WHERE tenant_id = \(tenantID) AND channel_id = \(channel) AND state = 'pending' AND next_attempt_at <= \(now)::timestamptz
            ORDER BY next_attempt_at, created_at, id
            LIMIT \(limit)
            FOR UPDATE SKIP LOCKED
            """).rows.map(Self.decodeDelivery)
    }

    /// Takes deliveries the caller locked (`waiting`) for a send, as `claimSingles` does: the
    /// attempt counted, the next moved past `lease`.
    public func take(_ deliveries: [Delivery], at now: Date, lease: TimeInterval) throws -> [Delivery] {
        let taken = try transaction.query("""
            UPDATE notification_deliveries SET next_attempt_at = \(now.addingTimeInterval(lease)), attempts = attempts + 1
            WHERE tenant_id = \(tenantID) AND id = ANY (\(deliveries.map(\.id))::uuid[]) AND state = 'pending'
            RETURNING \(unsafeRaw: Self.deliveryColumns)
            """).rows.map(Self.decodeDelivery)
        let order = Dictionary(uniqueKeysWithValues: deliveries.enumerated().map { ($1.id, $0) })
        return taken.sorted { (order[$0.id] ?? 0) < (order[$1.id] ?? 0) }
    }

    /// Leaves deliveries unsent for good, saying why (a warning overtaken by its breach).
    public func skip(_ deliveries: [Delivery], reason: String, now: Date) throws {
        guard !deliveries.isEmpty else { return }
        try transaction.execute("""
            UPDATE notification_deliveries SET state = 'skipped', last_error = \(reason), next_attempt_at = \(now)
            WHERE tenant_id = \(tenantID) AND id = ANY (\(deliveries.map(\.id))::uuid[]) AND state = 'pending'
            """)
    }

    /// Gives taken deliveries back without counting the attempt: the sender could not try them
    /// (it cannot open the channel's secret), which is no fault of the receiver's and must not
    /// use up their attempts. They are due again at `until`, for this sender or another.
    public func release(_ deliveries: [Delivery], until: Date, reason: String) throws {
        guard !deliveries.isEmpty else { return }
        try transaction.execute("""
            UPDATE notification_deliveries SET attempts = attempts - 1, next_attempt_at = \(until), last_error = \(reason)
            WHERE tenant_id = \(tenantID) AND id = ANY (\(deliveries.map(\.id))::uuid[]) AND state = 'pending' AND attempts > 0
            """)
    }

    /// Notes whether the channel was reached just now: success clears `failing_since`, a failure
    /// starts it (or keeps the earlier start).
    public func noteReach(channel: UUID, reached: Bool, now: Date) throws {
        try transaction.execute("""
            UPDATE notification_channels SET failing_since = CASE WHEN \(reached) THEN NULL ELSE coalesce(failing_since, \(now)::timestamptz) END
            WHERE tenant_id = \(tenantID) AND id = \(channel) AND (failing_since IS NULL) <> \(reached)
            """)
    }

    /// Switches off a subscription that has failed without a break since `before`, saying why;
    /// returns it when this call switched it off.
    public func disableFailingSubscription(_ channel: UUID, failingSince before: Date, reason: String) throws -> NotificationChannel? {
        try transaction.query("""
            UPDATE notification_channels SET active = false, disabled_reason = \(reason), updated_at = now(), version = version + 1
            WHERE tenant_id = \(tenantID) AND id = \(channel) AND event_types IS NOT NULL AND active AND failing_since <= \(before)
            RETURNING \(unsafeRaw: Self.channelColumns)
            """).rows.first.map { try Self.decodeChannel($0).channel }
    }

    /// Writes an operational event to the outbox and queues `message` for every active channel
    /// marked for alerts but `excluding` (the channel the trouble is about, which may be what
    /// cannot be reached); returns the event's id.
    @discardableResult
    public func alert(topic: EventType, aggregate: UUID, payload: JSONValue, message: NotificationMessage, eventID: UUID = UUID(),
                      excluding: UUID? = nil, now: Date) throws -> UUID {
        try transaction.execute("""
            INSERT INTO outbox (tenant_id, id, topic, aggregate_id, payload, created_at, available_at)
            VALUES (\(tenantID), \(eventID), \(topic.rawValue), \(aggregate), \(JSONB(payload))::jsonb, \(now), \(now))
            """)
        try alertChannels(about: eventID, topic: topic, message: message, excluding: excluding, now: now)
        return eventID
    }

    /// Queues `message` to every active alert channel (but `excluding`) for an event already in
    /// the outbox, in the transaction that wrote it.
    public func alertChannels(about eventID: UUID, topic: EventType, message: NotificationMessage, excluding: UUID? = nil,
                              now: Date) throws {
        try transaction.execute("""
            INSERT INTO notification_deliveries (tenant_id, id, event_id, channel_id, topic, message, next_attempt_at, created_at)
            SELECT tenant_id, gen_random_uuid(), \(eventID), id, \(topic.rawValue), \(JSONB(message))::jsonb, \(now), \(now)
            FROM notification_channels
            WHERE tenant_id = \(tenantID) AND alerts AND active AND event_types IS NULL AND id IS DISTINCT FROM \(excluding)::uuid
            ON CONFLICT (tenant_id, event_id, channel_id) DO NOTHING
            """)
    }

    /// Holds a channel's next message back until `until`: a robot's pace, or a block a service
    /// asked for.
    public func pace(channel: UUID, until: Date) throws {
        try transaction.execute("UPDATE notification_channels SET next_send_at = \(until) WHERE tenant_id = \(tenantID) AND id = \(channel)")
    }

    public enum Outcome: Sendable, Equatable {
        case delivered
        /// Failed; tried again at this moment.
        case retry(at: Date)
        /// No more tries: the last failed, or the service refused for good (`rejected`).
        case dead(rejected: Bool)
        /// Not counted against the attempts: throttled, or abandoned by a sender that stopped.
        case wait(until: Date, abandoned: Bool)

        var logged: String {
            switch self {
            case .delivered: "delivered"
            case .retry: "failed"
            case .dead(let rejected): rejected ? "rejected" : "failed"
            case .wait(_, let abandoned): abandoned ? "abandoned" : "throttled"
            }
        }
    }

    /// Logs a try and what follows from it. The log numbers tries itself: throttled and
    /// abandoned ones do not use up a delivery's attempts, so its count may repeat.
    public func record(_ delivery: Delivery, startedAt: Date, statusCode: Int?, latencyMilliseconds: Int, error: String?,
                       outcome: Outcome, now: Date) throws {
        let error = error.map { String($0.prefix(1000)) }
        try transaction.execute("""
            INSERT INTO notification_attempts (tenant_id, delivery_id, attempt, started_at, status_code, latency_ms, error, outcome)
            SELECT \(tenantID), \(delivery.id), coalesce(max(attempt), 0) + 1, \(startedAt), \(statusCode), \(latencyMilliseconds), \(error),
                   \(outcome.logged)
            FROM notification_attempts WHERE tenant_id = \(tenantID) AND delivery_id = \(delivery.id)
            """)
        let state: String
        let next: Date
        var uncounted = false
        switch outcome {
        case .delivered: (state, next) = ("delivered", now)
        case .retry(let at): (state, next) = ("pending", at)
        case .dead: (state, next) = ("dead", now)
        case .wait(let until, _): (state, next, uncounted) = ("pending", until, true)
        }
        try transaction.execute("""
            UPDATE notification_deliveries SET state = \(state), next_attempt_at = \(next), last_error = \(error),
                attempts = CASE WHEN \(uncounted) THEN greatest(0, attempts - 1) ELSE attempts END,
                delivered_at = CASE WHEN \(state) = 'delivered' THEN \(now)::timestamptz END
            WHERE tenant_id = \(tenantID) AND id = \(delivery.id) AND state = 'pending'
            """)
    }

    /// Newest first, optionally of one state and one channel.
    public func deliveries(state: Delivery.State?, channel: UUID? = nil, limit: Int) throws -> [Delivery] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.deliveryColumns) FROM notification_deliveries
            WHERE tenant_id = \(tenantID) AND (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue)::text)
              AND (\(channel)::uuid IS NULL OR channel_id = \(channel)::uuid)
            ORDER BY created_at DESC, id DESC LIMIT \(limit)
            """).rows.map(Self.decodeDelivery)
    }

    public func delivery(id: UUID) throws -> (delivery: Delivery, attempts: [Attempt]) {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.deliveryColumns) FROM notification_deliveries WHERE tenant_id = \(tenantID) AND id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("notification delivery") }
        let attempts = try transaction.query("""
            SELECT attempt, started_at, status_code, latency_ms, error, outcome FROM notification_attempts
            WHERE tenant_id = \(tenantID) AND delivery_id = \(id) ORDER BY attempt
            """).rows.map {
                Attempt(attempt: try $0.decode("attempt"), startedAt: try $0.decode("started_at"), statusCode: try $0.decode("status_code"),
                        latencyMilliseconds: try $0.decode("latency_ms"), error: try $0.decode("error"), outcome: try $0.decode("outcome"))
            }
        return (try Self.decodeDelivery(row), attempts)
    }

    /// Sends a dead (or still pending) delivery again now; a delivered one is a conflict.
    public func retry(id: UUID, now: Date = Date()) throws -> Delivery {
        let rows = try transaction.query("""
            UPDATE notification_deliveries SET state = 'pending', next_attempt_at = \(now)
            WHERE tenant_id = \(tenantID) AND id = \(id) AND state <> 'delivered'
            RETURNING \(unsafeRaw: Self.deliveryColumns)
            """)
        if let row = rows.first { return try Self.decodeDelivery(row) }
        _ = try delivery(id: id)
        throw StoreError.conflict("the delivery was delivered already")
    }

    static func decodeDelivery(_ row: Row) throws -> Delivery {
        let stateText: String = try row.decode("state")
        guard let state = Delivery.State(rawValue: stateText) else {
            throw PostgresError(kind: .decoding, message: "notification_deliveries.state holds unknown state \(stateText)")
        }
        return Delivery(id: try row.decode("id"), eventID: try row.decode("event_id"), channelID: try row.decode("channel_id"),
                        topic: try row.decode("topic"), message: try row.decodeJSON("message"), state: state,
                        attempts: try row.decode("attempts"), nextAttemptAt: try row.decode("next_attempt_at"),
                        lastError: try row.decode("last_error"), createdAt: try row.decode("created_at"),
                        deliveredAt: try row.decode("delivered_at"), engineerID: try row.decode("engineer_id"), offerID: try row.decode("offer_id"))
    }
}

/// Seals and opens channel secrets under the deployment's key (PITSTOP_SECRET_KEY), bound to
/// the tenant, so a sealed secret copied into another tenant's row does not open.
public struct ChannelSecrets: Sendable {
    let key: [UInt8]

    public init?(key: [UInt8]) {
        guard key.count == SecretBox.keyLength else { return nil }
        self.key = key
    }

    public func seal(_ secret: String, tenant: UUID) -> [UInt8] {
        SecretBox.seal(Array(secret.utf8), key: key, context: Array(tenant.lowercasedText.utf8))
    }

    public func open(_ box: [UInt8], tenant: UUID) -> String? {
        SecretBox.open(box, key: key, context: Array(tenant.lowercasedText.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }
}
