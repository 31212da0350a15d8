import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    var engineerRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/engineers", roles: [.admin, .dispatcher]) { [self] request, _, scope in
                try idempotent(request, scope) {
                    let body = try JSONCoding.decode(EngineerInputBody.self, from: request.body, allowedFields: EngineerInputBody.fields)
                    let engineer = try EngineerRoster(scope: scope).create(body.input)
                    return try .created(EngineerBody(engineer), version: engineer.version,
                                        location: "/v1/engineers/\(engineer.id.lowercasedText)")
                }
            },
            // An engineer key reads its own engineer only (GET /v1/engineers/{its id}).
            tenantRoute("GET", "/v1/engineers", roles: Self.staffRoles) { request, _, scope in
                let page = try PageRequest(request)
                let engineers = try scope.engineers.list(externalID: request.queryValue("external_id"), limit: page.limit + 1, after: page.cursor)
                return try .page(engineers, limit: page.limit, cursor: { PageCursor(createdAt: $0.createdAt, id: $0.id) },
                                 body: EngineerBody.init)
            },
            tenantRoute("GET", "/v1/engineers/{id}", roles: Self.allRoles) { request, caller, scope in
                let id = try Self.pathID(request, "engineer")
                if caller.key.role == .engineer, caller.key.engineerID != id { throw StoreError.notFound("engineer") }
                let engineer = try scope.engineers.get(id: id)
                return try .record(EngineerBody(engineer), version: engineer.version)
            },
            tenantRoute("PATCH", "/v1/engineers/{id}", roles: [.admin, .dispatcher]) { request, _, scope in
                let id = try Self.pathID(request, "engineer")
                let version = try Self.ifMatchVersion(request)
                let body = try JSONCoding.decode(EngineerInputBody.self, from: request.body, allowedFields: EngineerInputBody.fields)
                let engineer = try EngineerRoster(scope: scope).update(id, expectedVersion: version, body.input)
                return try .record(EngineerBody(engineer), version: engineer.version)
            },
            // The app's position pings: the latest is kept for dispatch. An engineer key may report
            // only its own engineer's position.
            tenantRoute("POST", "/v1/engineers/{id}/location", roles: [.admin, .dispatcher, .engineer]) { request, caller, scope in
                let id = try Self.pathID(request, "engineer")
                if caller.key.role == .engineer && caller.key.engineerID != id {
                    throw Problem.forbidden("an engineer key reports its own engineer's position only")
                }
                let point = try Self.position(request)
                let interval = Self.locationPingInterval
                guard try scope.engineers.recordLocation(id: id, at: point, minimumInterval: interval) else {
                    throw Problem.tooManyRequests(retryAfter: Int(interval), "one position every \(Int(interval)) seconds is kept; send the next one later")
                }
                return .noContent()
            },
        ]
    }

    /// A `{"latitude": …, "longitude": …, "datum": …}` body, checked, in GCJ-02.
    static func position(_ request: HTTPRequest) throws -> GeoPoint {
        try checked(try JSONCoding.decode(PositionBody.self, from: request.body, allowedFields: PositionBody.fields))
    }

    /// A decoded position, checked, in GCJ-02.
    static func checked(_ body: PositionBody) throws -> GeoPoint {
        let point = body.point
        let errors = point.errors(field: "location").map { FieldError(field: String($0.field.dropFirst("location.".count)), message: $0.message) }
        guard errors.isEmpty else { throw ValidationError(errors) }
        return point
    }

    /// Positions closer together than this are refused: enough for dispatch, bounded for the database.
    static let locationPingInterval: TimeInterval = 5
}

struct EngineerInputBody: Decodable, ReadsNulls {
    var input: EngineerInput

    static let fields: Set<String> = ["name", "phone", "skills", "shop_ids", "certifications", "active", "status", "external_id",
                                      "notify_channel_id", "dingtalk_user_id", "wecom_user_id"]

    enum CodingKeys: String, CodingKey {
        case name, phone, skills, shopIds, certifications, active, status, externalId, notifyChannelId, dingtalkUserId, wecomUserId
    }

    init(from decoder: Decoder) throws {
        let read = FieldReader(container: try decoder.container(keyedBy: CodingKeys.self))
        input = EngineerInput(name: try read.value(.name), phone: try read.update(.phone), skills: try read.value(.skills),
                              shopIDs: try read.value(.shopIds), certifications: try read.value(.certifications),
                              active: try read.value(.active), status: try read.value(.status), externalID: try read.update(.externalId),
                              notifyChannelID: try read.update(.notifyChannelId), dingtalkUserID: try read.update(.dingtalkUserId),
                              wecomUserID: try read.update(.wecomUserId))
    }
}

struct EngineerBody: Encodable {
    var id: String
    var name: String
    var phone: String?
    var skills: [String: Int]
    var shopIds: [String]
    var certifications: [String]
    var active: Bool
    var status: String
    var location: GeoPoint?
    var locatedAt: Date?
    var externalId: String?
    var notifyChannelId: String?
    var dingtalkUserId: String?
    var wecomUserId: String?
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    init(_ engineer: Engineer) {
        id = engineer.id.lowercasedText
        name = engineer.name
        phone = engineer.phone
        skills = engineer.skills
        shopIds = engineer.shopIDs.map { $0.lowercasedText }
        certifications = engineer.certifications
        active = engineer.active
        status = engineer.status.rawValue
        location = engineer.location
        locatedAt = engineer.locatedAt
        externalId = engineer.externalID
        notifyChannelId = engineer.messaging.channelID?.lowercasedText
        dingtalkUserId = engineer.messaging.dingtalkUserID
        wecomUserId = engineer.messaging.wecomUserID
        createdAt = engineer.createdAt
        updatedAt = engineer.updatedAt
        version = engineer.version
    }
}
