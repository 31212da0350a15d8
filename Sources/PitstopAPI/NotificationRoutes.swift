import Foundation
import HTTPServer
import Notifications
import PitstopCore
import PitstopStore

extension APIApplication {
    /// Notification channels (admins; secrets are write-only) and the delivery log, with a
    /// manual retry for deliveries that died.
    var notificationRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/notification-channels", roles: [.admin]) { [self] request, caller, scope in
                try idempotent(request, scope, secrets: ["secret"]) {
                    let body = try JSONCoding.decode(ChannelInputBody.self, from: request.body, allowedFields: ChannelInputBody.fields)
                    var secret = body.secret
                    if body.kind == .webhook && secret == nil { secret = StandardWebhooks.newSecret() }
                    let input = try body.checked(newSecret: secret, hasSecret: secret != nil, outbound: outbound)
                    let channel = try scope.notifications.createChannel(input, secretBox: try seal(secret, tenant: caller.tenant.id))
                    var response = try HTTPResponse.created(ChannelBody(channel, webhookSecret: body.kind == .webhook && body.secret == nil ? secret : nil),
                                                            version: channel.version,
                                                            location: "/v1/notification-channels/\(channel.id.lowercasedText)")
                    response.headers.add("Cache-Control", "no-store")
                    return response
                }
            },
            tenantRoute("GET", "/v1/notification-channels", roles: [.admin, .dispatcher]) { _, _, scope in
                try .json(["items": try scope.notifications.channels(subscriptions: false).map { ChannelBody($0, webhookSecret: nil) }])
            },
            tenantRoute("GET", "/v1/notification-channels/{id}", roles: [.admin, .dispatcher]) { request, _, scope in
                let channel = try scope.notifications.channel(id: try Self.pathID(request, "notification channel"), subscription: false).channel
                return try .record(ChannelBody(channel, webhookSecret: nil), version: channel.version)
            },
            tenantRoute("PUT", "/v1/notification-channels/{id}", roles: [.admin]) { [self] request, caller, scope in
                let id = try Self.pathID(request, "notification channel")
                let version = try Self.ifMatchVersion(request)
                let body = try JSONCoding.decode(ChannelInputBody.self, from: request.body, allowedFields: ChannelInputBody.fields)
                let existing = try scope.notifications.channel(id: id, subscription: false).channel
                let input = try body.checked(newSecret: body.secret, hasSecret: body.secret != nil || existing.hasSecret, outbound: outbound)
                let channel = try scope.notifications.replaceChannel(id: id, expectedVersion: version, input,
                                                                     secretBox: try seal(body.secret, tenant: caller.tenant.id))
                return try .record(ChannelBody(channel, webhookSecret: nil), version: channel.version)
            },
            tenantRoute("DELETE", "/v1/notification-channels/{id}", roles: [.admin]) { request, _, scope in
                try scope.notifications.deleteChannel(id: try Self.pathID(request, "notification channel"), subscription: false)
                return .noContent()
            },
            tenantRoute("GET", "/v1/notification-deliveries", roles: [.admin, .dispatcher]) { request, _, scope in
                var state: NotificationRepository.Delivery.State?
                if let text = request.queryValue("state") {
                    guard let value = NotificationRepository.Delivery.State(rawValue: text) else {
                        throw Problem.badQuery("state", "must be pending, delivered, dead or skipped")
                    }
                    state = value
                }
                var channel: UUID?
                if let text = request.queryValue("channel_id") {
                    guard let id = UUID(uuidString: text) else { throw Problem.badQuery("channel_id", "must be a channel's or subscription's id") }
                    channel = id
                }
                return try .json(["items": try scope.notifications.deliveries(state: state, channel: channel, limit: 100)
                    .map { DeliveryBody($0, attempts: nil) }])
            },
            tenantRoute("GET", "/v1/notification-deliveries/{id}", roles: [.admin, .dispatcher]) { request, _, scope in
                let (delivery, attempts) = try scope.notifications.delivery(id: try Self.pathID(request, "notification delivery"))
                return try .json(DeliveryBody(delivery, attempts: attempts))
            },
            tenantRoute("POST", "/v1/notification-deliveries/{id}/retry", roles: [.admin, .dispatcher]) { request, _, scope in
                let delivery = try scope.notifications.retry(id: try Self.pathID(request, "notification delivery"))
                return try .json(DeliveryBody(delivery, attempts: nil))
            },
        ]
    }

    var secrets: ChannelSecrets? { configuration.secretKey.flatMap(ChannelSecrets.init(key:)) }

    var outbound: OutboundGuard { OutboundGuard(allowPrivate: configuration.allowPrivateURLs) }

    func seal(_ secret: String?, tenant: UUID) throws -> [UInt8]? {
        guard let secret else { return nil }
        guard let secrets else {
            throw Problem.serviceUnavailable(retryAfter: 3600, "this server cannot keep secrets: the operator must set PITSTOP_SECRET_KEY")
        }
        return secrets.seal(secret, tenant: tenant)
    }
}

struct ChannelSettingsBody: Codable {
    var accessKeyId: String?
    var signName: String?
    var templateCode: String?
    var mobiles: [String]?
    var format: NotificationChannel.MessageFormat?
    var appKey: String?
    var agentId: Int?
    var sdkAppId: String?
    var region: String?
}

struct ChannelInputBody: Decodable {
    var name: String
    var kind: NotificationChannel.Kind
    var url: String
    /// Write-only: robot signing secret, AccessKey secret, gateway token, or a whsec_ webhook secret.
    var secret: String?
    var settings: ChannelSettingsBody?
    var active: Bool?
    var alerts: Bool?

    static let fields: Set<String> = ["name", "kind", "url", "secret", "settings", "active", "alerts"]

    func checked(newSecret: String?, hasSecret: Bool, outbound: OutboundGuard) throws -> NotificationRepository.ChannelInput {
        let settings = NotificationChannel.Settings(accessKeyId: self.settings?.accessKeyId, signName: self.settings?.signName,
                                                    templateCode: self.settings?.templateCode, mobiles: self.settings?.mobiles,
                                                    format: self.settings?.format, appKey: self.settings?.appKey, agentId: self.settings?.agentId,
                                                    sdkAppId: self.settings?.sdkAppId, region: self.settings?.region)
        var errors = TextRules.nameErrors(name, field: "name")
        errors += NotificationChannel.errors(kind: kind, url: url, newSecret: newSecret, hasSecret: hasSecret, settings: settings,
                                             alerts: alerts ?? false)
        if (self.secret?.count ?? 0) > 500 { errors.append(FieldError(field: "secret", message: "must be at most 500 characters")) }
        if !errors.contains(where: { $0.field == "url" }), let refusal = outbound.refusal(url) { errors.append(FieldError(field: "url", message: refusal)) }
        guard errors.isEmpty else { throw ValidationError(errors) }
        return NotificationRepository.ChannelInput(name: name.trimmingCharacters(in: .whitespacesAndNewlines), kind: kind, url: url,
                                                   settings: settings, active: active ?? true, alerts: alerts ?? false)
    }
}

struct ChannelBody: Encodable {
    var id: UUID
    var name: String
    var kind: NotificationChannel.Kind
    var url: String
    var hasSecret: Bool
    /// Shown once, when the server made the webhook's signing secret.
    var secret: String?
    var settings: ChannelSettingsBody
    var active: Bool
    var alerts: Bool
    /// Since when every attempt to reach it has failed.
    var failingSince: Date?
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    init(_ channel: NotificationChannel, webhookSecret: String?) {
        id = channel.id
        name = channel.name
        kind = channel.kind
        url = channel.url
        hasSecret = channel.hasSecret
        secret = webhookSecret
        settings = ChannelSettingsBody(accessKeyId: channel.settings.accessKeyId, signName: channel.settings.signName,
                                       templateCode: channel.settings.templateCode, mobiles: channel.settings.mobiles,
                                       format: channel.settings.format, appKey: channel.settings.appKey, agentId: channel.settings.agentId,
                                       sdkAppId: channel.settings.sdkAppId, region: channel.settings.region)
        active = channel.active
        alerts = channel.alerts
        failingSince = channel.failingSince
        createdAt = channel.createdAt
        updatedAt = channel.updatedAt
        version = channel.version
    }
}

struct DeliveryBody: Encodable {
    struct AttemptBody: Encodable {
        var attempt: Int
        var startedAt: Date
        var statusCode: Int?
        var latencyMs: Int
        var error: String?
        var outcome: String?
    }

    var id: UUID
    var eventId: UUID
    var channelId: UUID
    var topic: String
    var title: String
    var state: String
    var attempts: Int
    var nextAttemptAt: Date
    var lastError: String?
    var createdAt: Date
    var deliveredAt: Date?
    var log: [AttemptBody]?

    init(_ delivery: NotificationRepository.Delivery, attempts: [NotificationRepository.Attempt]?) {
        id = delivery.id
        eventId = delivery.eventID
        channelId = delivery.channelID
        topic = delivery.topic
        title = delivery.message.title
        state = delivery.state.rawValue
        self.attempts = delivery.attempts
        nextAttemptAt = delivery.nextAttemptAt
        lastError = delivery.lastError
        createdAt = delivery.createdAt
        deliveredAt = delivery.deliveredAt
        log = attempts?.map {
            AttemptBody(attempt: $0.attempt, startedAt: $0.startedAt, statusCode: $0.statusCode, latencyMs: $0.latencyMilliseconds, error: $0.error,
                        outcome: $0.outcome)
        }
    }
}
