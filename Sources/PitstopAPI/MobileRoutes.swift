import Crypto
import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    /// What the engineer's app shows: the engineer's queue and one order with everything needed
    /// to drive there and do the job. An engineer key sees its own engineer's orders only.
    var mobileRoutes: [Router.Route] {
        [
            tenantRoute("GET", "/v1/me/queue", roles: [.engineer]) { _, caller, scope in
                let engineer = try Self.callerEngineer(caller)
                var queue = QueueBody()
                var shops: [UUID: Shop] = [:]
                for order in try scope.workOrders.assigned(to: engineer, limit: 200) {
                    let offer = order.status == .assigned ? try scope.dispatch.pendingOffer(workOrder: order.id, forUpdate: false) : nil
                    let item = QueueItemBody(order, navigation: try Self.navigation(for: order, shops: &shops, in: scope),
                                             offerExpiresAt: offer?.expiresAt)
                    switch order.status {
                    case .assigned: queue.offered.append(item)
                    case .accepted: queue.accepted.append(item)
                    default: queue.inProgress.append(item)
                    }
                }
                return try .json(queue)
            },
            tenantRoute("GET", "/v1/me/work-orders/{id}", roles: [.engineer]) { request, caller, scope in
                let engineer = try Self.callerEngineer(caller)
                let order = try scope.workOrders.get(id: try Self.pathID(request, "work order"))
                // Another engineer's order is answered like a missing one.
                guard order.assigneeID == engineer else { throw StoreError.notFound("work order") }
                var shops: [UUID: Shop] = [:]
                var history: [HistoryItemBody] = []
                if let vehicle = order.vehicleID {
                    var filter = WorkOrderRepository.Filter()
                    filter.vehicleID = vehicle
                    history = try scope.workOrders.list(filter, limit: 11, after: nil).filter { $0.id != order.id }.prefix(10).map(HistoryItemBody.init)
                }
                return try .record(MobileOrderBody(workOrder: WorkOrderBody(order, tenantID: caller.tenant.id),
                                                   customer: CustomerBody(try scope.customers.get(id: order.customerID)),
                                                   vehicle: try order.vehicleID.map { VehicleBody(try scope.vehicles.get(id: $0)) },
                                                   history: history,
                                                   navigation: try Self.navigation(for: order, shops: &shops, in: scope),
                                                   visits: try scope.visits.visits(id: order.id).map(VisitBody.init),
                                                   report: try scope.repairReports.reports(id: order.id).first.map(ReportBody.init),
                                                   media: try scope.media.list(workOrder: order.id).map(MediaBody.init)),
                                   version: order.version)
            },
            tenantRoute("POST", "/v1/me/work-orders/{id}/check-in", roles: [.engineer]) { request, caller, scope in
                let (order, engineer, point) = try Self.visitRequest(request, caller, scope)
                return try .json(VisitBody(try Self.checkIn(order, engineer: engineer, at: point, caller, scope)), status: 201)
            },
            // A new version of the repair report. The first needs no If-Match; later ones name the
            // version they edited, so a stale phone cannot overwrite a newer report.
            tenantRoute("PUT", "/v1/me/work-orders/{id}/report", roles: [.engineer]) { request, caller, scope in
                let order = try Self.workingOrder(request, caller, scope)
                let basedOn = request.headers["If-Match"] == nil ? nil : try Self.ifMatchVersion(request)
                let body = try JSONCoding.decode(ReportInputBody.self, from: request.body, allowedFields: ReportInputBody.fields)
                do {
                    let report = try Self.saveReport(order, body, basedOn: basedOn, caller, scope)
                    return try .record(ReportBody(report), version: report.version, status: 201)
                } catch StoreError.versionMismatch(let current) where basedOn == nil {
                    throw Problem(status: 428, type: "precondition-required", title: "Precondition required",
                                  detail: "the order has a report (version \(current)); send If-Match with the ETag of the version you edited",
                                  errors: [.init(field: "If-Match", message: "is required")])
                }
            },
            // The customer signs the report shown on the engineer's phone; that closes the order.
            tenantRoute("POST", "/v1/me/work-orders/{id}/acceptance", roles: [.engineer]) { request, caller, scope in
                let order = try Self.workingOrder(request, caller, scope)
                let body = try JSONCoding.decode(AcceptanceInputBody.self, from: request.body, allowedFields: AcceptanceInputBody.fields)
                let (completed, accepted) = try Self.sign(order, body, tenant: caller.tenant, by: .customer(via: caller.key.id), in: scope)
                return try .record(AcceptanceResultBody(workOrder: WorkOrderBody(completed, tenantID: caller.tenant.id),
                                                        acceptance: AcceptanceBody(accepted)), version: completed.version)
            },
            // The engineer's own duty status, which dispatch respects: only available and busy
            // engineers are offered work. The whole state is replaced, so If-Match is honoured
            // when sent but not required: a phone toggling it offline has nothing to merge.
            tenantRoute("PUT", "/v1/me/duty", roles: [.engineer]) { request, caller, scope in
                let id = try Self.callerEngineer(caller)
                let body = try JSONCoding.decode(DutyBody.self, from: request.body, allowedFields: ["status"])
                guard let status = Engineer.Status(rawValue: body.status) else {
                    throw ValidationError(field: "status", "must be one of \(Engineer.Status.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let version = request.headers["If-Match"] == nil ? try scope.engineers.get(id: id).version : try Self.ifMatchVersion(request)
                let engineer = try EngineerRoster(scope: scope).setDuty(id, expectedVersion: version, status)
                return try .record(EngineerBody(engineer), version: engineer.version)
            },
            tenantRoute("POST", "/v1/me/work-orders/{id}/check-out", roles: [.engineer]) { request, caller, scope in
                let (order, engineer, point) = try Self.visitRequest(request, caller, scope)
                return try .json(VisitBody(try OrderLifecycle(scope: scope, tenant: caller.tenant, by: .key(caller.key)).checkOut(order.id, engineer: engineer, at: point)))
            },
        ]
    }

    /// The customer's signature on the order's current report: checked, kept, and the order
    /// completed. Shared by the engineer's phone and the link sent to the customer.
    /// The customer signs `order` as `party`: the lifecycle's signing, with the report hashed as
    /// this API shows it.
    static func sign(_ order: WorkOrder, _ body: AcceptanceInputBody, tenant: Tenant, by party: ActingParty,
                     in scope: TenantScope) throws -> (WorkOrder, AcceptanceRepository.Acceptance) {
        try OrderLifecycle(scope: scope, tenant: tenant, by: party)
            .sign(order, signerName: body.signerName, reportVersion: body.reportVersion, shownSHA256: body.reportSha256,
                  signatureType: body.signatureType,
                  signatureBase64: body.signature, reportHash: ReportBody.sha256)
    }

    /// The engineer's own order in work: accepted or later, still open.
    static func workingOrder(_ request: HTTPRequest, _ caller: TenantCaller, _ scope: TenantScope) throws -> WorkOrder {
        try workingOrder(try pathID(request, "work order"), caller, scope)
    }

    static func workingOrder(_ id: UUID, _ caller: TenantCaller, _ scope: TenantScope) throws -> WorkOrder {
        let engineer = try callerEngineer(caller)
        let order = try scope.workOrders.get(id: id)
        guard order.assigneeID == engineer else { throw StoreError.notFound("work order") }
        guard order.status.isOpen, order.status != .new, order.status != .assigned, order.status != .reopened else {
            throw Problem.conflict("accept the order first; it is \(order.status.rawValue)")
        }
        return order
    }

    /// The engineer's arrival at `order`, measured against where the order expects them.
    static func checkIn(_ order: WorkOrder, engineer: UUID, at point: GeoPoint, _ caller: TenantCaller, _ scope: TenantScope) throws -> Visit {
        var shops: [UUID: Shop] = [:]
        let expected = try navigation(for: order, shops: &shops, in: scope).map { GeoPoint(latitude: $0.latitude, longitude: $0.longitude) }
        let distance = expected.map { Int(($0.distanceKm(to: point) * 1000).rounded()) }
        let radius = try scope.dispatch.rules(shopID: order.shopID, typeID: order.typeID).rules.checkInRadiusMeters
        return try OrderLifecycle(scope: scope, tenant: caller.tenant, by: .key(caller.key))
            .checkIn(order.id, engineer: engineer, at: point, distanceMeters: distance, outsideRadius: distance.map { $0 > radius } ?? false)
    }

    /// A new version of `order`'s repair report, `basedOn` the version edited (nil for the first).
    static func saveReport(_ order: WorkOrder, _ body: ReportInputBody, basedOn: Int?, _ caller: TenantCaller,
                           _ scope: TenantScope) throws -> RepairReport {
        let labour = (body.labour ?? []).map { RepairReport.LabourLine(description: $0.description, hours: $0.hours, price: $0.price) }
        let parts = (body.parts ?? []).map { RepairReport.PartLine(partNumber: $0.partNumber, name: $0.name, quantity: $0.quantity,
                                                                  unitPrice: $0.unitPrice) }
        return try OrderLifecycle(scope: scope, tenant: caller.tenant, by: .key(caller.key))
            .saveReport(order.id, basedOn: basedOn, diagnosis: body.diagnosis ?? "", workPerformed: body.workPerformed ?? "",
                        labour: labour, parts: parts, mileageKm: body.mileageKm, beforePhotos: body.beforePhotos ?? [],
                        afterPhotos: body.afterPhotos ?? [])
    }

    /// The engineer's order in work and the position sent.
    static func visitRequest(_ request: HTTPRequest, _ caller: TenantCaller,
                             _ scope: TenantScope) throws -> (order: WorkOrder, engineer: UUID, point: GeoPoint) {
        let order = try workingOrder(request, caller, scope)
        return (order, try callerEngineer(caller), try position(request))
    }

    static func callerEngineer(_ caller: TenantCaller) throws -> UUID {
        guard let engineer = caller.key.engineerID else { throw Problem.forbidden("this is the engineer's app API: use an engineer key") }
        return engineer
    }

    /// The on-site location, else the shop's; nil when neither is known.
    static func navigation(for order: WorkOrder, shops: inout [UUID: Shop], in scope: TenantScope) throws -> Navigation? {
        if let site = order.site {
            return Navigation(to: GeoPoint(latitude: site.latitude, longitude: site.longitude), name: site.address ?? order.number,
                              address: site.address)
        }
        guard let shopID = order.shopID else { return nil }
        if shops[shopID] == nil { shops[shopID] = try scope.shops.get(id: shopID) }
        guard let shop = shops[shopID], let location = shop.location else { return nil }
        return Navigation(to: location, name: shop.name, address: shop.address)
    }
}

struct QueueBody: Encodable {
    /// Waiting for the engineer's answer (accept or decline).
    var offered: [QueueItemBody] = []
    var accepted: [QueueItemBody] = []
    var inProgress: [QueueItemBody] = []
}

struct QueueItemBody: Encodable {
    var id: UUID
    var number: String
    var status: String
    var priority: String
    var description: String
    var dueAt: Date?
    /// The deadline to accept an automatic offer.
    var offerExpiresAt: Date?
    var navigation: Navigation?

    init(_ order: WorkOrder, navigation: Navigation?, offerExpiresAt: Date?) {
        id = order.id
        number = order.number
        status = order.status.rawValue
        priority = order.priority.rawValue
        description = order.description
        dueAt = order.dueAt
        self.offerExpiresAt = offerExpiresAt
        self.navigation = navigation
    }
}

/// An earlier job on the same vehicle, for the engineer's context.
struct HistoryItemBody: Encodable {
    var id: UUID
    var number: String
    var status: String
    var description: String
    var createdAt: Date
    var completedAt: Date?

    init(_ order: WorkOrder) {
        id = order.id
        number = order.number
        status = order.status.rawValue
        description = order.description
        createdAt = order.createdAt
        completedAt = order.completedAt
    }
}

struct VisitBody: Encodable {
    var id: UUID
    var workOrderId: UUID
    var engineerId: UUID
    var checkedInAt: Date
    var checkIn: GeoPoint
    var distanceMeters: Int?
    var outsideRadius: Bool
    var checkedOutAt: Date?
    var checkOut: GeoPoint?

    init(_ visit: Visit) {
        id = visit.id
        workOrderId = visit.workOrderID
        engineerId = visit.engineerID
        checkedInAt = visit.checkedInAt
        checkIn = visit.checkIn
        distanceMeters = visit.distanceMeters
        outsideRadius = visit.outsideRadius
        checkedOutAt = visit.checkedOutAt
        checkOut = visit.checkOut
    }
}

struct ReportInputBody: Decodable {
    struct Labour: Decodable {
        var description: String
        var hours: Double
        var price: Double?
    }

    struct Part: Decodable {
        var partNumber: String
        var name: String
        var quantity: Double
        var unitPrice: Double?
    }

    var diagnosis: String?
    var workPerformed: String?
    var labour: [Labour]?
    var parts: [Part]?
    var mileageKm: Int?
    /// Ids of photos uploaded for this order, in the order to show them.
    var beforePhotos: [UUID]?
    var afterPhotos: [UUID]?

    static let fields: Set<String> = ["diagnosis", "work_performed", "labour", "parts", "mileage_km", "before_photos", "after_photos"]
}

/// A photo in a report: which upload, and the hash of its bytes (part of what the customer signs).
struct ReportPhotoBody: Encodable {
    var mediaId: UUID
    var sha256: String
    var contentType: String
    var contentUrl: String

    init(_ photo: RepairReport.Photo) {
        mediaId = photo.mediaID
        sha256 = photo.sha256
        contentType = photo.type.rawValue
        contentUrl = MediaBody.contentURL(photo.mediaID)
    }
}

struct ReportBody: Encodable {
    /// What a signature binds: the SHA-256 of the version as this API returns it.
    static func sha256(_ report: RepairReport) throws -> String {
        Digest.sha256(try JSONCoding.encode(ReportBody(report))).hex
    }

    var workOrderId: UUID
    var version: Int
    var diagnosis: String
    var workPerformed: String
    var labour: [RepairReport.LabourLine]
    var parts: [RepairReport.PartLine]
    var mileageKm: Int?
    var beforePhotos: [ReportPhotoBody]
    var afterPhotos: [ReportPhotoBody]
    var authorKeyId: UUID?
    var createdAt: Date

    init(_ report: RepairReport) {
        workOrderId = report.workOrderID
        version = report.version
        diagnosis = report.diagnosis
        workPerformed = report.workPerformed
        labour = report.labour
        parts = report.parts
        mileageKm = report.mileageKm
        beforePhotos = report.beforePhotos.map(ReportPhotoBody.init)
        afterPhotos = report.afterPhotos.map(ReportPhotoBody.init)
        authorKeyId = report.authorKeyID
        createdAt = report.createdAt
    }
}

struct AcceptanceInputBody: Decodable {
    var signerName: String
    /// The report version the customer was shown.
    var reportVersion: Int
    /// The hash of the version shown (optional): a signature on anything else is refused.
    var reportSha256: String?
    var signatureType: String
    /// The image, base64.
    var signature: String

    static let fields: Set<String> = ["signer_name", "report_version", "report_sha256", "signature_type", "signature"]
}

struct AcceptanceBody: Encodable {
    var reportVersion: Int
    /// SHA-256 of the signed report version as this API returns it.
    var reportSha256: String
    var signerName: String
    var signatureType: String
    var signatureBytes: Int
    var signedAt: Date

    init(_ acceptance: AcceptanceRepository.Acceptance) {
        reportVersion = acceptance.reportVersion
        reportSha256 = acceptance.reportSHA256
        signerName = acceptance.signerName
        signatureType = acceptance.signatureType
        signatureBytes = acceptance.signatureBytes
        signedAt = acceptance.signedAt
    }
}

struct AcceptanceResultBody: Encodable {
    var workOrder: WorkOrderBody
    var acceptance: AcceptanceBody
}

struct MobileOrderBody: Encodable {
    var workOrder: WorkOrderBody
    var customer: CustomerBody
    var vehicle: VehicleBody?
    /// The vehicle's other orders, newest first (ten at most).
    var history: [HistoryItemBody]
    var navigation: Navigation?
    /// Check-ins and check-outs, first first.
    var visits: [VisitBody]
    /// The repair report's latest version; send its version as If-Match to save the next.
    var report: ReportBody?
    /// Photos and videos uploaded for the order, oldest first.
    var media: [MediaBody]
}

struct DutyBody: Decodable {
    var status: String
}
