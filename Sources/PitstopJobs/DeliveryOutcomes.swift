import Foundation
import Logging
import Notifications
import PitstopCore
import PitstopServices
import PitstopStore

extension DeliverySender {
    /// Records what became of a job's deliveries, from what the service answered, in one
    /// transaction; returns them counted.
    func finish(_ flight: Flight, now: Date) -> Sent {
        guard let (answer, abandoned) = flight.exchange.outcome else { return Sent() }
        let job = flight.job
        let latency = Int(Date().timeIntervalSince(flight.startedWall) * 1000)
        var verdict: ChannelAnswer
        var fetchedToken: (token: String, expiresIn: TimeInterval)?
        if let refusal = job.refusal {
            verdict = .rejected(refusal.reason)
        } else if let error = answer.error {
            verdict = .failed(error)
        } else if job.app == .fetchingToken {
            switch AppMessages.readToken(status: answer.status ?? 0, retryAfter: answer.retryAfter, body: answer.body) {
            case .token(let token, let expiresIn):
                fetchedToken = (token, expiresIn)
                verdict = .accepted
            case .refused(let refusal):
                verdict = refusal
            }
        } else {
            verdict = ChannelAnswer.read(kind: job.channel.kind, status: answer.status ?? 0, retryAfter: answer.retryAfter, body: answer.body)
        }
        if job.app == .fetchingToken, let detail = verdict.error { verdict = verdict.said("fetching the app's access token: " + detail) }
        var sent = Sent()
        do {
            try database.withTenant(job.tenantID) { scope in
                if abandoned {
                    try giveBack(job, startedAt: flight.startedWall, latency: latency, scope: scope, now: now)
                    sent.failed = job.deliveries.count
                    return
                }
                if let fetchedToken {
                    // The deliveries go out with it in the next round, their attempt not counted.
                    try scope.notifications.keepAppToken(channel: job.channel.id, box: secrets.seal(fetchedToken.token, tenant: job.tenantID),
                                                         expiresAt: now.addingTimeInterval(AppMessages.useFor(lifetime: fetchedToken.expiresIn)), now: now)
                    try scope.notifications.release(job.deliveries, until: now, reason: "fetched the app's access token; sending")
                    return
                }
                if case .tokenInvalid = verdict, case .sending(let fetchedAt) = job.app {
                    try scope.notifications.dropAppToken(channel: job.channel.id, fetchedAt: fetchedAt)
                }
                var dead: [NotificationRepository.Delivery] = []
                for delivery in job.deliveries {
                    var outcome = outcome(of: verdict, for: delivery, now: now)
                    if let offerID = delivery.offerID {
                        outcome = try offerFollowUp(offerID, verdict: verdict, outcome: outcome, scope: scope, now: now)
                    }
                    if case .dead = outcome { dead.append(delivery) }
                    try scope.notifications.record(delivery, startedAt: flight.startedWall, statusCode: answer.status, latencyMilliseconds: latency,
                                                   error: verdict.error, outcome: outcome, now: now)
                }
                try pace(job.channel, after: verdict, scope: scope, now: now)
                if job.request != nil {
                    try scope.notifications.noteReach(channel: job.channel.id, reached: verdict.reachedTheService, now: now)
                }
                if case .failed = verdict, job.channel.eventTypes != nil { try disableIfFailingForLong(job.channel, scope: scope, now: now) }
                if !dead.isEmpty { try alertDead(dead, job: job, reason: verdict.error ?? "", scope: scope, now: now) }
            }
        } catch {
            // The deliveries keep their lease and are tried again after it.
            logger.error("recording a notification's outcome failed", ["channel_id": .string(job.channel.id.lowercasedText), "error": .string("\(error)")])
        }
        if !abandoned && fetchedToken == nil {
            if verdict == .accepted { sent.delivered = job.deliveries.count } else { sent.failed = job.deliveries.count }
        }
        return sent
    }

    /// What an offer's message coming through, or not, means for the offer: accepted by the
    /// provider, the engineer's time to answer starts now; anything else (refused, failed,
    /// throttled), the engineer cannot be counted on to know, so the offer passes on at once
    /// and the message is not tried again. A stale token is no one's failure: sent again.
    private func offerFollowUp(_ offerID: UUID, verdict: ChannelAnswer, outcome: NotificationRepository.Outcome, scope: TenantScope,
                               now: Date) throws -> NotificationRepository.Outcome {
        switch verdict {
        case .accepted:
            try scope.dispatch.noteNotified(offer: offerID, at: now)
            return outcome
        case .tokenInvalid:
            return outcome
        case .failed, .throttled, .rejected:
            guard let offer = try scope.dispatch.offer(id: offerID, forUpdate: true), offer.state == .pending else {
                return .dead(rejected: false)
            }
            do {
                try scope.undoingOnFailure {
                    let order = try scope.workOrders.get(id: offer.workOrderID, forUpdate: true)
                    _ = try Dispatcher(scope: scope, tenant: try scope.tenant.get(), now: now)
                        .passOn(order, from: offer.engineerID, offer: offer, as: .undelivered, reason: verdict.error, by: .automation)
                }
            } catch {
                // The offer then lapses at its deadline, as if the message had gone unread.
                logger.error("passing on an offer whose message failed", ["offer_id": .string(offerID.lowercasedText), "error": .string("\(error)")])
            }
            if case .rejected = verdict { return .dead(rejected: true) }
            return .dead(rejected: false)
        }
    }

    private func outcome(of verdict: ChannelAnswer, for delivery: NotificationRepository.Delivery, now: Date) -> NotificationRepository.Outcome {
        switch verdict {
        case .accepted: .delivered
        case .failed: delivery.attempts >= maxAttempts ? .dead(rejected: false) : .retry(at: now.addingTimeInterval(backoff(delivery.attempts)))
        case .throttled(_, let seconds, _): .wait(until: now.addingTimeInterval(seconds), abandoned: false)
        case .rejected: .dead(rejected: true)
        // Sent again at once with a fresh token, the attempt counted so it cannot go on forever.
        case .tokenInvalid: delivery.attempts >= maxAttempts ? .dead(rejected: false) : .retry(at: now)
        }
    }

    /// A robot's next message waits `robotSpacing` after this one's answer, or until a block
    /// lifts; any channel that throttles as a whole waits out the block.
    private func pace(_ channel: NotificationChannel, after verdict: ChannelAnswer, scope: TenantScope, now: Date) throws {
        if case .throttled(_, let seconds, let channelWide) = verdict, channelWide {
            try scope.notifications.pace(channel: channel.id, until: now.addingTimeInterval(seconds))
        } else if channel.kind.isRobot {
            try scope.notifications.pace(channel: channel.id, until: now.addingTimeInterval(robotSpacing))
        }
    }

    /// The worker is stopping: the deliveries go back untried, due at once for the next sender,
    /// and a robot's slot is freed.
    private func giveBack(_ job: Job, startedAt: Date, latency: Int, scope: TenantScope, now: Date) throws {
        for delivery in job.deliveries {
            try scope.notifications.record(delivery, startedAt: startedAt, statusCode: nil, latencyMilliseconds: latency,
                                           error: "the worker stopped before the answer; sent again later with the same event id",
                                           outcome: .wait(until: now, abandoned: true), now: now)
        }
        if job.channel.kind.isRobot { try scope.notifications.pace(channel: job.channel.id, until: now) }
    }

    /// Deliveries that failed for good are an event of their own, and the alert channels hear of
    /// them (all but the failing one), once per job. Alerts about alerts are not sent: a dead
    /// alert channel would otherwise feed itself.
    private func alertDead(_ dead: [NotificationRepository.Delivery], job: Job, reason: String, scope: TenantScope, now: Date) throws {
        let topic = EventType.notificationDead
        let reported = dead.filter { $0.topic != topic.rawValue }
        guard !reported.isEmpty, job.refusal?.alert != false else { return }
        logger.warning("notifications are dead", ["channel_id": .string(job.channel.id.lowercasedText), "count": .int(reported.count),
                                                  "error": .string(reason)])
        let eventID = UUID()
        let data: JSONValue = .object(["channel_id": .string(job.channel.id.lowercasedText), "channel_name": .string(job.channel.name),
                                       "delivery_ids": .array(reported.map { .string($0.id.lowercasedText) }), "reason": .string(reason)])
        let event: JSONValue = .object(["id": .string(eventID.lowercasedText), "type": .string(topic.rawValue),
                                        "timestamp": .string(Timestamp.iso8601(now)), "data": data])
        try scope.notifications.alert(topic: topic, aggregate: job.channel.id, payload: data,
                                      message: AlertText.deliveriesDead(channel: job.channel.name, count: reported.count, reason: reason, event: event),
                                      eventID: eventID, excluding: job.channel.id, now: now)
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
                                                timeZone: tenant.zone, event: event)
        try scope.notifications.alert(topic: .webhookDisabled, aggregate: disabled.id, payload: data, message: message,
                                      eventID: eventID, now: now)
        logger.warning("a webhook subscription failed for a day and was switched off", ["subscription_id": .string(disabled.id.lowercasedText)])
    }
}

extension ChannelAnswer {
    /// What to log as the try's error; nil when it was accepted.
    var error: String? {
        switch self {
        case .accepted: nil
        case .failed(let detail), .rejected(let detail): detail
        case .tokenInvalid(let detail): "\(detail) (the access token is no longer good: fetching another)"
        case .throttled(let detail, let seconds, _): "\(detail) (throttled: waiting \(Int(seconds)) s, the attempt not counted)"
        }
    }

    /// Whether the service answered as a service (a throttle is an answer too).
    var reachedTheService: Bool {
        switch self {
        case .accepted, .throttled, .rejected, .tokenInvalid: true
        case .failed: false
        }
    }

    /// The same answer, saying `detail` instead.
    func said(_ detail: String) -> ChannelAnswer {
        switch self {
        case .accepted: .accepted
        case .failed: .failed(detail)
        case .rejected: .rejected(detail)
        case .tokenInvalid: .tokenInvalid(detail)
        case .throttled(_, let seconds, let channelWide): .throttled(detail, seconds: seconds, channelWide: channelWide)
        }
    }
}
