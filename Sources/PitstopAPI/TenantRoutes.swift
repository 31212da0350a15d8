import Foundation
import HTTPServer
import PitstopCore
import PitstopStore

extension APIApplication {
    var tenantRoutes: [Router.Route] {
        [
            tenantRoute("GET", "/v1/tenant", roles: Self.allRoles) { _, caller, _ in
                try .record(TenantBody(caller.tenant), version: caller.tenant.version)
            },
            tenantRoute("PATCH", "/v1/tenant", roles: [.admin]) { request, _, scope in
                let version = try Self.ifMatchVersion(request)
                let changes = try JSONCoding.decode(TenantChangesBody.self, from: request.body, allowedFields: TenantChangesBody.fields).changes
                guard changes.errors.isEmpty else { throw ValidationError(changes.errors) }
                let tenant = try scope.tenant.update(expectedVersion: version, changes)
                return try .record(TenantBody(tenant), version: tenant.version)
            },
        ]
    }
}

struct TenantBody: Encodable {
    /// Lower-case, as PostgreSQL prints it (JSONEncoder would upper-case a UUID).
    var id: String
    var name: String
    var timezone: String
    var createdAt: Date
    var updatedAt: Date
    var version: Int
    var duplicateWindowMinutes: Int
    var reopenWindowDays: Int
    var orderLink: String?
    var trailRetentionDays: Int
    var wechatMessageRetentionDays: Int
    var notificationRetentionDays: Int
    var mediaRetentionDays: Int

    init(_ tenant: Tenant) {
        id = tenant.id.lowercasedText
        name = tenant.name
        timezone = tenant.timezone
        createdAt = tenant.createdAt
        updatedAt = tenant.updatedAt
        version = tenant.version
        duplicateWindowMinutes = tenant.duplicateWindowMinutes
        reopenWindowDays = tenant.reopenWindowDays
        orderLink = tenant.orderLink
        trailRetentionDays = tenant.retention.trailDays
        wechatMessageRetentionDays = tenant.retention.weChatMessageDays
        notificationRetentionDays = tenant.retention.notificationDays
        mediaRetentionDays = tenant.retention.mediaDays
    }
}

struct TenantChangesBody: Decodable, ReadsNulls {
    var changes: TenantChanges

    static let fields: Set<String> = ["name", "timezone", "duplicate_window_minutes", "reopen_window_days", "order_link", "trail_retention_days",
                                      "wechat_message_retention_days", "notification_retention_days", "media_retention_days"]

    enum CodingKeys: String, CodingKey {
        case name, timezone, duplicateWindowMinutes, reopenWindowDays, orderLink, trailRetentionDays, wechatMessageRetentionDays,
             notificationRetentionDays, mediaRetentionDays
    }

    init(from decoder: Decoder) throws {
        let read = FieldReader(container: try decoder.container(keyedBy: CodingKeys.self))
        changes = TenantChanges(name: try read.value(.name), timezone: try read.value(.timezone),
                                duplicateWindowMinutes: try read.value(.duplicateWindowMinutes),
                                reopenWindowDays: try read.value(.reopenWindowDays), orderLink: try read.update(.orderLink),
                                trailRetentionDays: try read.value(.trailRetentionDays),
                                weChatMessageRetentionDays: try read.value(.wechatMessageRetentionDays),
                                notificationRetentionDays: try read.value(.notificationRetentionDays),
                                mediaRetentionDays: try read.value(.mediaRetentionDays))
    }
}
