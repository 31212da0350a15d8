import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    var workOrderRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/work-orders", roles: Self.recordWriters) { [self] request, caller, scope in
                try idempotent(request, scope, secrets: ["tracking_token"]) {
                    let body = try JSONCoding.decode(NewWorkOrderBody.self, from: request.body, allowedFields: NewWorkOrderBody.fields)
                    return try Self.createWorkOrder(body, caller: caller, scope: scope)
                }
            },
            // Only a link's hash is kept: staff who need the customer's tracking link again (lost,
            // or to send by another channel) make another; earlier ones keep working.
            tenantRoute("POST", "/v1/work-orders/{id}/tracking-link", roles: Self.recordWriters) { [self] request, caller, scope in
                let order = try Self.readableOrder(request, caller, scope)
                let token = PublicToken(kind: .tracking, tenantID: caller.tenant.id, secret: try scope.workOrders.newTrackingLink(id: order.id)).text
                var response = try HTTPResponse.json(TrackingLinkBody(token: token, url: "\(configuration.publicBaseURL)/v1/public/track/\(token)"),
                                                     status: 201)
                response.headers.add("Cache-Control", "no-store")
                return response
            },
            tenantRoute("GET", "/v1/work-orders", roles: Self.allRoles) { request, caller, scope in
                let page = try PageRequest(request)
                var filter = try Self.workOrderFilter(request)
                // An engineer key lists its own orders, whatever else the query asks.
                if caller.key.role == .engineer { filter.assigneeID = try Self.callerEngineer(caller) }
                let orders = try scope.workOrders.list(filter, limit: page.limit + 1, after: page.cursor)
                return try .page(orders, limit: page.limit, cursor: filter.sort.cursor(after:),
                                 body: { WorkOrderBody($0, tenantID: caller.tenant.id) })
            },
            tenantRoute("GET", "/v1/work-orders/{id}", roles: Self.allRoles) { request, caller, scope in
                let order = try Self.readableOrder(request, caller, scope)
                return try .record(WorkOrderBody(order, tenantID: caller.tenant.id), version: order.version)
            },
            tenantRoute("PATCH", "/v1/work-orders/{id}", roles: Self.recordWriters) { request, caller, scope in
                let id = try Self.pathID(request, "work order")
                let version = try Self.ifMatchVersion(request)
                let body = try JSONCoding.decode(WorkOrderChangesBody.self, from: request.body, allowedFields: WorkOrderChangesBody.fields)
                let order = try OrderLifecycle(scope: scope, tenant: caller.tenant, by: .key(caller.key))
                    .edit(id, expectedVersion: version, body.changes)
                return try .record(WorkOrderBody(order, tenantID: caller.tenant.id), version: order.version)
            },
            // Every key may ask; the step table says whose step it is (WorkOrderLifecycle.steps).
            tenantRoute("POST", "/v1/work-orders/{id}/transitions", roles: Self.allRoles) { request, caller, scope in
                // An order out of an engineer key's reach is answered like a missing one.
                let id = try Self.readableOrder(request, caller, scope).id
                let version = try Self.ifMatchVersion(request)
                let body = try JSONCoding.decode(TransitionBody.self, from: request.body,
                                                 allowedFields: ["to", "note", "reason", "assignee_id", "override"])
                try Self.checkTransitionTexts(note: body.note, reason: body.reason)
                let lifecycle = OrderLifecycle(scope: scope, tenant: caller.tenant, by: .key(caller.key))
                let order: WorkOrder
                if body.to == .assigned {
                    // Assigning through a transition is the dispatcher's direct pick: recorded like one.
                    guard let engineer = body.assigneeId else { throw ValidationError(field: "assignee_id", "is required to assign an order") }
                    (order, _) = try Self.pick(try scope.workOrders.get(id: id), expectedVersion: version, engineer: engineer,
                                               field: "assignee_id", reason: body.note, overriding: body.override ?? false,
                                               caller: caller, scope: scope)
                } else {
                    order = try lifecycle.move(id, expectedVersion: version, to: body.to, note: body.note, reason: body.reason)
                }
                return try .record(WorkOrderBody(order, tenantID: caller.tenant.id), version: order.version)
            },
            tenantRoute("GET", "/v1/work-orders/{id}/report", roles: Self.allRoles) { request, caller, scope in
                let order = try Self.readableOrder(request, caller, scope)
                return try .json(["versions": try scope.repairReports.reports(id: order.id).map(ReportBody.init)])
            },
            tenantRoute("GET", "/v1/work-orders/{id}/acceptance", roles: Self.allRoles) { request, caller, scope in
                let order = try Self.readableOrder(request, caller, scope)
                guard let acceptance = try scope.acceptances.acceptance(id: order.id) else { throw StoreError.notFound("acceptance") }
                return try .json(AcceptanceBody(acceptance))
            },
            tenantRoute("GET", "/v1/work-orders/{id}/trail", roles: [.admin, .dispatcher]) { request, caller, scope in
                let order = try Self.readableOrder(request, caller, scope)
                return try .json(["items": try scope.engineers.trail(workOrder: order.id).map { TrailPointBody(at: $0.at, point: $0.point) }])
            },
            tenantRoute("GET", "/v1/work-orders/{id}/timeline", roles: Self.allRoles) { request, caller, scope in
                let order = try Self.readableOrder(request, caller, scope)
                let entries = try scope.workOrders.timeline(id: order.id).map(TimelineEntryBody.init)
                    + scope.customerMessages.sent(order: order.id).map(TimelineEntryBody.init)
                return try .json(["items": entries.sorted { ($0.occurredAt, $0.id) < ($1.occurredAt, $1.id) }])
            },
        ]
    }

    /// A step's note and (cancelling) reason are bounded.
    static func checkTransitionTexts(note: String?, reason: String?) throws {
        if let note, note.count > 2000 { throw ValidationError(field: "note", "must be at most 2000 characters") }
        if let reason, reason.count > 1000 { throw ValidationError(field: "reason", "must be at most 1000 characters") }
    }

    /// Opens an order from a client's description (or adds it to the vehicle's open order: the
    /// duplicate guard) in the caller's transaction.
    static func createWorkOrder(_ body: NewWorkOrderBody, caller: TenantCaller, scope: TenantScope) throws -> HTTPResponse {
        let outcome = try WorkOrderIntake(scope: scope, tenant: caller.tenant, by: .key(caller.key)).open(try body.report())
        let order = outcome.order
        guard case .opened = outcome else {
            var response = try HTTPResponse.record(WorkOrderBody(order, tenantID: caller.tenant.id), version: order.version)
            response.headers.add("Location", "/v1/work-orders/\(order.id.lowercasedText)")
            response.headers.add("Pitstop-Linked-To-Open-Order", "true")
            return response
        }
        return try .created(WorkOrderBody(order, tenantID: caller.tenant.id), version: order.version,
                            location: "/v1/work-orders/\(order.id.lowercasedText)")
    }

    static func workOrderFilter(_ request: HTTPRequest) throws -> WorkOrderRepository.Filter {
        var filter = WorkOrderRepository.Filter()
        filter.externalID = request.queryValue("external_id")
        func parse<T>(_ name: String, _ message: String, _ convert: (String) -> T?) throws -> T? {
            guard let text = request.queryValue(name) else { return nil }
            guard let value = convert(text) else { throw Problem.badQuery(name, message) }
            return value
        }
        let uuid = "must be an id (UUID)"
        filter.status = try parse("status", "must be one of \(WorkOrderStatus.allCases.map(\.rawValue).joined(separator: ", "))") {
            WorkOrderStatus(rawValue: $0)
        }
        filter.priority = try parse("priority", "must be P1, P2, P3 or P4") { WorkOrder.Priority(rawValue: $0) }
        filter.channel = try parse("channel", "must be one of phone, app, wechat, web, qr, api") { WorkOrder.Channel(rawValue: $0) }
        filter.typeID = try parse("type_id", uuid, UUID.init(uuidString:))
        filter.shopID = try parse("shop_id", uuid, UUID.init(uuidString:))
        filter.assigneeID = try parse("assignee_id", uuid, UUID.init(uuidString:))
        filter.customerID = try parse("customer_id", uuid, UUID.init(uuidString:))
        filter.vehicleID = try parse("vehicle_id", uuid, UUID.init(uuidString:))
        let date = "must be an ISO-8601 date-time such as 2026-11-25T00:00:00+08:00"
        filter.createdAfter = try parse("created_after", date, Self.parseDateTime)
        filter.createdBefore = try parse("created_before", date, Self.parseDateTime)
        filter.updatedAfter = try parse("updated_after", date, Self.parseDateTime)
        filter.updatedBefore = try parse("updated_before", date, Self.parseDateTime)
        filter.sort = try parse("sort", "must be created (newest first), priority (P1 first) or due (soonest first)") {
            WorkOrderRepository.Sort(rawValue: $0)
        } ?? .created
        filter.slaBreached = try parse("sla", "must be breached (orders past an SLA due time)") { $0 == "breached" ? true : nil } ?? false
        filter.slaDueWithin = try parse("breaching_within", "must be a number of minutes from 1 to 10080") {
            Int($0).flatMap { (1...10_080).contains($0) ? TimeInterval($0 * 60) : nil }
        }
        filter.text = try parse("q", "must be 1 to 100 characters of text to find") { text in
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return (1...100).contains(trimmed.count) ? trimmed : nil
        }
        return filter
    }

    static func parseDateTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}

struct NewWorkOrderBody: Decodable {
    var channel: WorkOrder.Channel?
    var typeId: UUID
    var priority: WorkOrder.Priority?
    var customerId: UUID?
    var customer: CustomerInputBody?
    var vehicleId: UUID?
    var vehicle: VehicleInputBody?
    var shopId: UUID?
    var description: String
    var symptoms: [String]?
    var site: WorkOrder.Site?
    var customFields: [String: JSONValue]?
    var dueAt: Date?
    /// Open a new order even if the vehicle has an open one (the duplicate guard steps aside).
    var insist: Bool?
    /// The ticket's id in the chain's CRM; such an order is never merged into another.
    var externalId: String?
    /// Run the dispatch policy's mode on the new order (default: yes, but not for a CRM ticket).
    var dispatch: Bool?

    static let fields: Set<String> = ["channel", "type_id", "priority", "customer_id", "customer", "vehicle_id", "vehicle",
                                      "shop_id", "description", "symptoms", "site", "custom_fields", "due_at", "insist", "external_id",
                                      "dispatch"]

    /// The report as intake takes it. A ticket with its own CRM id is an order of its own.
    func report() throws -> IntakeReport {
        let customer: IntakeReport.Reference<CustomerInput> = switch (customerId, self.customer) {
        case (let id?, nil): .id(id)
        case (nil, let inline?): .described(inline.input)
        default: throw ValidationError(field: "customer_id", "send either customer_id or an inline customer")
        }
        let vehicle: IntakeReport.Reference<VehicleInput>? = switch (vehicleId, self.vehicle) {
        case (let id?, nil): .id(id)
        case (nil, let inline?): .described(inline.input)
        case (nil, nil): nil
        case (_?, _?): throw ValidationError(field: "vehicle_id", "send either vehicle_id or an inline vehicle, not both")
        }
        return IntakeReport(source: externalId != nil ? .ticket : insist == true ? .deskInsisting : .desk, channel: channel ?? .api,
                            typeID: typeId, priority: priority ?? .p3, customer: customer, vehicle: vehicle, shopID: shopId,
                            description: description, symptoms: symptoms ?? [], site: site, customFields: customFields ?? [:],
                            dueAt: dueAt, externalID: externalId, dispatch: dispatch)
    }
}

struct WorkOrderChangesBody: Decodable, ReadsNulls {
    var changes: WorkOrderChanges

    static let fields: Set<String> = ["priority", "shop_id", "description", "symptoms", "site", "custom_fields", "due_at"]

    enum CodingKeys: String, CodingKey {
        case priority, shopId, description, symptoms, site, customFields, dueAt
    }

    init(from decoder: Decoder) throws {
        let read = FieldReader(container: try decoder.container(keyedBy: CodingKeys.self))
        changes = WorkOrderChanges(priority: try read.value(.priority), shopID: try read.update(.shopId),
                                   description: try read.value(.description), symptoms: try read.value(.symptoms),
                                   site: try read.update(.site), customFields: try read.value(.customFields),
                                   dueAt: try read.update(.dueAt))
    }
}

struct TransitionBody: Decodable {
    var to: WorkOrderStatus
    var note: String?
    var reason: String?
    var assigneeId: UUID?
    /// With `to: assigned`: assign although the engineer fails a hard rule.
    var override: Bool?
}

struct WorkOrderBody: Encodable {
    var id: String
    var number: String
    var channel: String
    var typeId: String
    var priority: String
    var status: String
    var customerId: String
    var vehicleId: String?
    var shopId: String?
    var assigneeId: String?
    var description: String
    var symptoms: [String]
    var site: WorkOrder.Site?
    var customFields: [String: JSONValue]
    var cancelReason: String?
    var createdAt: Date
    var updatedAt: Date
    var statusChangedAt: Date
    var completedAt: Date?
    var cancelledAt: Date?
    var version: Int
    /// For staff to pass on (by SMS, say): the customer follows the order with it. In the answer
    /// that created the order only (`POST …/tracking-link` makes another).
    var trackingToken: String?
    /// When the order first reached each status, by status.
    var milestones: [String: Date]
    var dueAt: Date?
    var pooledAt: Date?
    var externalId: String?

    init(_ order: WorkOrder, tenantID: UUID) {
        id = order.id.lowercasedText
        number = order.number
        channel = order.channel.rawValue
        typeId = order.typeID.lowercasedText
        priority = order.priority.rawValue
        status = order.status.rawValue
        customerId = order.customerID.lowercasedText
        vehicleId = order.vehicleID?.lowercasedText
        shopId = order.shopID?.lowercasedText
        assigneeId = order.assigneeID?.lowercasedText
        description = order.description
        symptoms = order.symptoms
        site = order.site
        customFields = order.customFields
        cancelReason = order.cancelReason
        createdAt = order.createdAt
        updatedAt = order.updatedAt
        statusChangedAt = order.statusChangedAt
        completedAt = order.completedAt
        cancelledAt = order.cancelledAt
        version = order.version
        trackingToken = order.trackingSecret.map { PublicToken(kind: .tracking, tenantID: tenantID, secret: $0).text }
        milestones = Dictionary(uniqueKeysWithValues: order.milestones.map { ($0.key.rawValue, $0.value) })
        dueAt = order.dueAt
        pooledAt = order.pooledAt
        externalId = order.externalID
    }
}

struct TrailPointBody: Encodable {
    var at: Date
    var latitude: Double
    var longitude: Double

    init(at: Date, point: GeoPoint) {
        self.at = at
        latitude = point.latitude
        longitude = point.longitude
    }
}

struct TimelineEntryBody: Encodable {
    var id: String
    var occurredAt: Date
    var actorKeyId: String?
    var kind: String
    var fromStatus: String?
    var toStatus: String
    var note: String?
    /// A message to the customer: how its delivery stands now.
    var delivery: DeliveryStateBody?

    init(_ event: WorkOrderRepository.Event) {
        id = event.id.lowercasedText
        occurredAt = event.occurredAt
        actorKeyId = event.actorKeyID?.lowercasedText
        kind = event.kind
        fromStatus = event.fromStatus
        toStatus = event.toStatus
        note = event.note
    }

    init(_ sent: CustomerMessageRepository.Sent) {
        id = sent.deliveryID.lowercasedText
        occurredAt = sent.createdAt
        kind = TimelineKind.messageToCustomer.rawValue
        toStatus = (sent.orderStatus ?? sent.moment.status)?.rawValue ?? ""
        note = sent.summary
        delivery = DeliveryStateBody(channelId: sent.channelID.lowercasedText, moment: sent.moment.rawValue, state: sent.state,
                                     attempts: sent.attempts, nextAttemptAt: sent.state == "pending" ? sent.nextAttemptAt : nil,
                                     deliveredAt: sent.deliveredAt, lastError: sent.lastError)
    }
}

struct DeliveryStateBody: Encodable {
    var channelId: String
    var moment: String
    /// pending (queued, or held for quiet hours until next_attempt_at), delivered or dead.
    var state: String
    var attempts: Int
    var nextAttemptAt: Date?
    var deliveredAt: Date?
    var lastError: String?
}

/// A customer's tracking link, shown once.
struct TrackingLinkBody: Encodable {
    var token: String
    var url: String
}
