import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    /// Who may create and change customers and vehicles: the desk, admins and CRM integrations.
    static let recordWriters: Set<Role> = [.admin, .dispatcher, .integration]

    var customerRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/customers", roles: Self.recordWriters) { [self] request, _, scope in
                try idempotent(request, scope) {
                    let body = try JSONCoding.decode(CustomerInputBody.self, from: request.body, allowedFields: CustomerInputBody.fields)
                    let customer = try CustomerRecords(scope: scope).create(body.input)
                    return try .created(CustomerBody(customer), version: customer.version,
                                        location: "/v1/customers/\(customer.id.lowercasedText)")
                }
            },
            // An engineer key reads the customers of its own open orders, one by one, and no list.
            tenantRoute("GET", "/v1/customers", roles: Self.staffRoles) { request, _, scope in
                let page = try PageRequest(request)
                var filter = CustomerRepository.Filter(wechatOpenID: request.queryValue("wechat_openid"),
                                                       externalID: request.queryValue("external_id"))
                if let phone = request.queryValue("phone") {
                    guard let normalised = PhoneNumber.normalise(phone) else { throw Problem.badQuery("phone", PhoneNumber.problem) }
                    filter.phone = normalised
                }
                let customers = try scope.customers.list(filter, limit: page.limit + 1, after: page.cursor)
                return try .page(customers, limit: page.limit, cursor: { PageCursor(createdAt: $0.createdAt, id: $0.id) },
                                 body: CustomerBody.init)
            },
            tenantRoute("GET", "/v1/customers/{id}", roles: Self.allRoles) { request, caller, scope in
                let id = try Self.pathID(request, "customer")
                let customer = try Self.reach(caller, scope).map { try $0.customer(id) } ?? scope.customers.get(id: id)
                return try .record(CustomerBody(customer), version: customer.version)
            },
            tenantRoute("PATCH", "/v1/customers/{id}", roles: Self.recordWriters) { request, _, scope in
                let id = try Self.pathID(request, "customer")
                let version = try Self.ifMatchVersion(request)
                let body = try JSONCoding.decode(CustomerInputBody.self, from: request.body, allowedFields: CustomerInputBody.fields)
                let customer = try CustomerRecords(scope: scope).update(id, expectedVersion: version, body.input)
                return try .record(CustomerBody(customer), version: customer.version)
            },
            // The customer's rights under PIPL: everything held about them, then their erasure.
            tenantRoute("GET", "/v1/customers/{id}/export", roles: [.admin]) { request, caller, scope in
                let export = try CustomerRecords(scope: scope).export(try Self.pathID(request, "customer"))
                return try .json(CustomerExportBody(export, tenantID: caller.tenant.id))
            },
            tenantRoute("POST", "/v1/customers/{id}/erase", roles: [.admin]) { request, _, scope in
                let customer = try CustomerRecords(scope: scope).erase(try Self.pathID(request, "customer"))
                return try .record(CustomerBody(customer), version: customer.version)
            },
        ]
    }
}

extension Problem {
    static func badQuery(_ parameter: String, _ message: String) -> Problem {
        badQuery([.init(field: parameter, message: message)])
    }

    /// Every bad query parameter of a request at once, each named.
    static func badQuery(_ errors: [FieldIssue]) -> Problem {
        Problem(status: 400, type: "bad-query", title: "Bad query parameter",
                detail: errors.map { "\($0.field) \($0.message)" }.joined(separator: "; "), errors: errors)
    }
}

/// Partial-update decoding shared by the record bodies: an absent key keeps the stored value,
/// `null` clears a clearable field, and a present key of a field that cannot be cleared must
/// hold a value.
struct FieldReader<Key: CodingKey> {
    let container: KeyedDecodingContainer<Key>

    func value<T: Decodable>(_ key: Key) throws -> T? {
        container.contains(key) ? try container.decode(T.self, forKey: key) : nil
    }

    func update<T: Decodable & Sendable & Equatable>(_ key: Key) throws -> FieldUpdate<T> {
        guard container.contains(key) else { return .keep }
        return try container.decodeNil(forKey: key) ? .clear : .set(try container.decode(T.self, forKey: key))
    }
}

struct CustomerInputBody: Decodable, ReadsNulls {
    var input: CustomerInput

    static let fields: Set<String> = ["name", "phones", "wechat_openid", "wechat_unionid", "email", "tags", "external_id", "sms_opt_out",
                                      "wechat_opt_out"]

    enum CodingKeys: String, CodingKey {
        case name, phones, wechatOpenid, wechatUnionid, email, tags, externalId, smsOptOut, wechatOptOut
    }

    init(from decoder: Decoder) throws {
        let read = FieldReader(container: try decoder.container(keyedBy: CodingKeys.self))
        input = CustomerInput(name: try read.value(.name), phones: try read.value(.phones), wechatOpenID: try read.update(.wechatOpenid),
                              wechatUnionID: try read.update(.wechatUnionid), email: try read.update(.email),
                              tags: try read.value(.tags), externalID: try read.update(.externalId),
                              smsOptOut: try read.value(.smsOptOut), weChatOptOut: try read.value(.wechatOptOut))
    }
}

struct CustomerBody: Encodable {
    var id: String
    var name: String
    var phones: [String]
    var wechatOpenid: String?
    var wechatUnionid: String?
    var email: String?
    var tags: [String]
    var externalId: String?
    /// Since when the customer wants no SMS, or no WeChat messages: the chain's messages skip them.
    var smsOptedOutAt: Date?
    var wechatOptedOutAt: Date?
    /// When the customer was forgotten at their request.
    var erasedAt: Date?
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    init(_ customer: Customer) {
        id = customer.id.lowercasedText
        name = customer.name
        phones = customer.phones
        wechatOpenid = customer.wechatOpenID
        wechatUnionid = customer.wechatUnionID
        email = customer.email
        tags = customer.tags
        externalId = customer.externalID
        smsOptedOutAt = customer.smsOptedOutAt
        wechatOptedOutAt = customer.weChatOptedOutAt
        erasedAt = customer.erasedAt
        createdAt = customer.createdAt
        updatedAt = customer.updatedAt
        version = customer.version
    }
}

/// A customer's own data, as their access request receives it (JSON).
struct CustomerExportBody: Encodable {
    var customer: CustomerBody
    var vehicles: [VehicleBody]
    var workOrders: [Order]
    var exportedAt: Date

    struct Order: Encodable {
        var workOrder: WorkOrderBody
        var timeline: [TimelineEntryBody]
        var extraWork: [ExtraWorkBody]
        var signedBy: String?
        var rating: Int?
        var ratingComment: String?
    }

    init(_ export: CustomerRecords.Export, tenantID: UUID) {
        customer = CustomerBody(export.customer)
        vehicles = export.vehicles.map(VehicleBody.init)
        workOrders = export.orders.map { order in
            let timeline = order.timeline.map(TimelineEntryBody.init) + order.messages.map(TimelineEntryBody.init)
            return Order(workOrder: WorkOrderBody(order.order, tenantID: tenantID),
                         timeline: timeline.sorted { ($0.occurredAt, $0.id) < ($1.occurredAt, $1.id) },
                         extraWork: order.extraWork.map { ExtraWorkBody($0, staff: false) },
                         signedBy: order.signedBy, rating: order.rating?.score, ratingComment: order.rating?.comment)
        }
        exportedAt = Date()
    }
}
