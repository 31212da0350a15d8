import Crypto
import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore
import Postgres

extension APIApplication {
    /// The engineer's app offline: `GET /v1/me/sync?since=` catches up on what changed, and
    /// `POST /v1/me/sync` sends the steps made without a connection, each applied on its own.
    var syncRoutes: [Router.Route] {
        [
            tenantRoute("GET", "/v1/me/sync", roles: [.engineer]) { request, caller, scope in
                let engineer = try Self.callerEngineer(caller)
                let since = try request.queryValue("since").map { text in
                    guard let cursor = FeedCursor(encoded: text) else {
                        throw Problem.badQuery("since", "must be the next_since of an earlier sync; leave it out for everything")
                    }
                    return cursor
                }
                var limit = 500
                if let text = request.queryValue("limit") {
                    guard let value = Int(text), (1...1000).contains(value) else { throw Problem.badQuery("limit", "must be a whole number from 1 to 1000") }
                    limit = value
                }
                let changes = try EngineerSync(scope: scope, engineer: engineer).changes(since: since, limit: limit)
                return try .json(SyncBody(changes, tenantID: caller.tenant.id))
            },
            tenantRoute("POST", "/v1/me/sync", roles: [.engineer]) { request, caller, scope in
                let items = try Self.mutationItems(request.body)
                var batch = MutationBatch(caller: caller, scope: scope, engineer: try Self.callerEngineer(caller))
                let results = try items.map { try batch.apply($0) }
                let body = Array("{\"results\":[".utf8) + Array(results.joined(separator: ",").utf8) + Array("]}".utf8)
                return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), body: body)
            },
        ]
    }

    /// The batch's mutations, each as the JSON object it came as; at most `mutationLimit`.
    static func mutationItems(_ body: [UInt8]) throws -> [[String: Any]] {
        struct Envelope: Decodable { var mutations: [JSONValue] }
        let envelope = try JSONCoding.decode(Envelope.self, from: body, allowedFields: ["mutations"])
        guard (1...mutationLimit).contains(envelope.mutations.count) else {
            throw ValidationError(field: "mutations", "must hold 1 to \(mutationLimit) mutations; send more in another batch")
        }
        // Decoded again as Foundation objects: each item is checked as a body of its own.
        let parsed = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        return (parsed?["mutations"] as? [Any] ?? []).map { $0 as? [String: Any] ?? [:] }
    }

    static let mutationLimit = 100
}

/// One offline batch of an engineer's steps, applied in order, each in a savepoint of its own: a
/// refused one undoes only itself.
///
/// Conflict rules: every mutation names the version of the order it was `based_on_version`. It
/// applies when the order is still at that version, or when everything that changed it since was
/// done by earlier mutations of the same batch (so an app can send all its offline steps on the
/// version it last saw). Otherwise it is a conflict naming the order's current version and
/// status, and nothing of it is applied: the app syncs and decides again. A mutation whose
/// `idempotency_key` was applied before is answered as it was then (`already_applied`), whatever
/// the order's version now; the key is spent only when a mutation applies.
struct MutationBatch {
    let caller: TenantCaller
    let scope: TenantScope
    let engineer: UUID
    /// Per order: the version the batch's first mutation was based on, and the version the
    /// batch's own mutations have brought it to.
    private var reached: [UUID: (base: Int, now: Int)] = [:]

    init(caller: TenantCaller, scope: TenantScope, engineer: UUID) {
        self.caller = caller
        self.scope = scope
        self.engineer = engineer
    }

    static let common: Set<String> = ["idempotency_key", "type", "work_order_id", "based_on_version"]

    enum Kind: String, CaseIterable {
        case accept, decline, transition
        case checkIn = "check_in"
        case checkOut = "check_out"
        case report

        var fields: Set<String> {
            switch self {
            case .accept: []
            case .decline: ["reason"]
            case .transition: ["to", "note", "reason"]
            case .checkIn, .checkOut: PositionBody.fields
            case .report: ["report", "report_version"]
            }
        }
    }

    struct Header: Decodable {
        var idempotencyKey: String
        var type: String
        var workOrderId: UUID
        var basedOnVersion: Int
    }

    /// The JSON answer to one mutation. Throws only what ends the whole transaction (a lost
    /// connection, a deadlock or serialization failure), for the batch to be retried or refused.
    mutating func apply(_ item: [String: Any]) throws -> String {
        let bytes = (try? JSONSerialization.data(withJSONObject: item, options: [.sortedKeys])).map(Array.init) ?? []
        var key: String?
        do {
            let header = try JSONCoding.decode(Header.self, from: bytes, allowedFields: Set(item.keys))
            key = header.idempotencyKey
            guard (1...255).contains(header.idempotencyKey.utf8.count) else {
                throw ValidationError(field: "idempotency_key", "must be 1 to 255 characters")
            }
            // Versions are int4 in the database: a larger number names no version anything can have.
            guard (1...Int(Int32.max)).contains(header.basedOnVersion) else {
                throw ValidationError(field: "based_on_version", "must be a version the order has had (a whole number from 1)")
            }
            guard let kind = Kind(rawValue: header.type) else {
                throw ValidationError(field: "type", "must be one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return try scope.undoingOnFailure {
                let stored = "me-sync:\(engineer.lowercasedText):\(header.idempotencyKey)"
                switch try scope.idempotencyKeys.claim(key: stored, requestHash: Digest.sha256(bytes).hex) {
                case .replay(_, let body, _):
                    return body
                case .mismatch:
                    throw ValidationError(field: "idempotency_key", "was used for another mutation; use a new key for a new one")
                case .claimed:
                    let applied = try run(kind, header, bytes)
                    // What a resend of the key is answered: the same, said to be applied before.
                    var replay = applied
                    if replay.outcome == "applied" { replay.outcome = "already_applied" }
                    try scope.idempotencyKeys.complete(key: stored, status: 200, body: try result(replay, key: header.idempotencyKey), location: nil)
                    return try result(applied, key: header.idempotencyKey)
                }
            }
        } catch let database as PostgresError where database.isTransient || database.kind == .connectionLost {
            throw database
        } catch let conflict as VersionConflict {
            return (try? result(MutationResultBody(outcome: "conflict", status: 409, currentVersion: conflict.order.version,
                                                   currentStatus: conflict.order.status.rawValue,
                                                   problem: ItemProblemBody(Problem(status: 409, type: "version-conflict", title: "Version conflict",
                                                                                    detail: conflict.detail,
                                                                                    errors: [.init(field: "based_on_version", message: conflict.detail)]))),
                                key: key)) ?? "{}"
        } catch {
            let mapped = ErrorMapping.problem(for: error)
            let problem = mapped as? Problem
                ?? Problem(status: 500, type: "internal", title: "Internal error", detail: "this mutation could not be applied; send it again later")
            return (try? result(MutationResultBody(outcome: "rejected", status: problem.status, problem: ItemProblemBody(problem)), key: key)) ?? "{}"
        }
    }

    private func result(_ body: MutationResultBody, key: String?) throws -> String {
        var body = body
        body.idempotencyKey = key
        return String(decoding: try JSONCoding.encode(body), as: UTF8.self)
    }

    struct VersionConflict: Error {
        var order: WorkOrder
        var basedOn: Int
        var detail: String {
            "the order is at version \(order.version) (\(order.status.rawValue)), not \(basedOn): sync and decide again"
        }
    }

    /// A mutation's step, its fields checked.
    enum Step {
        case accept
        case decline(reason: String)
        case transition(to: WorkOrderStatus, note: String?, reason: String?)
        case checkIn(GeoPoint)
        case checkOut(GeoPoint)
        case report(ReportItem)
    }

    /// The step of a mutation of `kind`, or the problem naming its bad field.
    private func step(_ kind: Kind, _ bytes: [UInt8]) throws -> Step {
        let allowed = Self.common.union(kind.fields)
        switch kind {
        case .accept:
            _ = try JSONCoding.decode(Header.self, from: bytes, allowedFields: allowed)
            return .accept
        case .decline:
            return .decline(reason: try APIApplication.declineReason(try JSONCoding.decode(DeclineItem.self, from: bytes, allowedFields: allowed).reason))
        case .transition:
            let item = try JSONCoding.decode(TransitionItem.self, from: bytes, allowedFields: allowed)
            guard let to = WorkOrderStatus(rawValue: item.to) else {
                throw ValidationError(field: "to", "must be one of \(WorkOrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            try APIApplication.checkTransitionTexts(note: item.note, reason: item.reason)
            return .transition(to: to, note: item.note, reason: item.reason)
        case .checkIn, .checkOut:
            let point = try APIApplication.checked(try JSONCoding.decode(PositionBody.self, from: bytes, allowedFields: allowed))
            return kind == .checkIn ? .checkIn(point) : .checkOut(point)
        case .report:
            let item = try JSONCoding.decode(ReportItem.self, from: bytes, allowedFields: allowed)
            if let version = item.reportVersion, !(1...Int(Int32.max)).contains(version) {
                throw ValidationError(field: "report_version", "must be a version the report has had (a whole number from 1)")
            }
            return .report(item)
        }
    }

    /// Checks the item's fields for its kind (a bad item says so whatever the order), then its
    /// version, then makes the step.
    private mutating func run(_ kind: Kind, _ header: Header, _ bytes: [UInt8]) throws -> MutationResultBody {
        let step = try step(kind, bytes)
        let order = try APIApplication.readableOrder(header.workOrderId, caller, scope)
        guard order.version == header.basedOnVersion
            || reached[order.id].map({ $0.base == header.basedOnVersion && $0.now == order.version }) == true else {
            throw VersionConflict(order: order, basedOn: header.basedOnVersion)
        }
        let dispatcher = Dispatcher(scope: scope, tenant: caller.tenant)
        var answer = MutationResultBody(outcome: "applied", status: 200)
        switch step {
        case .accept:
            let (assigned, _) = try APIApplication.assignedToCaller(order.id, caller, scope)
            answer.workOrder = WorkOrderBody(try dispatcher.accept(assigned, engineer: engineer, by: .key(caller.key)), tenantID: caller.tenant.id)
        case .decline(let reason):
            let (assigned, _) = try APIApplication.assignedToCaller(order.id, caller, scope)
            _ = try dispatcher.passOn(assigned, from: engineer, offer: try scope.dispatch.pendingOffer(workOrder: order.id), as: .declined,
                                      reason: reason, by: .key(caller.key))
            answer.status = 204
        case .transition(let to, let note, let reason):
            guard to != .assigned else {
                throw Problem.forbidden("choosing whom an order goes to is the desk's; an engineer claims a pooled order instead")
            }
            answer.workOrder = WorkOrderBody(try OrderLifecycle(scope: scope, tenant: caller.tenant, by: .key(caller.key))
                                                 .move(order.id, expectedVersion: order.version, to: to, note: note, reason: reason),
                                             tenantID: caller.tenant.id)
        case .checkIn(let point):
            let working = try APIApplication.workingOrder(order.id, caller, scope)
            answer.visit = VisitBody(try APIApplication.checkIn(working, engineer: engineer, at: point, caller, scope))
            answer.status = 201
        case .checkOut(let point):
            let working = try APIApplication.workingOrder(order.id, caller, scope)
            answer.visit = VisitBody(try OrderLifecycle(scope: scope, tenant: caller.tenant, by: .key(caller.key)).checkOut(working.id, engineer: engineer, at: point))
        case .report(let item):
            let working = try APIApplication.workingOrder(order.id, caller, scope)
            answer.report = ReportBody(try APIApplication.saveReport(working, item.report, basedOn: item.reportVersion, caller, scope))
            answer.status = 201
        }
        let now = try scope.workOrders.get(id: order.id).version
        reached[order.id] = (base: reached[order.id]?.base ?? header.basedOnVersion, now: now)
        answer.currentVersion = now
        return answer
    }

    struct TransitionItem: Decodable {
        var to: String
        var note: String?
        var reason: String?
    }

    struct DeclineItem: Decodable {
        var reason: String
    }

    struct ReportItem: Decodable {
        var report: ReportInputBody
        /// The report version edited; nil for the order's first report.
        var reportVersion: Int?
    }
}

struct MutationResultBody: Encodable {
    var idempotencyKey: String?
    /// applied, already_applied, conflict or rejected.
    var outcome: String
    /// What the same step answers as a request of its own.
    var status: Int
    var workOrder: WorkOrderBody?
    var visit: VisitBody?
    var report: ReportBody?
    /// The order's version after this mutation, or (a conflict) the one it is at.
    var currentVersion: Int?
    var currentStatus: String?
    var problem: ItemProblemBody?

    init(outcome: String, status: Int, currentVersion: Int? = nil, currentStatus: String? = nil, problem: ItemProblemBody? = nil) {
        self.outcome = outcome
        self.status = status
        self.currentVersion = currentVersion
        self.currentStatus = currentStatus
        self.problem = problem
    }
}

/// A refused mutation's problem, as a request of its own would have answered it.
struct ItemProblemBody: Encodable {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var errors: [Problem.FieldIssue]

    init(_ problem: Problem) {
        type = "https://pitstop.dev/problems/\(problem.type)"
        title = problem.title
        status = problem.status
        detail = problem.detail
        errors = problem.errors
    }
}

struct SyncBody: Encodable {
    var orders: [WorkOrderBody]
    var removed: [UUID]
    var queue: [UUID]
    var offers: [OfferBody]
    var customers: [CustomerBody]
    var vehicles: [VehicleBody]
    /// Send as `since` next time.
    var nextSince: String
    var hasMore: Bool

    init(_ changes: EngineerSync.Changes, tenantID: UUID) {
        orders = changes.orders.map { WorkOrderBody($0, tenantID: tenantID) }
        removed = changes.removed
        queue = changes.queue.map(\.id)
        offers = changes.offers.map(OfferBody.init)
        customers = changes.customers.map(CustomerBody.init)
        vehicles = changes.vehicles.map(VehicleBody.init)
        nextSince = changes.next.encoded
        hasMore = changes.hasMore
    }
}
