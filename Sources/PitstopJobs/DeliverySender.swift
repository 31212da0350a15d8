import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Notifications
import PitstopCore
import PitstopStore

/// Sends due notification deliveries: each is taken for a lease in one short transaction
/// (`FOR UPDATE SKIP LOCKED`, attempt counted), sent with no transaction open, and its outcome
/// recorded in another. A sender that dies mid-send leaves the delivery to whichever sender
/// finds it after the lease: at least once, with the event id for receivers to de-duplicate.
/// Failures retry with exponential back-off and jitter; after `maxAttempts` a delivery is dead
/// until someone retries it through the API.
public struct DeliverySender: Sendable {
    let database: Database
    let secrets: ChannelSecrets
    let logger: Logger
    let maxAttempts: Int
    let lease: TimeInterval
    let timeout: TimeInterval
    /// Seconds before attempt `n + 1` after `n` failed.
    let backoff: @Sendable (Int) -> TimeInterval
    /// Deliveries taken per tenant and round.
    let batch: Int
    /// How long a robot waits after a message before the next (one digest a minute).
    let robotPause: TimeInterval = 60
    /// How long deliveries wait when this sender cannot open their channel's secret.
    let unopenedPause: TimeInterval = 30
    /// Which addresses tenants' URLs may reach, checked again before every send.
    let outbound: OutboundGuard
    /// How long a webhook subscription may fail without a break before it is switched off.
    let disableAfter: TimeInterval

    public init(database: Database, secrets: ChannelSecrets, logger: Logger, outbound: OutboundGuard, maxAttempts: Int = 8,
                lease: TimeInterval = 60, timeout: TimeInterval = 10, batch: Int = 50, disableAfter: TimeInterval = 86_400,
                backoff: @escaping @Sendable (Int) -> TimeInterval = DeliverySender.exponential) {
        self.database = database
        self.secrets = secrets
        self.logger = logger
        self.maxAttempts = maxAttempts
        self.lease = lease
        self.timeout = timeout
        self.batch = batch
        self.outbound = outbound
        self.disableAfter = disableAfter
        self.backoff = backoff
    }

    /// 10 s, 20 s, 40 s … capped at an hour, each ±20% so retries from many orders spread out.
    public static func exponential(_ attempt: Int) -> TimeInterval {
        let base = min(3600, 10 * pow(2, Double(max(0, attempt - 1))))
        return base * Double.random(in: 0.8...1.2)
    }

    /// Sends what is due at `now`; returns how many were delivered and how many failed.
    @discardableResult
    public func run(now: Date = Date()) throws -> (delivered: Int, failed: Int) {
        var delivered = 0
        var failed = 0
        let tenants = try database.withPlatform { try $0.tenantsWithDueDeliveries(at: now) }
        database.eachTenant(tenants, logger: logger, job: "notification delivery") { tenantID in
            let taken = try database.withTenant(tenantID) { scope in
                try scope.notifications.claimDue(at: now, lease: lease, limit: batch).map { delivery in
                    (delivery, try scope.notifications.channel(id: delivery.channelID))
                }
            }
            // A robot gets what fell due for it as one digest, then nothing more for a minute.
            var groups: [(channel: NotificationChannel, box: [UInt8]?, deliveries: [NotificationRepository.Delivery])] = []
            for (delivery, (channel, box)) in taken {
                if channel.kind.isRobot, let index = groups.firstIndex(where: { $0.channel.id == channel.id }) {
                    groups[index].deliveries.append(delivery)
                } else {
                    groups.append((channel, box, [delivery]))
                }
            }
            for group in groups {
                var secret: String?
                if let box = group.box {
                    // Another key sealed it: this worker's PITSTOP_SECRET_KEY is not the API's.
                    // The deliveries go back untried rather than failing toward dead.
                    guard let opened = secrets.open(box, tenant: tenantID) else {
                        logger.error("PITSTOP_SECRET_KEY cannot open a channel's secret: give the worker the API's key",
                                     ["channel_id": .string(group.channel.id.lowercasedText)])
                        try database.withTenant(tenantID) {
                            try $0.notifications.release(group.deliveries, until: now.addingTimeInterval(unopenedPause),
                                                         reason: "the worker's PITSTOP_SECRET_KEY cannot open the channel's secret")
                        }
                        continue
                    }
                    secret = opened
                }
                let started = Date()
                var message = group.deliveries[0]
                message.message = NotificationMessage.digest(group.deliveries.map(\.message))
                let result = send(message, channel: group.channel, secret: secret, now: now)
                let latency = Int(Date().timeIntervalSince(started) * 1000)
                try database.withTenant(tenantID) { scope in
                    for delivery in group.deliveries {
                        let outcome: NotificationRepository.Outcome = result.error == nil ? .delivered
                            : delivery.attempts >= maxAttempts ? .dead : .retry(at: now.addingTimeInterval(backoff(delivery.attempts)))
                        try scope.notifications.record(delivery, startedAt: started, statusCode: result.status, latencyMilliseconds: latency,
                                                       error: result.error, outcome: outcome, now: now)
                        if case .dead = outcome {
                            logger.warning("a notification is dead after its last attempt", ["delivery_id": .string(delivery.id.lowercasedText),
                                                                                             "error": .string(result.error ?? "")])
                        }
                    }
                    if group.channel.kind.isRobot { try scope.notifications.pace(channel: group.channel.id, until: now.addingTimeInterval(robotPause)) }
                    try scope.notifications.noteReach(channel: group.channel.id, reached: result.error == nil, now: now)
                    if result.error != nil && group.channel.eventTypes != nil { try disableIfFailingForLong(group.channel, scope: scope, now: now) }
                }
                if result.error == nil { delivered += group.deliveries.count } else { failed += group.deliveries.count }
            }
        }
        return (delivered, failed)
    }

    /// A subscription that has failed without a break for `disableAfter` is switched off, with an
    /// event saying so and a message to the tenant's alert channels.
    private func disableIfFailingForLong(_ channel: NotificationChannel, scope: TenantScope, now: Date) throws {
        let reason = "every delivery failed for \(Int(disableAfter / 3600)) hours"
        guard let disabled = try scope.notifications.disableFailingSubscription(channel.id, failingSince: now.addingTimeInterval(-disableAfter),
                                                                                reason: reason) else { return }
        let since = disabled.failingSince ?? now
        let eventID = UUID()
        let data: JSONValue = .object(["subscription_id": .string(disabled.id.lowercasedText), "name": .string(disabled.name),
                                       "url": .string(disabled.url), "reason": .string(reason),
                                       "failing_since": .string(Timestamp.iso8601(since))])
        let event: JSONValue = .object(["id": .string(eventID.lowercasedText), "type": .string(EventType.webhookDisabled.rawValue),
                                        "timestamp": .string(Timestamp.iso8601(now)), "data": data])
        let tenant = try scope.tenant.get()
        let message = AlertText.webhookDisabled(name: disabled.name, url: disabled.url, failingSince: since, now: now,
                                                timeZone: TimeZone(identifier: tenant.timezone) ?? .current, event: event)
        try scope.notifications.alert(topic: EventType.webhookDisabled.rawValue, aggregate: disabled.id, payload: data, message: message,
                                      eventID: eventID, now: now)
        logger.warning("a webhook subscription failed for a day and was switched off", ["subscription_id": .string(disabled.id.lowercasedText)])
    }

    private func send(_ delivery: NotificationRepository.Delivery, channel: NotificationChannel, secret: String?,
                      now: Date) -> (status: Int?, error: String?) {
        guard channel.active else { return (nil, "the channel is inactive") }
        let request: ChannelRequest
        do {
            request = try ChannelRequest.build(kind: channel.kind, url: channel.url, secret: secret, settings: channel.settings,
                                               message: delivery.message, eventID: delivery.eventID, now: now,
                                               nonce: UUID().uuidString.lowercased())
        } catch {
            return (nil, "\(error)")
        }
        if let refusal = outbound.refusal(request.url) { return (nil, refusal) }
        guard let url = URL(string: request.url) else { return (nil, "the channel's URL is not valid") }
        var urlRequest = URLRequest(url: url, timeoutInterval: timeout)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        if !request.body.isEmpty { urlRequest.httpBody = Data(request.body) }
        let answer = HTTPExchange.run(urlRequest)
        if let error = answer.error { return (nil, error) }
        return (answer.status, ChannelRequest.failure(kind: channel.kind, status: answer.status ?? 0, body: answer.body))
    }
}

/// One blocking HTTP exchange through URLSession (the worker's loop is synchronous).
enum HTTPExchange {
    static let session = URLSession(configuration: .ephemeral)

    static func run(_ request: URLRequest) -> (status: Int?, body: [UInt8], error: String?) {
        let done = DispatchSemaphore(value: 0)
        let result = ResultBox()
        let task = session.dataTask(with: request) { data, response, error in
            result.set(status: (response as? HTTPURLResponse)?.statusCode, body: data.map(Array.init) ?? [],
                       error: error.map { $0.localizedDescription })
            done.signal()
        }
        task.resume()
        done.wait()
        return result.value
    }

    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: (status: Int?, body: [UInt8], error: String?) = (nil, [], "no answer")
        func set(status: Int?, body: [UInt8], error: String?) { lock.withLock { stored = (status, body, error) } }
        var value: (status: Int?, body: [UInt8], error: String?) { lock.withLock { stored } }
    }
}
