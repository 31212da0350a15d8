import Foundation
import PitstopCore
import Postgres

/// The application's handle on PostgreSQL as the app role. All tenant data is reached through
/// `withTenant`, which opens a transaction with `app.tenant_id` set, so row-level security
/// scopes every statement, and hands out repositories bound to that one tenant.
public final class Database: Sendable {
    public let pool: ConnectionPool

    public init(pool: ConnectionPool) {
        self.pool = pool
    }

    /// Runs `body` in one transaction for `tenantID`. See `ConnectionPool.transaction` for
    /// rollback and retry rules. A `readOnly` transaction refuses writes and answers sooner.
    public func withTenant<T>(_ tenantID: UUID, readOnly: Bool = false, _ body: (TenantScope) throws -> T) throws -> T {
        try pool.transaction(settings: [(name: "app.tenant_id", value: tenantID.lowercasedText)],
                             readOnly: readOnly) { tx in
            try body(TenantScope(transaction: tx, tenantID: tenantID))
        }
    }

    /// Runs `body` in one transaction with no tenant set: only platform tables are visible.
    public func withPlatform<T>(_ body: (PlatformScope) throws -> T) throws -> T {
        try pool.transaction { tx in try body(PlatformScope(transaction: tx)) }
    }
}

/// One transaction bound to one tenant. Repositories exist only through it.
public struct TenantScope {
    let transaction: Transaction
    public let tenantID: UUID

    public var tenant: TenantRepository { TenantRepository(transaction: transaction, tenantID: tenantID) }
    public var apiKeys: APIKeyRepository { APIKeyRepository(transaction: transaction, tenantID: tenantID) }
    public var shops: ShopRepository { ShopRepository(transaction: transaction, tenantID: tenantID) }
    public var customers: CustomerRepository { CustomerRepository(transaction: transaction, tenantID: tenantID) }
    public var vehicles: VehicleRepository { VehicleRepository(transaction: transaction, tenantID: tenantID) }
    public var engineers: EngineerRepository { EngineerRepository(transaction: transaction, tenantID: tenantID) }
    public var workOrders: WorkOrderRepository { WorkOrderRepository(transaction: transaction, tenantID: tenantID) }
    public var visits: VisitRepository { VisitRepository(transaction: transaction, tenantID: tenantID) }
    public var repairReports: RepairReportRepository { RepairReportRepository(transaction: transaction, tenantID: tenantID) }
    public var acceptances: AcceptanceRepository { AcceptanceRepository(transaction: transaction, tenantID: tenantID) }
    public var qualityChecks: QualityCheckRepository { QualityCheckRepository(transaction: transaction, tenantID: tenantID) }
    public var transferRequests: TransferRequestRepository { TransferRequestRepository(transaction: transaction, tenantID: tenantID) }
    public var workOrderTypes: WorkOrderTypeRepository { WorkOrderTypeRepository(transaction: transaction, tenantID: tenantID) }
    public var intakeLinks: IntakeLinkRepository { IntakeLinkRepository(transaction: transaction, tenantID: tenantID) }
    public var requisitions: PartsRequisitionRepository { PartsRequisitionRepository(transaction: transaction, tenantID: tenantID) }
    public var extraWork: ExtraWorkRepository { ExtraWorkRepository(transaction: transaction, tenantID: tenantID) }
    public var media: MediaRepository { MediaRepository(transaction: transaction, tenantID: tenantID) }
    public var sla: SLARepository { SLARepository(transaction: transaction, tenantID: tenantID) }
    public var notifications: NotificationRepository { NotificationRepository(transaction: transaction, tenantID: tenantID) }
    public var inventory: InventoryRepository { InventoryRepository(transaction: transaction, tenantID: tenantID) }
    public var reports: ReportRepository { ReportRepository(transaction: transaction, tenantID: tenantID) }
    public var knowledge: KnowledgeRepository { KnowledgeRepository(transaction: transaction, tenantID: tenantID) }
    public var events: EventRepository { EventRepository(transaction: transaction, tenantID: tenantID) }
    public var slaClocks: SLAClockRepository { SLAClockRepository(transaction: transaction, tenantID: tenantID) }
    public var dispatch: DispatchRepository { DispatchRepository(transaction: transaction, tenantID: tenantID) }
    public var weChat: WeChatRepository { WeChatRepository(transaction: transaction, tenantID: tenantID) }
    public var customerMessages: CustomerMessageRepository { CustomerMessageRepository(transaction: transaction, tenantID: tenantID) }
    public var idempotencyKeys: IdempotencyRepository { IdempotencyRepository(transaction: transaction, tenantID: tenantID) }

    /// Runs `body` so that, when it throws, everything it wrote is undone while the rest of the
    /// transaction stands: one item of a batch.
    public func undoingOnFailure<T>(_ body: () throws -> T) throws -> T {
        try transaction.savepoint(body)
    }
}

/// One transaction outside any tenant, for the operator's platform keys.
public struct PlatformScope {
    let transaction: Transaction

    public var platformKeys: PlatformKeyRepository { PlatformKeyRepository(transaction: transaction) }
}

/// What a repository reports that a handler turns into a status code.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// No such row in this tenant. Another tenant's row is reported the same way.
    case notFound(String)
    /// The row changed since the client read it (optimistic concurrency).
    case versionMismatch(current: Int)
    /// The write conflicts with existing data (a unique value taken).
    case conflict(String)
    /// A unique value another record of the tenant already has.
    case duplicate(field: String, message: String)

    public var description: String {
        switch self {
        case .notFound(let what): "\(what) not found"
        case .versionMismatch(let current): "the record changed since you read it; its current version is \(current): fetch it again and retry"
        case .conflict(let what): what
        case .duplicate(let field, let message): "\(field) \(message)"
        }
    }
}

extension PlatformScope {
    /// Tenants with dispatch offers past their deadline at `now`: all the worker learns without a
    /// tenant, through a function that reveals nothing else.
    public func tenantsWithExpiredOffers(at now: Date) throws -> [UUID] {
        try transaction.query("SELECT t FROM tenants_with_expired_offers(\(now)::timestamptz) AS t").rows.map { try $0.decode(0) }
    }

    /// Tenants with an order whose stay in the grab pool (set by a pool-mode policy) ran out.
    public func tenantsWithLapsedPoolStays(at now: Date) throws -> [UUID] {
        try transaction.query("SELECT t FROM tenants_with_lapsed_pool_stays(\(now)::timestamptz) AS t").rows.map { try $0.decode(0) }
    }

    /// Takes lease `name` for `holder` until `now + ttl` if it is free (or already theirs) and
    /// its work last ran at least `every` ago; true when taken.
    public func takeLease(_ name: String, holder: String, ttl: TimeInterval, every: TimeInterval, now: Date) throws -> Bool {
        try !transaction.query("""
            INSERT INTO worker_leases AS l (name, holder, expires_at) VALUES (\(name), \(holder), \(now.addingTimeInterval(ttl)))
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE (l.expires_at <= \(now)::timestamptz OR l.holder = excluded.holder)
              AND (l.last_run_at IS NULL OR l.last_run_at <= \(now.addingTimeInterval(-every))::timestamptz)
            RETURNING l.name
            """).rows.isEmpty
    }

    /// Records that `holder` ran the lease's work at `now`, and frees the lease.
    public func finishLease(_ name: String, holder: String, now: Date) throws {
        try transaction.execute("""
            UPDATE worker_leases SET last_run_at = \(now), expires_at = \(now) WHERE name = \(name) AND holder = \(holder)
            """)
    }

    /// Removes idempotency keys of every tenant made before `before`; returns how many.
    /// Deletes, across tenants, up to `batch` rows a table of personal data older than each
    /// tenant keeps it (GPS trails, WeChat message rows, settled notifications).
    public func prunePersonalData(at now: Date, batch: Int) throws -> (trail: Int, weChat: Int, notifications: Int) {
        let row = try transaction.query("SELECT * FROM prune_personal_data(\(now)::timestamptz, \(batch)::integer)").rows[0]
        return (try row.decode("trail"), try row.decode("wechat"), try row.decode("notifications"))
    }

    /// Marks a batch of media past their tenant's retention (closed orders only) as purged.
    public func pruneMedia(at now: Date, batch: Int) throws -> Int {
        try transaction.query("SELECT prune_media(\(now)::timestamptz, \(batch)::integer) AS n").rows[0].decode("n")
    }

    public func pruneIdempotencyKeys(before: Date) throws -> Int {
        try transaction.query("SELECT prune_idempotency_keys(\(before)::timestamptz) AS n").rows[0].decode("n")
    }

    /// Every tenant with deliveries waiting, and when its earliest falls due (ids and moments
    /// only; a robot's pace may hold a due one back longer).
    public func tenantsWithPendingDeliveries() throws -> [(tenant: UUID, earliest: Date)] {
        try transaction.query("SELECT tenant_id, earliest FROM tenants_with_pending_deliveries()").rows.map {
            (try $0.decode("tenant_id"), try $0.decode("earliest"))
        }
    }

    /// The earliest moment an SLA check, an offer's deadline or an event to relay falls due,
    /// over all tenants; nil when nothing waits.
    public func nextSweepMoment() throws -> Date? {
        try transaction.query("SELECT next_sweep_moment() AS at").rows[0].decode("at")
    }

    /// Tenants with outbox events not yet relayed to webhook subscriptions (ids only).
    public func tenantsWithUnrelayedEvents(at now: Date) throws -> [UUID] {
        try transaction.query("SELECT t FROM tenants_with_unrelayed_events(\(now)::timestamptz) AS t").rows.map { try $0.decode(0) }
    }

    /// Where the orders rollup stands in the stream of events.
    public func reportWatermark() throws -> FeedCursor {
        let row = try transaction.query("SELECT xid, seq FROM report_watermark WHERE name = 'orders'")[0]
        return FeedCursor(transaction: try row.decode("xid"), position: try row.decode("seq"))
    }

    public func advanceReportWatermark(to cursor: FeedCursor) throws {
        try transaction.execute("""
            UPDATE report_watermark SET xid = \(String(cursor.transaction))::xid8, seq = \(cursor.position) WHERE name = 'orders'
            """)
    }

    /// Work-order events after `cursor`, over all tenants, in the feed's order (ids only).
    public func reportChanges(after cursor: FeedCursor, limit: Int) throws -> [(tenant: UUID, order: UUID, cursor: FeedCursor)] {
        try transaction.query("""
            SELECT tenant_id, work_order_id, xid, seq FROM report_changes(\(String(cursor.transaction))::xid8, \(cursor.position), \(limit))
            """).rows.map {
                (try $0.decode("tenant_id"), try $0.decode("work_order_id"),
                 FeedCursor(transaction: try $0.decode("xid"), position: try $0.decode("seq")))
            }
    }

    /// Tenants with an SLA warning or breach due at `now` (ids only).
    public func tenantsWithDueSLAClocks(at now: Date) throws -> [UUID] {
        try transaction.query("SELECT t FROM tenants_with_due_sla_clocks(\(now)::timestamptz) AS t").rows.map { try $0.decode(0) }
    }

    /// Every tenant, oldest first. Row-level security shows the app role none of them; the owner
    /// role (pitstop-admin) sees all.
    public func allTenants() throws -> [Tenant] {
        try transaction.query("SELECT \(unsafeRaw: TenantRepository.columns) FROM tenants ORDER BY created_at, id")
            .rows.map(TenantRepository.decode)
    }
}
