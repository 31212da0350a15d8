import Crypto
import Foundation
import PitstopCore
import Postgres

/// The scope tenant's work orders, their timeline and the events they emit. Every change writes
/// the order, its timeline entry and its outbox event in the caller's one transaction.
public struct WorkOrderRepository {
    let transaction: Transaction
    let tenantID: UUID

    static let columns = """
        id, number, channel, type_id, priority, status, customer_id, vehicle_id, shop_id, assignee_id, description, symptoms, \
        site_latitude, site_longitude, site_address, custom_fields, cancel_reason, created_at, updated_at, status_changed_at, \
        completed_at, cancelled_at, version, milestones, due_at, pooled_at, external_id
        """

    public struct Filter: Sendable, Equatable {
        public var status: WorkOrderStatus?
        public var priority: WorkOrder.Priority?
        public var channel: WorkOrder.Channel?
        public var typeID: UUID?
        public var shopID: UUID?
        public var assigneeID: UUID?
        public var customerID: UUID?
        public var vehicleID: UUID?
        public var externalID: String?
        public var createdAfter: Date?
        public var createdBefore: Date?
        public var updatedAfter: Date?
        public var updatedBefore: Date?
        /// Text that must appear in the description or in a timeline note.
        public var text: String?
        /// Orders with an SLA clock past its due time and not met.
        public var slaBreached = false
        /// Orders with a running SLA clock due within this many seconds (and not yet due).
        public var slaDueWithin: TimeInterval?
        public var sort: Sort = .created

        public init() {}
    }

    /// The order of a list: newest first; most urgent first (P1 before P2); or due soonest first
    /// (undated last). Ties go newest first.
    public enum Sort: String, Sendable, CaseIterable {
        case created, priority, due

        /// Where a page of this order ended.
        public func cursor(after order: WorkOrder) -> PageCursor {
            let key: String? = switch self {
            case .created: nil
            case .priority: order.priority.rawValue
            case .due: order.dueAt.map { String(Int64(($0.timeIntervalSince1970 * 1_000_000).rounded())) } ?? PageCursor.noValue
            }
            return PageCursor(createdAt: order.createdAt, id: order.id, sortKey: key)
        }
    }

    /// One entry of an order's timeline.
    public struct Event: Sendable, Equatable {
        public var id: UUID
        public var occurredAt: Date
        public var actorKeyID: UUID?
        public var kind: String
        public var fromStatus: String?
        public var toStatus: String
        public var note: String?
    }

    /// Creates an order numbered in `zone`'s calendar day (intake has checked that the vehicle is
    /// the customer's). `actor` is the API key acting (nil for public intake); `note` goes on the
    /// creation's timeline entry, for staff only. `slaApplies` tells whether the tenant has SLA
    /// policies, so the lifecycle knows whether to look for one (tenants without SLA pay no
    /// round trip for it).
    public func create(_ new: NewWorkOrder, zone: TimeZone, actor: UUID?, note: String? = nil,
                       now: Date = Date()) throws -> (order: WorkOrder, slaApplies: Bool) {
        // One statement takes the day's number, inserts the order and writes its timeline entry
        // and event: the counter row every creation of the tenant's day needs stays locked for
        // this statement and the COMMIT only.
        let day = WorkOrderNumber.dayKey(now, in: zone)
        // The customer's tracking link: only its hash is stored, so the order as just created is
        // the one place the link is known.
        let tracking = KeySecret.newSecret()
        let row = try Self.mappingReferences {
            try transaction.query("""
                WITH n AS (
                    INSERT INTO work_order_counters (tenant_id, day, last_number) VALUES (\(tenantID), \(day)::date, 1)
                    ON CONFLICT (tenant_id, day) DO UPDATE SET last_number = work_order_counters.last_number + 1
                    RETURNING last_number
                ), o AS (
                    INSERT INTO work_orders (tenant_id, id, number, channel, type_id, priority, status, customer_id, vehicle_id, shop_id,
                                             description, symptoms, site_latitude, site_longitude, site_address, custom_fields,
                                             created_at, updated_at, status_changed_at, milestones, due_at, external_id)
                    SELECT \(tenantID)::uuid, \(UUID())::uuid,
                           'WO-' || \(day.replacingOccurrences(of: "-", with: ""))::text || '-'
                               || lpad(n.last_number::text, greatest(4, length(n.last_number::text)), '0'),
                           \(new.channel.rawValue)::text, \(new.typeID)::uuid, \(new.priority.rawValue)::text, 'new', \(new.customerID)::uuid,
                           \(new.vehicleID)::uuid, \(new.shopID)::uuid, \(new.description.trimmingCharacters(in: .whitespacesAndNewlines))::text,
                           \(new.symptoms)::text[], \(new.site?.latitude)::float8, \(new.site?.longitude)::float8, \(new.site?.address)::text,
                           \(JSONB(new.customFields))::jsonb, \(now)::timestamptz, \(now)::timestamptz, \(now)::timestamptz,
                           jsonb_build_object('new', \(now.postgresText)::text), \(new.dueAt)::timestamptz, \(new.externalID)::text
                    FROM n
                    RETURNING *
                ), tracking AS (
                    INSERT INTO tracking_links (tenant_id, secret_sha256, work_order_id, created_at)
                    SELECT o.tenant_id, \(KeySecret.sha256(of: tracking))::text, o.id, o.created_at FROM o
                )
                \(eventsAndResult(kind: .created, from: nil, note: note.map { String($0.prefix(2000)) }, actor: actor, topic: .workOrderCreated,
                                  slaFlag: .tenantHasPolicies))
                """)[0]
        }
        var order = try Self.decode(row)
        order.trackingSecret = tracking
        return (order, try row.decode("sla"))
    }

    /// The order numbered `number` (`WO-20261202-0001`), if the tenant has one.
    public func find(number: String) throws -> WorkOrder? {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM work_orders WHERE tenant_id = \(tenantID) AND number = \(number)
            """).rows.first.map(Self.decode)
    }

    /// The order for the CRM ticket `externalID`, by its unique index.
    public func find(externalID: String) throws -> WorkOrder? {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM work_orders WHERE tenant_id = \(tenantID) AND external_id = \(externalID)
            """).rows.first.map(Self.decode)
    }

    /// The order; `forUpdate` locks it until the transaction ends, so that a decision made on
    /// what it says (a claim of a pooled order) cannot race another.
    public func get(id: UUID, forUpdate: Bool = false) throws -> WorkOrder {
        let rows = try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM work_orders WHERE tenant_id = \(tenantID) AND id = \(id)
            \(unsafeRaw: forUpdate ? "FOR UPDATE" : "")
            """)
        guard let row = rows.first else { throw StoreError.notFound("work order") }
        return try Self.decode(row)
    }

    /// The orders of `ids` that exist, in no particular order.
    public func get(ids: [UUID]) throws -> [WorkOrder] {
        guard !ids.isEmpty else { return [] }
        return try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM work_orders WHERE tenant_id = \(tenantID) AND id = ANY (\(ids)::uuid[])
            """).rows.map(Self.decode)
    }

    /// In `filter.sort` order, narrowed by every filter set. Only the filters present become conditions, so
    /// each combination is its own prepared statement with a plan made for it (a catch-all
    /// `$1 IS NULL OR …` statement gets one generic plan that suits none of them).
    public func list(_ filter: Filter, limit: Int, after: PageCursor?, now: Date = Date()) throws -> [WorkOrder] {
        var conditions: [SQL] = ["tenant_id = \(tenantID)"]
        if let status = filter.status { conditions.append("status = \(status.rawValue)") }
        if let priority = filter.priority { conditions.append("priority = \(priority.rawValue)") }
        if let channel = filter.channel { conditions.append("channel = \(channel.rawValue)") }
        if let type = filter.typeID { conditions.append("type_id = \(type)") }
        if let shop = filter.shopID { conditions.append("shop_id = \(shop)") }
        if let assignee = filter.assigneeID { conditions.append("assignee_id = \(assignee)") }
        if let customer = filter.customerID { conditions.append("customer_id = \(customer)") }
        if let vehicle = filter.vehicleID { conditions.append("vehicle_id = \(vehicle)") }
        if let external = filter.externalID { conditions.append("external_id = \(external)") }
        if let start = filter.createdAfter { conditions.append("created_at >= \(start)::timestamptz") }
        if let end = filter.createdBefore { conditions.append("created_at < \(end)::timestamptz") }
        if let start = filter.updatedAfter { conditions.append("updated_at >= \(start)::timestamptz") }
        if let end = filter.updatedBefore { conditions.append("updated_at < \(end)::timestamptz") }
        if filter.slaBreached {
            conditions.append("""
                EXISTS (SELECT 1 FROM work_order_sla_clocks c
                        WHERE c.tenant_id = work_orders.tenant_id AND c.work_order_id = work_orders.id AND c.met_at IS NULL
                          AND (c.state = 'breached' OR (c.state = 'running' AND c.due_at <= \(now)::timestamptz)))
                """)
        }
        if let within = filter.slaDueWithin {
            conditions.append("""
                EXISTS (SELECT 1 FROM work_order_sla_clocks c
                        WHERE c.tenant_id = work_orders.tenant_id AND c.work_order_id = work_orders.id AND c.state = 'running'
                          AND c.due_at > \(now)::timestamptz AND c.due_at <= \(now.addingTimeInterval(within))::timestamptz)
                """)
        }
        if let text = filter.text {
            // The words are matched literally: LIKE's wildcards in them are escaped.
            let pattern = "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
            conditions.append("""
                (description ILIKE \(pattern) OR EXISTS (
                    SELECT 1 FROM work_order_events e
                    WHERE e.tenant_id = work_orders.tenant_id AND e.work_order_id = work_orders.id AND e.note ILIKE \(pattern)))
                """)
        }
        let order: SQL
        switch filter.sort {
        case .created:
            if let after { conditions.append("(created_at, id) < (\(after.createdAt)::timestamptz, \(after.id)::uuid)") }
            order = "created_at DESC, id DESC"
        case .priority:
            if let after {
                guard let priority = after.sortKey, WorkOrder.Priority(rawValue: priority) != nil else { throw Self.foreignCursor }
                conditions.append("""
                    (priority > \(priority) OR (priority = \(priority) AND (created_at, id) < (\(after.createdAt)::timestamptz, \(after.id)::uuid)))
                    """)
            }
            order = "priority, created_at DESC, id DESC"
        case .due:
            if let after {
                guard let key = after.sortKey else { throw Self.foreignCursor }
                let newer: SQL = "(created_at, id) < (\(after.createdAt)::timestamptz, \(after.id)::uuid)"
                if key == PageCursor.noValue {
                    conditions.append("(due_at IS NULL AND \(newer))")
                } else {
                    guard let micros = Int64(key) else { throw Self.foreignCursor }
                    let due = Date(timeIntervalSince1970: TimeInterval(micros) / 1_000_000)
                    conditions.append("(due_at > \(due)::timestamptz OR due_at IS NULL OR (due_at = \(due)::timestamptz AND \(newer)))")
                }
            }
            order = "due_at ASC NULLS LAST, created_at DESC, id DESC"
        }
        return try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM work_orders
            WHERE \(SQL.joined(conditions, separator: " AND "))
            ORDER BY \(order)
            LIMIT \(limit)
            """).rows.map(Self.decode)
    }

    /// What a status change wrote, and what its follow-ups need to know.
    public struct StatusChange: Sendable {
        public var order: WorkOrder
        public var from: WorkOrderStatus
        /// The order has SLA clocks to move along.
        public var hasClocks: Bool
    }

    /// Writes the step of `locked` (from `lockForChange`) to `next`, which the lifecycle has
    /// checked. Moving to `assigned` needs `assignee`; a cancellation keeps `reason`.
    public func transition(_ locked: WorkOrder, to next: WorkOrderStatus, note: String?, reason: String?,
                           assignee: UUID?, actor: UUID?, now: Date = Date()) throws -> StatusChange {
        let (id, current) = (locked.id, locked.status)
        precondition(next != .assigned || assignee != nil, "the lifecycle names the engineer of an assignment")
        let changed = try Self.mappingReferences {
            try transaction.query("""
                WITH o AS (
                    UPDATE work_orders SET
                        status = \(next.rawValue),
                        status_changed_at = \(now),
                        assignee_id = CASE WHEN \(next == .assigned)::boolean THEN \(assignee)::uuid
                                           WHEN \(next == .new || next == .reopened)::boolean THEN NULL ELSE assignee_id END,
                        completed_at = CASE WHEN \(next == .completed)::boolean THEN \(now)::timestamptz ELSE completed_at END,
                        cancelled_at = CASE WHEN \(next == .cancelled)::boolean THEN \(now)::timestamptz ELSE cancelled_at END,
                        cancel_reason = CASE WHEN \(next == .cancelled)::boolean THEN \(reason?.trimmingCharacters(in: .whitespacesAndNewlines))::text
                                             ELSE cancel_reason END,
                        pooled_at = CASE WHEN \(next == .new || next == .reopened)::boolean THEN pooled_at END,
                        pool_until = CASE WHEN \(next == .new || next == .reopened)::boolean THEN pool_until END,
                        milestones = CASE WHEN milestones ? \(next.rawValue)::text THEN milestones
                                          ELSE milestones || jsonb_build_object(\(next.rawValue)::text, \(now.postgresText)::text) END,
                        updated_at = \(now),
                        version = version + 1
                    WHERE tenant_id = \(tenantID) AND id = \(id)
                    RETURNING *
                )
                \(eventsAndResult(kind: .statusChanged, from: current, note: note ?? reason, actor: actor, topic: .workOrderStatusChanged,
                                  slaFlag: .orderHasClocks))
                """)[0]
        }
        return StatusChange(order: try Self.decode(changed), from: current, hasClocks: try changed.decode("sla"))
    }

    /// Publishes an unassigned order to the grab pool, if it is still at `expectedVersion`; a
    /// policy's publication stays `until` a moment, after which the offer sweep moves it on.
    public func pool(id: UUID, expectedVersion: Int, note: String?, until: Date? = nil, actor: UUID?, now: Date = Date()) throws -> WorkOrder {
        let current = try lockForChange(id: id, expectedVersion: expectedVersion)
        guard current.status == .new || current.status == .reopened else {
            throw StoreError.conflict("only an unassigned order (new or reopened) can go to the pool; this one is \(current.status.rawValue)")
        }
        guard current.pooledAt == nil else { throw StoreError.conflict("the order is already in the pool") }
        return try Self.decode(transaction.query("""
            WITH o AS (
                UPDATE work_orders SET pooled_at = \(now), pool_until = \(until), updated_at = \(now), version = version + 1
                WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING *
            )
            \(eventsAndResult(kind: .pooled, from: nil, note: note, actor: actor, topic: .workOrderPooled))
            """)[0])
    }

    /// Records that automatic dispatch gave up on the order and leaves it to the dispatchers;
    /// `eventID` is the id of its `work_order.needs_dispatcher` event.
    public func markDispatchExhausted(id: UUID, note: String, eventID: UUID = UUID(), now: Date = Date()) throws -> WorkOrder {
        let rows = try transaction.query("""
            WITH o AS (
                UPDATE work_orders SET updated_at = \(now), version = version + 1 WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING *
            )
            \(eventsAndResult(kind: .dispatchExhausted, from: nil, note: note, actor: nil, topic: .workOrderNeedsDispatcher, eventID: eventID))
            """)
        guard let row = rows.first else { throw StoreError.notFound("work order") }
        return try Self.decode(row)
    }

    /// Pooled orders whose stay ran out at `now`, earliest first, locked for this transaction;
    /// orders another worker holds are skipped.
    public func lapsedPoolStays(at now: Date, limit: Int) throws -> [WorkOrder] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM work_orders
            WHERE tenant_id = \(tenantID) AND pool_until <= \(now)::timestamptz
            ORDER BY pool_until LIMIT \(limit)
            FOR UPDATE SKIP LOCKED
            """).rows.map(Self.decode)
    }

    /// Takes an order out of the pool again.
    public func unpool(id: UUID, expectedVersion: Int, actor: UUID?, now: Date = Date()) throws -> WorkOrder {
        let current = try lockForChange(id: id, expectedVersion: expectedVersion)
        guard current.pooledAt != nil else { throw StoreError.conflict("the order is not in the pool") }
        return try Self.decode(transaction.query("""
            WITH o AS (
                UPDATE work_orders SET pooled_at = NULL, pool_until = NULL, updated_at = \(now), version = version + 1
                WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING *
            )
            \(eventsAndResult(kind: .unpooled, from: nil, note: nil, actor: actor, topic: .workOrderUnpooled))
            """)[0])
    }

    /// Writes the move of `locked` (from `lockForChange`, checked by the lifecycle) from
    /// `previous` to `engineer`, at status `next`, and closes its open transfer requests.
    public func transfer(_ locked: WorkOrder, from previous: UUID, to engineer: UUID, next: WorkOrderStatus, reason: String, actor: UUID?,
                         now: Date = Date()) throws -> WorkOrder {
        let (id, current) = (locked.id, locked)
        let note = String("\(previous.lowercasedText) → \(engineer.lowercasedText): \(reason)".prefix(2000))
        try transaction.execute("""
            UPDATE transfer_requests SET resolved_at = \(now) WHERE tenant_id = \(tenantID) AND work_order_id = \(id) AND resolved_at IS NULL
            """)
        return try Self.mappingReferences {
            try Self.decode(transaction.query("""
                WITH o AS (
                    UPDATE work_orders SET assignee_id = \(engineer), status = \(next.rawValue), updated_at = \(now), version = version + 1
                    WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING *
                )
                \(eventsAndResult(kind: .transferred, from: current.status, note: note, actor: actor, topic: .workOrderTransferred))
                """)[0])
        }
    }

    /// An open request by an engineer to hand the order on.
    public struct TransferRequest: Sendable, Equatable {
        public var id: UUID
        public var workOrderID: UUID
        public var engineerID: UUID
        public var reason: String
        public var requestedAt: Date
    }

    /// Records the assignee's request to hand the order on; one open request per order.
    public func requestTransfer(id: UUID, engineer: UUID, reason: String, actor: UUID?, now: Date = Date()) throws -> TransferRequest {
        let requestID = UUID()
        do {
            try transaction.execute("""
                INSERT INTO transfer_requests (tenant_id, id, work_order_id, engineer_id, reason, requested_at)
                VALUES (\(tenantID), \(requestID), \(id), \(engineer), \(reason), \(now))
                """)
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            throw StoreError.conflict("a transfer of this order was requested already; a dispatcher will answer it")
        }
        try touch(id: id, kind: .transferRequested, note: String("transfer requested: \(reason)".prefix(2000)), actor: actor,
                  topic: .workOrderTransferRequested, now: now)
        return TransferRequest(id: requestID, workOrderID: id, engineerID: engineer, reason: reason, requestedAt: now)
    }

    /// Open transfer requests, oldest first: the dispatchers' inbox.
    public func openTransferRequests(limit: Int) throws -> [TransferRequest] {
        try transaction.query("""
            SELECT id, work_order_id, engineer_id, reason, requested_at FROM transfer_requests
            WHERE tenant_id = \(tenantID) AND resolved_at IS NULL ORDER BY requested_at, id LIMIT \(limit)
            """).rows.map {
            TransferRequest(id: try $0.decode(0), workOrderID: try $0.decode(1), engineerID: try $0.decode(2), reason: try $0.decode(3),
                            requestedAt: try $0.decode(4))
        }
    }

    /// The order, locked for a change, if it is still at `expectedVersion`.
    public func lockForChange(id: UUID, expectedVersion: Int) throws -> WorkOrder {
        let order = try get(id: id, forUpdate: true)
        guard order.version == expectedVersion else { throw StoreError.versionMismatch(current: order.version) }
        return order
    }

    /// The engineer's open orders, most urgent first: what their phone shows as their queue.
    public func assigned(to engineer: UUID, limit: Int) throws -> [WorkOrder] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM work_orders
            WHERE tenant_id = \(tenantID) AND assignee_id = \(engineer) AND status NOT IN ('completed', 'cancelled')
            ORDER BY priority, created_at, id
            LIMIT \(limit)
            """).rows.map(Self.decode)
    }

    /// Whether `engineer` has an open order of `customer`, or for `vehicle`: what lets their key
    /// read that customer or vehicle.
    public func hasOpenOrder(assignedTo engineer: UUID, customer: UUID? = nil, vehicle: UUID? = nil) throws -> Bool {
        try transaction.query("""
            SELECT EXISTS (
                SELECT 1 FROM work_orders
                WHERE tenant_id = \(tenantID) AND assignee_id = \(engineer) AND status NOT IN ('completed', 'cancelled')
                  AND (\(customer)::uuid IS NULL OR customer_id = \(customer)::uuid)
                  AND (\(vehicle)::uuid IS NULL OR vehicle_id = \(vehicle)::uuid))
            """)[0].decode(0)
    }

    static let visitColumns = """
        id, work_order_id, engineer_id, checked_in_at, in_latitude, in_longitude, in_distance_m, outside_radius, \
        checked_out_at, out_latitude, out_longitude
        """

    /// Records the engineer's arrival, with its timeline entry and event. A second check-in
    /// before a check-out is a conflict.
    public func checkIn(id: UUID, engineer: UUID, at point: GeoPoint, distanceMeters: Int?, outsideRadius: Bool,
                        now: Date = Date()) throws -> Visit {
        let visit: Visit
        do {
            visit = try Self.decodeVisit(transaction.query("""
                INSERT INTO work_order_visits (tenant_id, id, work_order_id, engineer_id, checked_in_at, in_latitude, in_longitude,
                                               in_distance_m, outside_radius)
                VALUES (\(tenantID), \(UUID()), \(id), \(engineer), \(now), \(point.latitude), \(point.longitude), \(distanceMeters),
                        \(outsideRadius))
                RETURNING \(unsafeRaw: Self.visitColumns)
                """)[0])
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            throw StoreError.conflict("already checked in to this order; check out first")
        }
        let note = distanceMeters.map { "checked in \($0) m from the expected place" + (outsideRadius ? ", outside the check-in radius" : "") }
            ?? "checked in (the order has no expected place)"
        try touch(id: id, kind: .checkedIn, note: note, actor: nil, topic: .workOrderCheckedIn, now: now)
        return visit
    }

    /// Closes the engineer's open visit to the order.
    public func checkOut(id: UUID, engineer: UUID, at point: GeoPoint, now: Date = Date()) throws -> Visit {
        let rows = try transaction.query("""
            UPDATE work_order_visits SET checked_out_at = \(now), out_latitude = \(point.latitude), out_longitude = \(point.longitude)
            WHERE tenant_id = \(tenantID) AND work_order_id = \(id) AND engineer_id = \(engineer) AND checked_out_at IS NULL
            RETURNING \(unsafeRaw: Self.visitColumns)
            """)
        guard let row = rows.first else { throw StoreError.conflict("not checked in to this order") }
        try touch(id: id, kind: .checkedOut, note: nil, actor: nil, topic: .workOrderCheckedOut, now: now)
        return try Self.decodeVisit(row)
    }

    /// The order's visits, first first.
    public func visits(id: UUID) throws -> [Visit] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.visitColumns) FROM work_order_visits
            WHERE tenant_id = \(tenantID) AND work_order_id = \(id) ORDER BY checked_in_at, id
            """).rows.map(Self.decodeVisit)
    }

    /// Saves a new version of the order's repair report. `basedOn` is the version the author
    /// edited (nil for the first report); saves are serialised on the order's row, so two authors
    /// cannot both build on one version.
    /// `orderMedia` is what was uploaded for the order, which the photos name (the use case has
    /// checked them with `RepairReport.photoErrors`).
    public func saveReport(id: UUID, basedOn: Int?, diagnosis: String, workPerformed: String, labour: [RepairReport.LabourLine],
                           parts: [RepairReport.PartLine], mileageKm: Int?, beforePhotos: [UUID] = [], afterPhotos: [UUID] = [],
                           orderMedia media: [Media] = [], actor: UUID?, now: Date = Date()) throws -> RepairReport {
        guard try !transaction.query("SELECT 1 FROM work_orders WHERE tenant_id = \(tenantID) AND id = \(id) FOR UPDATE").rows.isEmpty else {
            throw StoreError.notFound("work order")
        }
        if let signed = try acceptance(id: id) {
            throw StoreError.conflict("the customer signed version \(signed.reportVersion) of the report; it is final")
        }
        let current = try reports(id: id).first?.version ?? 0
        guard (basedOn ?? 0) == current else { throw StoreError.versionMismatch(current: current) }
        var report = try Self.decodeReport(transaction.query("""
            INSERT INTO work_order_reports (tenant_id, work_order_id, version, diagnosis, work_performed, labour, parts, mileage_km,
                                            author_key_id, created_at)
            VALUES (\(tenantID), \(id), \(current + 1), \(diagnosis.trimmingCharacters(in: .whitespacesAndNewlines)),
                    \(workPerformed.trimmingCharacters(in: .whitespacesAndNewlines)), \(JSONB(labour))::jsonb, \(JSONB(parts))::jsonb,
                    \(mileageKm), \(actor), \(now))
            RETURNING \(unsafeRaw: Self.reportColumns)
            """)[0])
        let byID = Dictionary(media.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for (stage, ids) in [("before", beforePhotos), ("after", afterPhotos)] {
            for (position, mediaID) in ids.enumerated() {
                try transaction.execute("""
                    INSERT INTO work_order_report_photos (tenant_id, work_order_id, report_version, stage, position, media_id)
                    VALUES (\(tenantID), \(id), \(report.version), \(stage), \(position), \(mediaID))
                    """)
            }
        }
        report.beforePhotos = beforePhotos.compactMap { byID[$0].map(Self.photo) }
        report.afterPhotos = afterPhotos.compactMap { byID[$0].map(Self.photo) }
        try touch(id: id, kind: .reportSaved, note: "repair report version \(report.version)", actor: actor,
                  topic: .workOrderReportSaved, now: now)
        return report
    }

    static let reportColumns = "work_order_id, version, diagnosis, work_performed, labour, parts, mileage_km, author_key_id, created_at"

    /// Every version of the order's repair report, newest first, with its photos.
    public func reports(id: UUID) throws -> [RepairReport] {
        var reports = try transaction.query("""
            SELECT \(unsafeRaw: Self.reportColumns) FROM work_order_reports
            WHERE tenant_id = \(tenantID) AND work_order_id = \(id) ORDER BY version DESC
            """).rows.map(Self.decodeReport)
        guard !reports.isEmpty else { return reports }
        let photos = try transaction.query("""
            SELECT p.report_version, p.stage, m.id, m.work_order_id, m.content_type, m.size_bytes, m.sha256, m.engineer_id,
                   m.uploaded_by, m.created_at
            FROM work_order_report_photos p
            JOIN work_order_media m ON m.tenant_id = p.tenant_id AND m.id = p.media_id
            WHERE p.tenant_id = \(tenantID) AND p.work_order_id = \(id)
            ORDER BY p.report_version, p.stage, p.position
            """)
        let index = Dictionary(uniqueKeysWithValues: reports.enumerated().map { ($1.version, $0) })
        for row in photos.rows {
            let version: Int = try row.decode("report_version")
            let stage: String = try row.decode("stage")
            guard let at = index[version] else { continue }
            let photo = Self.photo(try MediaRepository.decode(row))
            if stage == "before" { reports[at].beforePhotos.append(photo) } else { reports[at].afterPhotos.append(photo) }
        }
        return reports
    }

    static func photo(_ media: Media) -> RepairReport.Photo {
        RepairReport.Photo(mediaID: media.id, sha256: media.sha256, type: media.type)
    }

    static func decodeReport(_ row: Row) throws -> RepairReport {
        RepairReport(workOrderID: try row.decode("work_order_id"), version: try row.decode("version"), diagnosis: try row.decode("diagnosis"),
                     workPerformed: try row.decode("work_performed"), labour: try row.decodeJSON("labour"), parts: try row.decodeJSON("parts"),
                     mileageKm: try row.decode("mileage_km"), authorKeyID: try row.decode("author_key_id"), createdAt: try row.decode("created_at"))
    }

    /// What a signed acceptance records, without the image.
    public struct Acceptance: Sendable, Equatable {
        public var reportVersion: Int
        public var reportSHA256: String
        public var signerName: String
        public var signatureType: String
        public var signatureBytes: Int
        public var signedAt: Date
    }

    /// Records the customer's signature on report `reportVersion` (whose SHA-256 is given); one per order.
    public func accept(id: UUID, reportVersion: Int, reportSHA256: String, signerName: String, signature: Signature, actor: UUID?,
                       now: Date = Date()) throws -> Acceptance {
        do {
            try transaction.execute("""
                INSERT INTO work_order_acceptances (tenant_id, work_order_id, report_version, report_sha256, signer_name, signature_type,
                                                    signature, signed_at, actor_key_id)
                VALUES (\(tenantID), \(id), \(reportVersion), \(reportSHA256), \(signerName.trimmingCharacters(in: .whitespacesAndNewlines)),
                        \(signature.kind.rawValue), \("\\x" + signature.bytes.hex)::bytea, \(now), \(actor))
                """)
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            throw StoreError.conflict("the customer has already accepted this order")
        }
        guard let accepted = try acceptance(id: id) else { throw StoreError.notFound("acceptance") }
        return accepted
    }

    public func acceptance(id: UUID) throws -> Acceptance? {
        try transaction.query("""
            SELECT report_version, report_sha256, signer_name, signature_type, length(signature) AS bytes, signed_at
            FROM work_order_acceptances WHERE tenant_id = \(tenantID) AND work_order_id = \(id)
            """).first.map { row in
            Acceptance(reportVersion: try row.decode("report_version"), reportSHA256: try row.decode("report_sha256"),
                       signerName: try row.decode("signer_name"), signatureType: try row.decode("signature_type"),
                       signatureBytes: try row.decode("bytes"), signedAt: try row.decode("signed_at"))
        }
    }

    /// A new link for the customer to sign through; the secret is what its token carries.
    public func createAcceptanceLink(id: UUID, validFor seconds: TimeInterval, now: Date = Date()) throws -> (secret: String, expiresAt: Date) {
        let secret = KeySecret.newSecret()
        let expires = now.addingTimeInterval(seconds)
        try transaction.execute("""
            INSERT INTO acceptance_links (tenant_id, secret_sha256, work_order_id, created_at, expires_at)
            VALUES (\(tenantID), \(KeySecret.sha256(of: secret)), \(id), \(now), \(expires))
            """)
        return (secret, expires)
    }

    /// The order an unexpired acceptance link names.
    public func get(acceptanceSecret secret: String, now: Date = Date()) throws -> WorkOrder? {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM work_orders
            WHERE tenant_id = \(tenantID) AND id = (SELECT work_order_id FROM acceptance_links
                                                   WHERE tenant_id = \(tenantID) AND secret_sha256 = \(KeySecret.sha256(of: secret))
                                                     AND expires_at > \(now))
            """).first.map(Self.decode)
    }

    /// The customer's rating, once per order, with its event.
    public func rate(id: UUID, score: Int, comment: String?, now: Date = Date()) throws {
        do {
            try transaction.execute("""
                WITH rated AS (
                    INSERT INTO work_order_ratings (tenant_id, work_order_id, score, comment, rated_at)
                    VALUES (\(tenantID), \(id), \(score), \(comment), \(now))
                    RETURNING work_order_id
                )
                INSERT INTO outbox (tenant_id, id, topic, aggregate_id, payload)
                SELECT \(tenantID), \(UUID()), \(EventType.workOrderRated.rawValue)::text, work_order_id,
                       jsonb_build_object('event', \(EventType.workOrderRated.rawValue)::text, 'work_order_id', work_order_id, 'score', \(score)::int, 'at', \(now)::timestamptz)
                FROM rated
                """)
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            throw StoreError.conflict("this order has been rated already")
        }
    }

    public func rating(id: UUID) throws -> (score: Int, comment: String?)? {
        try transaction.query("SELECT score, comment FROM work_order_ratings WHERE tenant_id = \(tenantID) AND work_order_id = \(id)")
            .first.map { (try $0.decode("score"), try $0.decode("comment")) }
    }

    public func recordQualityCheck(_ check: QualityCheck) throws {
        try transaction.execute("""
            INSERT INTO quality_checks (tenant_id, id, work_order_id, inspector_key_id, inspector_name, results, passed, checked_at)
            VALUES (\(tenantID), \(check.id), \(check.workOrderID), \(check.inspectorKeyID),
                    \(check.inspectorName.trimmingCharacters(in: .whitespacesAndNewlines)), \(JSONB(check.results))::jsonb, \(check.passed),
                    \(check.checkedAt))
            """)
    }

    /// The order's quality checks, first first.
    public func qualityChecks(id: UUID) throws -> [QualityCheck] {
        try transaction.query("""
            SELECT id, work_order_id, inspector_key_id, inspector_name, results, checked_at FROM quality_checks
            WHERE tenant_id = \(tenantID) AND work_order_id = \(id) ORDER BY checked_at, id
            """).rows.map { row in
            QualityCheck(id: try row.decode("id"), workOrderID: try row.decode("work_order_id"),
                         inspectorKeyID: try row.decode("inspector_key_id"), inspectorName: try row.decode("inspector_name"),
                         results: try row.decodeJSON("results"), checkedAt: try row.decode("checked_at"))
        }
    }

    /// A timeline entry and event that do not change the order's details.
    public func touch(id: UUID, kind: TimelineKind, note: String?, actor: UUID?, topic: EventType, now: Date = Date()) throws {
        _ = try transaction.query("""
            WITH o AS (
                UPDATE work_orders SET updated_at = \(now), version = version + 1 WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING *
            )
            \(eventsAndResult(kind: kind, from: nil, note: note, actor: actor, topic: topic))
            """)
    }

    static func decodeVisit(_ row: Row) throws -> Visit {
        let outLatitude: Double? = try row.decode("out_latitude")
        let outLongitude: Double? = try row.decode("out_longitude")
        return Visit(id: try row.decode("id"), workOrderID: try row.decode("work_order_id"), engineerID: try row.decode("engineer_id"),
                     checkedInAt: try row.decode("checked_in_at"),
                     checkIn: GeoPoint(latitude: try row.decode("in_latitude"), longitude: try row.decode("in_longitude")),
                     distanceMeters: try row.decode("in_distance_m"), outsideRadius: try row.decode("outside_radius"),
                     checkedOutAt: try row.decode("checked_out_at"),
                     checkOut: outLatitude.flatMap { lat in outLongitude.map { GeoPoint(latitude: lat, longitude: $0) } })
    }

    /// Pooled orders, oldest in the pool first.
    public func pooled(limit: Int) throws -> [WorkOrder] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM work_orders
            WHERE tenant_id = \(tenantID) AND pooled_at IS NOT NULL
            ORDER BY pooled_at, id
            LIMIT \(limit)
            """).rows.map(Self.decode)
    }

    /// Applies `changes` if the order is still at `expectedVersion`. Custom-field values sent are
    /// merged into the stored ones; a null removes one.
    public func update(id: UUID, expectedVersion: Int, _ changes: WorkOrderChanges, actor: UUID?, now: Date = Date()) throws -> WorkOrder {
        let setFields = (changes.customFields ?? [:]).filter { $0.value != .null }
        let removedFields = (changes.customFields ?? [:]).filter { $0.value == .null }.keys.sorted()
        let note = String("changed \(changes.changedFields.joined(separator: ", "))".prefix(2000))
        let site = changes.site.newValue
        let rows = try Self.mappingReferences {
            try transaction.query("""
                WITH o AS (
                    UPDATE work_orders SET
                        priority = coalesce(\(changes.priority?.rawValue)::text, priority),
                        shop_id = CASE WHEN \(changes.shopID.isKeep)::boolean THEN shop_id ELSE \(changes.shopID.newValue)::uuid END,
                        description = coalesce(\(changes.description?.trimmingCharacters(in: .whitespacesAndNewlines))::text, description),
                        symptoms = coalesce(\(changes.symptoms)::text[], symptoms),
                        site_latitude = CASE WHEN \(changes.site.isKeep)::boolean THEN site_latitude ELSE \(site?.latitude)::float8 END,
                        site_longitude = CASE WHEN \(changes.site.isKeep)::boolean THEN site_longitude ELSE \(site?.longitude)::float8 END,
                        site_address = CASE WHEN \(changes.site.isKeep)::boolean THEN site_address ELSE \(site?.address)::text END,
                        custom_fields = (custom_fields || \(JSONB(setFields))::jsonb) - \(removedFields)::text[],
                        due_at = CASE WHEN \(changes.dueAt.isKeep)::boolean THEN due_at ELSE \(changes.dueAt.newValue)::timestamptz END,
                        updated_at = \(now),
                        version = version + 1
                    WHERE tenant_id = \(tenantID) AND id = \(id) AND version = \(expectedVersion)
                    RETURNING *
                )
                \(eventsAndResult(kind: .updated, from: nil, note: note, actor: actor, topic: .workOrderUpdated))
                """)
        }
        guard let row = rows.first else {
            throw try RecordVersion.failure(transaction, table: "work_orders", tenantID: tenantID, id: id, what: "work order")
        }
        return try Self.decode(row)
    }

    static let foreignCursor = ValidationError(field: "cursor", "belongs to a list sorted another way")

    /// The newest open order of `vehicle` opened at or after `since`, if any: the duplicate guard.
    public func openOrder(forVehicle vehicle: UUID, since: Date) throws -> WorkOrder? {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM work_orders
            WHERE tenant_id = \(tenantID) AND vehicle_id = \(vehicle) AND created_at >= \(since)
              AND status NOT IN ('completed', 'cancelled')
            ORDER BY created_at DESC, id DESC
            LIMIT 1
            """).first.map(Self.decode)
    }

    /// Records another report of the order's vehicle on the order itself (timeline entry and
    /// event) instead of opening a duplicate.
    public func linkReport(to id: UUID, channel: WorkOrder.Channel, description: String, actor: UUID?, now: Date = Date()) throws -> WorkOrder {
        let note = String("\(channel.rawValue): \(description.trimmingCharacters(in: .whitespacesAndNewlines))".prefix(2000))
        let rows = try transaction.query("""
            WITH o AS (
                UPDATE work_orders SET updated_at = \(now) WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING *
            )
            \(eventsAndResult(kind: .linkedReport, from: nil, note: note, actor: actor, topic: .workOrderReportLinked))
            """)
        guard let row = rows.first else { throw StoreError.notFound("work order") }
        return try Self.decode(row)
    }

    /// Adds a customer's message (a WeChat text, say) to the order's timeline without moving it.
    public func addCustomerMessage(to id: UUID, channel: WorkOrder.Channel, text: String, now: Date = Date()) throws -> WorkOrder {
        let note = String("\(channel.rawValue): \(text.trimmingCharacters(in: .whitespacesAndNewlines))".prefix(2000))
        let rows = try transaction.query("""
            WITH o AS (
                UPDATE work_orders SET updated_at = \(now) WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING *
            )
            \(eventsAndResult(kind: .customerMessage, from: nil, note: note, actor: nil, topic: .workOrderCustomerMessage))
            """)
        guard let row = rows.first else { throw StoreError.notFound("work order") }
        return try Self.decode(row)
    }

    /// The newest open order of `customer`, if any: where a customer's further messages go.
    public func openOrder(forCustomer customer: UUID) throws -> WorkOrder? {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM work_orders
            WHERE tenant_id = \(tenantID) AND customer_id = \(customer) AND status NOT IN ('completed', 'cancelled')
            ORDER BY created_at DESC, id DESC
            LIMIT 1
            """).first.map(Self.decode)
    }

    /// The order a tracking token names.
    public func get(trackingSecret: String) throws -> WorkOrder? {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM work_orders
            WHERE tenant_id = \(tenantID) AND id = (SELECT work_order_id FROM tracking_links
                                                   WHERE tenant_id = \(tenantID) AND secret_sha256 = \(KeySecret.sha256(of: trackingSecret)))
            """).first.map(Self.decode)
    }

    /// Another tracking link for the order (the first was lost, or a message needs one); returns
    /// its secret, which only this answer knows.
    public func newTrackingLink(id: UUID, now: Date = Date()) throws -> String {
        let secret = KeySecret.newSecret()
        try transaction.execute("""
            INSERT INTO tracking_links (tenant_id, secret_sha256, work_order_id, created_at)
            VALUES (\(tenantID), \(KeySecret.sha256(of: secret)), \(id), \(now))
            """)
        return secret
    }

    /// The statuses the order went through, oldest first: what a customer following it sees.
    public func statusHistory(id: UUID) throws -> [(status: String, at: Date)] {
        try transaction.query("""
            SELECT to_status, occurred_at FROM work_order_events
            WHERE tenant_id = \(tenantID) AND work_order_id = \(id) AND kind IN (\(TimelineKind.created.rawValue), \(TimelineKind.statusChanged.rawValue))
            ORDER BY occurred_at, id
            """).rows.map { (try $0.decode("to_status"), try $0.decode("occurred_at")) }
    }

    /// The order's timeline, oldest first.
    public func timeline(id: UUID) throws -> [Event] {
        _ = try get(id: id)
        return try transaction.query("""
            SELECT id, occurred_at, actor_key_id, kind, from_status, to_status, note FROM work_order_events
            WHERE tenant_id = \(tenantID) AND work_order_id = \(id) ORDER BY occurred_at, id
            """).rows.map { row in
            Event(id: try row.decode("id"), occurredAt: try row.decode("occurred_at"), actorKeyID: try row.decode("actor_key_id"),
                  kind: try row.decode("kind"), fromStatus: try row.decode("from_status"), toStatus: try row.decode("to_status"),
                  note: try row.decode("note"))
        }
    }

    /// The tail of a statement whose CTE `o` inserted or updated one work order: its timeline
    /// entry, its outbox event (the event id is what receivers de-duplicate on), and the order's
    /// columns as the result — all in the statement that made the change.
    /// `slaFlag` adds a boolean column `sla` to the result: whether the tenant has SLA policies
    /// (for a new order) or the order has clocks (for a status change), so tenants without SLA
    /// pay no extra round trip for it.
    private func eventsAndResult(kind: TimelineKind, from: WorkOrderStatus?, note: String?, actor: UUID?, topic: EventType,
                                 slaFlag: SLAFlag = .none, eventID: UUID = UUID()) -> SQL {
        """
        , event AS (
            INSERT INTO work_order_events (tenant_id, id, work_order_id, occurred_at, actor_key_id, kind, from_status, to_status, note)
            SELECT o.tenant_id, \(UUID())::uuid, o.id, o.updated_at, \(actor)::uuid, \(kind.rawValue)::text, \(from?.rawValue)::text,
                   o.status, \(note)::text
            FROM o
        ), message AS (
            INSERT INTO outbox (tenant_id, id, topic, aggregate_id, payload)
            SELECT o.tenant_id, \(eventID)::uuid, \(topic.rawValue)::text, o.id,
                   jsonb_build_object('event', \(topic.rawValue)::text, 'work_order_id', o.id, 'number', o.number,
                                      'from', \(from?.rawValue)::text, 'to', o.status, 'at', o.updated_at)
            FROM o
        )
        SELECT \(unsafeRaw: Self.columns)\(unsafeRaw: slaFlag.column) FROM o
        """
    }

    enum SLAFlag {
        case none, tenantHasPolicies, orderHasClocks

        var column: String {
            switch self {
            case .none: ""
            case .tenantHasPolicies: ", EXISTS (SELECT 1 FROM sla_policies p WHERE p.tenant_id = o.tenant_id) AS sla"
            case .orderHasClocks:
                ", EXISTS (SELECT 1 FROM work_order_sla_clocks c WHERE c.tenant_id = o.tenant_id AND c.work_order_id = o.id) AS sla"
            }
        }
    }

    /// References to another tenant's (or no) record break a composite foreign key: name the field.
    static func mappingReferences<T>(_ body: () throws -> T) throws -> T {
        do {
            return try namingReferences(body)
        } catch let error as PostgresError where error.sqlState == .uniqueViolation && error.constraint == "work_orders_external_id" {
            throw StoreError.duplicate(field: "external_id", message: "is another order's")
        }
    }

    private static func namingReferences<T>(_ body: () throws -> T) throws -> T {
        try ReferenceErrors.naming(["work_orders_tenant_id_type_id_fkey": "type_id", "work_orders_tenant_id_customer_id_fkey": "customer_id",
                                    "work_orders_tenant_id_vehicle_id_fkey": "vehicle_id", "work_orders_tenant_id_shop_id_fkey": "shop_id",
                                    "work_orders_tenant_id_assignee_id_fkey": "assignee_id"], body)
    }

    /// `{"assigned": "2026-11-26T06:59:34.123456Z", …}` as written by `create` and `transition`.
    static func milestones(_ text: String) throws -> [WorkOrderStatus: Date] {
        var milestones: [WorkOrderStatus: Date] = [:]
        for (name, value) in try JSONValue.object(parsing: text) {
            guard let status = WorkOrderStatus(rawValue: name), case .string(let stamp) = value,
                  let date = Date.decode(postgresText: stamp) else {
                throw PostgresError(kind: .decoding, message: "work_orders.milestones holds \(name): \(value)")
            }
            milestones[status] = date
        }
        return milestones
    }

    static func status(_ row: Row) throws -> WorkOrderStatus {
        let text: String = try row.decode("status")
        guard let status = WorkOrderStatus(rawValue: text) else {
            throw PostgresError(kind: .decoding, message: "work_orders.status holds unknown status \(text)")
        }
        return status
    }

    static func decode(_ row: Row) throws -> WorkOrder {
        let channelText: String = try row.decode("channel")
        let priorityText: String = try row.decode("priority")
        guard let channel = WorkOrder.Channel(rawValue: channelText), let priority = WorkOrder.Priority(rawValue: priorityText) else {
            throw PostgresError(kind: .decoding, message: "work_orders holds an unknown channel or priority")
        }
        let latitude: Double? = try row.decode("site_latitude")
        let longitude: Double? = try row.decode("site_longitude")
        let address: String? = try row.decode("site_address")
        let site = latitude.flatMap { lat in longitude.map { WorkOrder.Site(latitude: lat, longitude: $0, address: address) } }
        return WorkOrder(id: try row.decode("id"), number: try row.decode("number"), channel: channel, typeID: try row.decode("type_id"),
                         priority: priority, status: try status(row), customerID: try row.decode("customer_id"),
                         vehicleID: try row.decode("vehicle_id"), shopID: try row.decode("shop_id"), assigneeID: try row.decode("assignee_id"),
                         description: try row.decode("description"), symptoms: try row.decode("symptoms"),
                         site: site,
                         customFields: try row.decodeJSON("custom_fields", parse: JSONValue.object(parsing:)), cancelReason: try row.decode("cancel_reason"),
                         createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"),
                         statusChangedAt: try row.decode("status_changed_at"), completedAt: try row.decode("completed_at"),
                         cancelledAt: try row.decode("cancelled_at"), version: try row.decode("version"),
                         trackingSecret: nil,
                         milestones: try row.decodeJSON("milestones", parse: Self.milestones), dueAt: try row.decode("due_at"),
                         pooledAt: try row.decode("pooled_at"), externalID: try row.decode("external_id"))
    }
}
