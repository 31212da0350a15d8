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

    /// A timeline entry and event that do not change the order's details.
    public func touch(id: UUID, kind: TimelineKind, note: String?, actor: UUID?, topic: EventType, now: Date = Date()) throws {
        _ = try transaction.query("""
            WITH o AS (
                UPDATE work_orders SET updated_at = \(now), version = version + 1 WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING *
            )
            \(eventsAndResult(kind: kind, from: nil, note: note, actor: actor, topic: topic))
            """)
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
