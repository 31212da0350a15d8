import Foundation
import Notifications
import PitstopCore
import PitstopStore

extension DeliverySender {
    /// One request's worth of deliveries, taken for a send.
    struct Job: Sendable {
        var tenantID: UUID
        var channel: NotificationChannel
        /// Taken: attempt counted, lease running.
        var deliveries: [NotificationRepository.Delivery]
        /// Nil when there is nothing to send (`refusal` says why).
        var request: ChannelRequest?
        /// Why the job cannot be sent at all (no number to text, no usable secret, channel off),
        /// and whether the alert channels should hear of it.
        var refusal: (reason: String, alert: Bool)?
        /// An app channel's job: fetching its access token, or sending with the token fetched
        /// at this moment (which is forgotten if the provider says it is no longer good).
        var app: AppStep?
    }

    enum AppStep: Sendable, Equatable {
        case fetchingToken
        case sending(tokenFetchedAt: Date)
    }

    /// Up to `room` jobs of one tenant, in one transaction: robots whose pace allows a message
    /// now (one digest each), then single deliveries to other channels, at most `perChannel` in
    /// flight to any one counting `flying`.
    func claim(tenantID: UUID, room: Int, flying: [Job], now: Date) throws -> [Job] {
        var unopened: [(NotificationChannel, [NotificationRepository.Delivery])] = []
        let jobs = try database.withTenant(tenantID) { scope -> [Job] in
            var jobs: [Job] = []
            let busyRobots = flying.filter { $0.channel.kind.isRobot }.map(\.channel.id)
            for (channel, box) in try scope.notifications.robotsReady(at: now, excluding: busyRobots, limit: room) {
                let waiting = try current(scope.notifications.waiting(channel: channel.id, at: now, limit: robotBatch),
                                          channelKind: { _ in channel.kind }, scope: scope, now: now)
                guard !waiting.isEmpty else { continue }
                guard channel.active else {
                    jobs.append(inactive(channel, tenantID: tenantID, deliveries: try scope.notifications.take(waiting, at: now, lease: lease)))
                    continue
                }
                guard let secret = open(box, tenantID: tenantID) else {
                    unopened.append((channel, try scope.notifications.take(waiting, at: now, lease: lease)))
                    continue
                }
                let (request, carried) = ChannelRequest.robot(kind: channel.kind, url: channel.url, secret: secret, settings: channel.settings,
                                                               messages: waiting.map { $0.message.rendered(at: now, publicBaseURL: publicBaseURL) }, now: now)
                let taken = try scope.notifications.take(Array(waiting.prefix(carried)), at: now, lease: lease)
                // The robot's slot stays taken until the answer (then `robotSpacing` more), so
                // no other worker sends to it meanwhile.
                try scope.notifications.pace(channel: channel.id, until: now.addingTimeInterval(timeout + robotSpacing))
                jobs.append(Job(tenantID: tenantID, channel: channel, deliveries: taken, request: request))
            }
            var perChannel: [UUID: Int] = [:]
            for job in flying where !job.channel.kind.isRobot { perChannel[job.channel.id, default: 0] += 1 }
            let singles = try scope.notifications.claimSingles(at: now, lease: lease, limit: room - jobs.count, perChannel: limits.perChannel,
                                                               flying: perChannel)
            var channels: [UUID: (channel: NotificationChannel, secretBox: [UInt8]?)] = [:]
            func channel(_ id: UUID) throws -> (channel: NotificationChannel, secretBox: [UInt8]?) {
                if let known = channels[id] { return known }
                let found = try scope.notifications.channel(id: id)
                channels[id] = found
                return found
            }
            let kept = try current(singles, channelKind: { try channel($0).channel.kind }, scope: scope, now: now)
            // App channels whose token is being fetched: their other deliveries wait for it.
            var fetching = Set(flying.filter { $0.app == .fetchingToken }.map(\.channel.id))
            var waitingForToken: [NotificationRepository.Delivery] = []
            // Each app's token, read and opened once a claim however many of its deliveries it takes.
            var tokens: [UUID: (token: String, fetchedAt: Date)?] = [:]
            func token(_ channel: UUID) throws -> (token: String, fetchedAt: Date)? {
                if let known = tokens[channel] { return known }
                let cached = try scope.notifications.appToken(channel: channel).flatMap { cached in
                    cached.expiresAt > now ? secrets.open(cached.box, tenant: tenantID).map { ($0, cached.fetchedAt) } : nil
                }
                tokens[channel] = cached
                return cached
            }
            for delivery in kept {
                let (channel, box) = try channel(delivery.channelID)
                guard channel.active else {
                    jobs.append(inactive(channel, tenantID: tenantID, deliveries: [delivery]))
                    continue
                }
                guard let secret = open(box, tenantID: tenantID) else {
                    unopened.append((channel, [delivery]))
                    continue
                }
                guard channel.kind.isApp else {
                    jobs.append(single(delivery, channel: channel, secret: secret, tenantID: tenantID, now: now))
                    continue
                }
                if let cached = try token(channel.id) {
                    var job = single(delivery, channel: channel, secret: secret, token: cached.token, tenantID: tenantID, now: now)
                    job.app = .sending(tokenFetchedAt: cached.fetchedAt)
                    jobs.append(job)
                } else if fetching.contains(channel.id) {
                    waitingForToken.append(delivery)
                } else {
                    fetching.insert(channel.id)
                    let request = AppMessages.tokenRequest(kind: channel.kind, baseURL: channel.url, appKey: channel.settings.appKey ?? "", secret: secret)
                    jobs.append(Job(tenantID: tenantID, channel: channel, deliveries: [delivery], request: request, app: .fetchingToken))
                }
            }
            // Due again at once: the next round finds the token (a serving sender may take and
            // give them back a few times while the fetch is out, which costs no attempt).
            try scope.notifications.release(waitingForToken, until: now, reason: "waiting for the app's access token")
            return jobs
        }
        for (channel, deliveries) in unopened {
            // Another key sealed it: this worker's PITSTOP_SECRET_KEY is not the API's. The
            // deliveries go back untried rather than failing toward dead.
            logger.error("PITSTOP_SECRET_KEY cannot open a channel's secret: give the worker the API's key",
                         ["channel_id": .string(channel.id.lowercasedText)])
            try database.withTenant(tenantID) {
                try $0.notifications.release(deliveries, until: now.addingTimeInterval(unopenedPause),
                                             reason: "the worker's PITSTOP_SECRET_KEY cannot open the channel's secret")
            }
        }
        return jobs
    }

    /// The deliveries still worth sending: an engineer's message about an offer that is no
    /// longer open is skipped, and so are SLA warnings to people (robots, SMS) whose clock has
    /// since breached, been met or stopped, so a digest never warns about what already
    /// happened. Webhooks get them all: they carry the events themselves, and an event that
    /// happened stays true.
    private func current(_ deliveries: [NotificationRepository.Delivery], channelKind: (UUID) throws -> NotificationChannel.Kind,
                         scope: TenantScope, now: Date) throws -> [NotificationRepository.Delivery] {
        let settled = try scope.dispatch.settledOffers(deliveries.compactMap(\.offerID))
        let stillOpen = deliveries.filter { $0.offerID.map { !settled.contains($0) } ?? true }
        try scope.notifications.skip(deliveries.filter { $0.offerID.map(settled.contains) ?? false },
                                     reason: "the offer was answered, withdrawn or lapsed before the message went out", now: now)
        return try currentWarnings(stillOpen, channelKind: channelKind, scope: scope, now: now)
    }

    private func currentWarnings(_ deliveries: [NotificationRepository.Delivery], channelKind: (UUID) throws -> NotificationChannel.Kind,
                                 scope: TenantScope, now: Date) throws -> [NotificationRepository.Delivery] {
        let warnings = try deliveries.filter { try $0.message.sla?.isWarning == true && channelKind($0.channelID) != .webhook }
            .compactMap { $0.message.sla?.workOrderID }
        guard !warnings.isEmpty else { return deliveries }
        let clocks = try scope.slaClocks.outcomes(workOrders: warnings)
        var kept: [NotificationRepository.Delivery] = []
        var stale: [String: [NotificationRepository.Delivery]] = [:]
        for delivery in deliveries {
            guard let facts = delivery.message.sla, try channelKind(delivery.channelID) != .webhook,
                  let reason = facts.staleWarning(at: now, clock: clocks[.init(workOrder: facts.workOrderID, target: facts.target)]) else {
                kept.append(delivery)
                continue
            }
            stale[reason, default: []].append(delivery)
        }
        for (reason, deliveries) in stale { try scope.notifications.skip(deliveries, reason: reason, now: now) }
        return kept
    }

    /// The channel's secret opened; "" for a channel without one; nil when this sender's key
    /// cannot open it.
    private func open(_ box: [UInt8]?, tenantID: UUID) -> String? {
        guard let box else { return "" }
        return secrets.open(box, tenant: tenantID)
    }

    /// Deliveries to a channel someone switched off die with the reason; the alert channels are
    /// not told (whoever switched it off knows).
    private func inactive(_ channel: NotificationChannel, tenantID: UUID, deliveries: [NotificationRepository.Delivery]) -> Job {
        Job(tenantID: tenantID, channel: channel, deliveries: deliveries, request: nil, refusal: ("the channel is inactive", false))
    }

    private func single(_ delivery: NotificationRepository.Delivery, channel: NotificationChannel, secret: String, token: String? = nil,
                        tenantID: UUID, now: Date) -> Job {
        do {
            let request = try ChannelRequest.build(kind: channel.kind, url: channel.url, secret: secret.isEmpty ? nil : secret, token: token,
                                                   settings: channel.settings, message: delivery.message.rendered(at: now, publicBaseURL: publicBaseURL),
                                                   eventID: delivery.eventID, now: now, nonce: UUID().uuidString.lowercased())
            return Job(tenantID: tenantID, channel: channel, deliveries: [delivery], request: request)
        } catch {
            return Job(tenantID: tenantID, channel: channel, deliveries: [delivery], request: nil, refusal: ("\(error)", true))
        }
    }
}
