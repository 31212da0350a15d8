import Foundation
import HTTPServer
import Notifications
import PitstopCore
import PitstopStore

extension APIApplication {
    /// Webhook subscriptions (admin, integration): an endpoint, the event types it receives, a
    /// Standard Webhooks secret (made and shown once unless given), and a replay of past events.
    /// Deliveries and their attempts are in /v1/notification-deliveries?channel_id=….
    var webhookRoutes: [Router.Route] {
        let roles: Set<Role> = [.admin, .integration]
        return [
            tenantRoute("POST", "/v1/webhooks", roles: roles) { [self] request, caller, scope in
                try idempotent(request, scope, secrets: ["secret"]) {
                    let body = try JSONCoding.decode(WebhookInputBody.self, from: request.body, allowedFields: WebhookInputBody.fields)
                    let secret = body.secret ?? StandardWebhooks.newSecret()
                    let input = try body.checked(outbound: outbound)
                    let subscription = try scope.notifications.createChannel(input, secretBox: try seal(secret, tenant: caller.tenant.id))
                    var response = try HTTPResponse.created(WebhookBody(subscription, secret: body.secret == nil ? secret : nil),
                                                            version: subscription.version,
                                                            location: "/v1/webhooks/\(subscription.id.lowercasedText)")
                    response.headers.add("Cache-Control", "no-store")
                    return response
                }
            },
            tenantRoute("GET", "/v1/webhooks", roles: roles) { _, _, scope in
                try .json(["items": try scope.notifications.channels(subscriptions: true).map { WebhookBody($0, secret: nil) }])
            },
            tenantRoute("GET", "/v1/webhooks/{id}", roles: roles) { request, _, scope in
                let subscription = try scope.notifications.channel(id: try Self.pathID(request, "webhook subscription"), subscription: true).channel
                return try .record(WebhookBody(subscription, secret: nil), version: subscription.version)
            },
            tenantRoute("PUT", "/v1/webhooks/{id}", roles: roles) { [self] request, caller, scope in
                let id = try Self.pathID(request, "webhook subscription")
                let version = try Self.ifMatchVersion(request)
                let body = try JSONCoding.decode(WebhookInputBody.self, from: request.body, allowedFields: WebhookInputBody.fields)
                _ = try scope.notifications.channel(id: id, subscription: true)
                let subscription = try scope.notifications.replaceChannel(id: id, expectedVersion: version, try body.checked(outbound: outbound),
                                                                          secretBox: try seal(body.secret, tenant: caller.tenant.id))
                return try .record(WebhookBody(subscription, secret: nil), version: subscription.version)
            },
            tenantRoute("DELETE", "/v1/webhooks/{id}", roles: roles) { request, _, scope in
                try scope.notifications.deleteChannel(id: try Self.pathID(request, "webhook subscription"), subscription: true)
                return .noContent()
            },
            tenantRoute("POST", "/v1/webhooks/{id}/replay", roles: roles) { request, _, scope in
                let subscription = try scope.notifications.channel(id: try Self.pathID(request, "webhook subscription"), subscription: true).channel
                let body = try JSONCoding.decode(ReplayBody.self, from: request.body, allowedFields: ReplayBody.fields)
                try body.check()
                guard subscription.active else {
                    throw Problem.conflict("the subscription is switched off\(subscription.disabledReason.map { " (\($0))" } ?? ""); set active to true first")
                }
                do {
                    let queued = try scope.events.replay(to: subscription, eventID: body.eventId, from: body.from, to: body.to, now: Date())
                    if let eventID = body.eventId, queued == 0 {
                        throw Problem(status: 404, type: "not-found", title: "Not found",
                                      detail: "event \(eventID.lowercasedText) is not one of this tenant's events of the types the subscription takes",
                                      errors: [.init(field: "event_id", message: "no such event for this subscription")])
                    }
                    return try .json(["queued": queued], status: 202)
                } catch EventRepository.ReplayError.tooMany(let limit) {
                    throw ValidationError(field: "from", "the range holds more than \(limit) events; replay a narrower one")
                }
            },
        ]
    }
}

struct WebhookInputBody: Decodable {
    var name: String?
    var url: String
    var eventTypes: [String]
    /// Write-only: a whsec_ secret; one is made (and shown once) when left out.
    var secret: String?
    var active: Bool?

    static let fields: Set<String> = ["name", "url", "event_types", "secret", "active"]

    func checked(outbound: OutboundGuard) throws -> NotificationRepository.ChannelInput {
        let name = (self.name ?? URL(string: url)?.host ?? "webhook").trimmingCharacters(in: .whitespacesAndNewlines)
        var errors = TextRules.nameErrors(name, field: "name")
        errors += NotificationChannel.errors(kind: .webhook, url: url, newSecret: secret, hasSecret: true, settings: .init())
        if !errors.contains(where: { $0.field == "url" }), let refusal = outbound.refusal(url) { errors.append(FieldError(field: "url", message: refusal)) }
        if eventTypes.isEmpty || eventTypes.count > 64 {
            errors.append(FieldError(field: "event_types", message: "must list 1 to 64 event types, or [\"*\"] for all"))
        }
        for (index, type) in eventTypes.enumerated() where type != "*" && EventType(rawValue: type) == nil {
            errors.append(FieldError(field: "event_types[\(index)]", message: "is not an event type; see the EventType schema's catalogue"))
        }
        if Set(eventTypes).count != eventTypes.count { errors.append(FieldError(field: "event_types", message: "must not repeat a type")) }
        guard errors.isEmpty else { throw ValidationError(errors) }
        return NotificationRepository.ChannelInput(name: name, kind: .webhook, url: url, settings: .init(), active: active ?? true,
                                                   eventTypes: eventTypes)
    }
}

struct ReplayBody: Decodable {
    var eventId: UUID?
    var from: Date?
    var to: Date?

    static let fields: Set<String> = ["event_id", "from", "to"]

    func check() throws {
        if eventId != nil && (from != nil || to != nil) {
            throw ValidationError(field: "event_id", "name one event, or a time range with from and to, not both")
        }
        if eventId == nil && (from == nil || to == nil) {
            throw ValidationError(field: from == nil ? "from" : "to", "is required for a replay of a time range (or name one event_id)")
        }
        if let from, let to, from >= to { throw ValidationError(field: "to", "must be after from") }
    }
}

struct WebhookBody: Encodable {
    var id: UUID
    var name: String
    var url: String
    var eventTypes: [String]
    /// Shown once, when the server made the signing secret.
    var secret: String?
    var active: Bool
    /// Since when every attempt has failed; a day of that switches the subscription off.
    var failingSince: Date?
    /// Why it was switched off, when the worker did.
    var disabledReason: String?
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    init(_ channel: NotificationChannel, secret: String?) {
        id = channel.id
        name = channel.name
        url = channel.url
        eventTypes = channel.eventTypes ?? []
        self.secret = secret
        active = channel.active
        failingSince = channel.failingSince
        disabledReason = channel.disabledReason
        createdAt = channel.createdAt
        updatedAt = channel.updatedAt
        version = channel.version
    }
}
