import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    var shopRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/shops", roles: [.admin]) { [self] request, caller, scope in
                try idempotent(request, scope) {
                    let input = try JSONCoding.decode(ShopInputBody.self, from: request.body, allowedFields: ShopInputBody.fields).input
                    let shop = try ChainSetup(scope: scope).createShop(input, defaultTimezone: caller.tenant.timezone)
                    return try .created(ShopBody(shop), version: shop.version, location: "/v1/shops/\(shop.id.lowercasedText)")
                }
            },
            tenantRoute("GET", "/v1/shops", roles: Self.allRoles) { request, _, scope in
                let page = try PageRequest(request)
                let shops = try scope.shops.list(limit: page.limit + 1, after: page.cursor)
                return try .page(shops, limit: page.limit, cursor: { PageCursor(createdAt: $0.createdAt, id: $0.id) }, body: ShopBody.init)
            },
            tenantRoute("GET", "/v1/shops/{id}", roles: Self.allRoles) { request, _, scope in
                let shop = try scope.shops.get(id: try Self.pathID(request, "shop"))
                return try .record(ShopBody(shop), version: shop.version)
            },
            tenantRoute("PATCH", "/v1/shops/{id}", roles: [.admin]) { request, _, scope in
                let id = try Self.pathID(request, "shop")
                let version = try Self.ifMatchVersion(request)
                let input = try JSONCoding.decode(ShopInputBody.self, from: request.body, allowedFields: ShopInputBody.fields).input
                let shop = try ChainSetup(scope: scope).updateShop(id, expectedVersion: version, input)
                return try .record(ShopBody(shop), version: shop.version)
            },
        ]
    }

    /// A `{id}` path segment; one that is not a UUID is answered exactly like an unknown id.
    static func pathID(_ request: HTTPRequest, _ what: String, parameter: String = "id") throws -> UUID {
        guard let id = UUID(uuidString: request.pathParameters[parameter] ?? "") else { throw StoreError.notFound(what) }
        return id
    }

    /// The version a client read, from `If-Match: "3"` (the ETag of a GET). Updates without it
    /// are refused, so two editors cannot silently overwrite each other.
    static func ifMatchVersion(_ request: HTTPRequest) throws -> Int {
        guard let header = request.headers["If-Match"] else {
            throw Problem(status: 428, type: "precondition-required", title: "Precondition required",
                          detail: "send If-Match with the ETag from your last GET of this record",
                          errors: [.init(field: "If-Match", message: "is required")])
        }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        let tag = trimmed.hasPrefix("W/") ? String(trimmed.dropFirst(2)) : trimmed
        // Versions are stored as integer (int4): a larger number was never an ETag of ours, and
        // comparing it in SQL would fail instead of answering.
        guard tag.count >= 3, tag.first == "\"", tag.last == "\"", let version = Int32(tag.dropFirst().dropLast()), version > 0 else {
            throw Problem.badRequest("If-Match must be an ETag this API returned, such as \"3\"", field: "If-Match")
        }
        return Int(version)
    }
}

/// A shop's fields as a client sends them, for creation and for partial updates: an absent
/// field is left as it is; `null` clears `location` and `phone`.
struct ShopInputBody: Decodable, ReadsNulls {
    var input: ShopInput

    static let fields: Set<String> = ["name", "address", "location", "timezone", "phone", "opening_hours"]

    enum CodingKeys: String, CodingKey {
        case name, address, location, timezone, phone, openingHours
    }

    init(from decoder: Decoder) throws {
        let read = FieldReader(container: try decoder.container(keyedBy: CodingKeys.self))
        let location: FieldUpdate<PositionBody> = try read.update(.location)
        input = ShopInput(name: try read.value(.name), address: try read.value(.address), location: location.map(\.point),
                          timezone: try read.value(.timezone), phone: try read.update(.phone), openingHours: try read.value(.openingHours))
    }
}

struct ShopBody: Encodable {
    var id: String
    var name: String
    var address: String
    var location: GeoPoint?
    var timezone: String
    var phone: String?
    var openingHours: OpeningHours
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    init(_ shop: Shop) {
        id = shop.id.lowercasedText
        name = shop.name
        address = shop.address
        location = shop.location
        timezone = shop.timezone
        phone = shop.phone
        openingHours = shop.openingHours
        createdAt = shop.createdAt
        updatedAt = shop.updatedAt
        version = shop.version
    }
}
