import Foundation
import HTTPClient
import Logging
import Notifications
import PitstopCore
import PitstopStore
import Synchronization

/// Sends notification deliveries, many at once and fairly, so that no tenant, endpoint or send
/// can hold up another's.
///
/// A *job* is one request: one delivery to an SMS service or webhook, or one digest to a group
/// robot carrying as many deliveries as its byte limit allows. Jobs are claimed in short
/// transactions (`FOR UPDATE SKIP LOCKED`, attempts counted, a lease taken), sent with no
/// transaction open, each on a thread of its own (`HTTPExchange`), and their outcomes recorded
/// as they finish. At most
/// `Limits.inFlight` jobs are out at once, `perTenant` of one tenant's and `perChannel` to one
/// endpoint, so an endpoint that takes ten seconds a request ties up a few slots, never the
/// sender. Robots are paced in the database (`notification_channels.next_send_at`): one message
/// at a time per robot, `robotSpacing` apart, whichever worker sends it.
///
/// What a service answers decides what happens (`ChannelAnswer`): delivered; a failure retried
/// with back-off until `maxAttempts`; a throttle waited out without using up attempts; a refusal
/// dead at once, the alert channels told. A sender that dies mid-send leaves its deliveries to
/// whichever sender finds them after the lease; one that stops gives them back untried. Either
/// way a receiver may see an event twice, with the same id, and never loses one.
public final class DeliverySender: Sendable {
    public struct Limits: Sendable {
        public var inFlight: Int
        public var perTenant: Int
        public var perChannel: Int

        public init(inFlight: Int = 32, perTenant: Int = 8, perChannel: Int = 4) {
            self.inFlight = inFlight
            self.perTenant = perTenant
            self.perChannel = perChannel
        }
    }

    let database: Database
    let secrets: ChannelSecrets
    let logger: Logger
    let maxAttempts: Int
    let lease: TimeInterval
    /// How long one request may take, start to end.
    let timeout: TimeInterval
    /// Seconds before attempt `n + 1` after `n` failed.
    let backoff: @Sendable (Int) -> TimeInterval
    let limits: Limits
    /// The gap between two messages to one robot. DingTalk and WeCom take 20 a minute (and
    /// DingTalk blocks a robot for ten minutes past that); 3.5 s keeps each robot near 17, with
    /// room for the clocks of two machines to disagree.
    let robotSpacing: TimeInterval
    /// How long deliveries wait when this sender cannot open their channel's secret.
    let unopenedPause: TimeInterval = 30
    /// Which addresses tenants' URLs may reach, checked again before every send.
    let outbound: OutboundGuard
    /// How long a webhook subscription may fail without a break before it is switched off.
    let disableAfter: TimeInterval
    /// Where customers reach Pitstop: the links in their messages start with it.
    let publicBaseURL: String
    /// Deliveries a robot digest looks at: more than any message can carry.
    let robotBatch = 300
    private let flights = Mutex<[Flight]>([])
    /// Rung when a send finishes or someone asks the sender to look again (`wake()`).
    private let bell = Bell()

    public init(database: Database, secrets: ChannelSecrets, logger: Logger, outbound: OutboundGuard, maxAttempts: Int = 8,
                lease: TimeInterval = 60, timeout: TimeInterval = 10, limits: Limits = Limits(), robotSpacing: TimeInterval = 3.5,
                disableAfter: TimeInterval = 86_400, publicBaseURL: String = WorkerConfiguration.defaultPublicURL,
                backoff: @escaping @Sendable (Int) -> TimeInterval = DeliverySender.exponential) {
        self.database = database
        self.secrets = secrets
        self.logger = logger
        self.maxAttempts = maxAttempts
        self.lease = max(lease, timeout + 5)
        self.timeout = timeout
        self.limits = limits
        self.robotSpacing = robotSpacing
        self.outbound = outbound
        self.disableAfter = disableAfter
        self.publicBaseURL = publicBaseURL
        self.backoff = backoff
    }

    /// 10 s, 20 s, 40 s … capped at an hour, each ±20% so retries from many orders spread out.
    public static func exponential(_ attempt: Int) -> TimeInterval {
        let base = min(3600, 10 * pow(2, Double(max(0, attempt - 1))))
        return base * Double.random(in: 0.8...1.2)
    }

    /// What one round came to, in deliveries.
    public struct Sent: Sendable, Equatable {
        public var delivered = 0
        /// Not delivered this time: failed, throttled or refused.
        public var failed = 0
    }

    /// Sends everything due at `now`, round after round within the limits, waiting for every
    /// answer, until a round finds nothing more; returns how many deliveries were delivered and
    /// how many not. For tests and tools: the worker runs `serve`.
    @discardableResult
    public func run(now: Date = Date()) throws -> (delivered: Int, failed: Int) {
        var sent = Sent()
        while true {
            let started = try startRound(now: now).started
            if started.isEmpty { break }
            for flight in started {
                flight.exchange.waitUntilDone()
                sent.add(finish(flight, now: now))
            }
            flights.withLock { $0.removeAll { flight in started.contains { $0 === flight } } }
        }
        return (sent.delivered, sent.failed)
    }

    /// Sends until `stopping()` is true, then lets go within `grace`: what has not answered by
    /// then is cancelled and given back untried, to be sent again (same event id) by whichever
    /// sender comes next. `alive` is called each time round, for the worker's watchdog.
    public func serve(stopping: @Sendable () -> Bool, grace: Duration = .seconds(3), alive: @Sendable () -> Void = {}) {
        while !stopping() {
            alive()
            var nextLook = Date().addingTimeInterval(1)
            do {
                finishAnswered()
                let round = try startRound(now: Date())
                nextLook = round.nextLook
            } catch {
                logger.warning("notification delivery failed", ["error": .string("\(error)")])
            }
            bell.wait(until: nextLook)
        }
        let deadline = ContinuousClock.now + grace
        while !flights.withLock({ $0.isEmpty }) && ContinuousClock.now < deadline {
            finishAnswered()
            bell.wait(until: Date().addingTimeInterval(0.05))
        }
        for flight in flights.withLock({ $0 }) { flight.exchange.abandon() }
        finishAnswered()
    }

    /// Asks a serving sender to look for work now (the sweep just queued some).
    public func wake() {
        bell.ring()
    }

    // MARK: rounds

    /// Claims jobs for the free slots, tenant by tenant (the longest-waiting first), and starts
    /// them. Returns them and when to look again.
    func startRound(now: Date) throws -> (started: [Flight], nextLook: Date) {
        var started: [Flight] = []
        var nextLook = now.addingTimeInterval(1)
        let waiting = try database.withPlatform { try $0.tenantsWithPendingDeliveries() }
        var free = limits.inFlight - flights.withLock { $0.count }
        for (tenantID, earliest) in waiting.sorted(by: { $0.earliest < $1.earliest }) {
            // The database keeps microseconds: a moment written as `now` may read back a hair later.
            guard earliest <= now.addingTimeInterval(0.001) else {
                nextLook = min(nextLook, earliest)
                continue
            }
            // Due work that waits for a slot, a robot's pace or a throttle: look again soon.
            nextLook = min(nextLook, now.addingTimeInterval(0.25))
            let flying = flights.withLock { $0.filter { $0.job.tenantID == tenantID } }
            let room = min(free, limits.perTenant - flying.count)
            guard room > 0 else { continue }
            let jobs: [Job]
            do {
                jobs = try claim(tenantID: tenantID, room: room, flying: flying.map(\.job), now: now)
            } catch {
                logger.error("notification delivery failed for a tenant", ["tenant_id": .string(tenantID.lowercasedText), "error": .string("\(error)")])
                continue
            }
            for job in jobs {
                let flight = Flight(job: job, bell: bell)
                flights.withLock { $0.append(flight) }
                start(flight, now: now)
                started.append(flight)
            }
            free -= jobs.count
            if free <= 0 { break }
        }
        return (started, nextLook)
    }

    private func start(_ flight: Flight, now: Date) {
        guard let request = flight.job.request else {
            flight.exchange.finish(.none(flight.job.refusal?.reason ?? "nothing to send"))
            return
        }
        let outbound = outbound
        let timeout = timeout
        // The address check may resolve a name: off the sender's thread, like the send.
        DispatchQueue.global().async {
            if let refusal = outbound.refusal(request.url) {
                flight.exchange.finish(.none(refusal))
                return
            }
            flight.exchange.start(HTTPClient.Request(method: request.method, url: request.url,
                                                     headers: request.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                                                     body: request.body, timeout: timeout))
        }
    }

    /// Records every job that has its answer and lets its slot go.
    private func finishAnswered() {
        let done = flights.withLock { flights -> [Flight] in
            let done = flights.filter { $0.exchange.outcome != nil }
            flights.removeAll { $0.exchange.outcome != nil }
            return done
        }
        for flight in done { _ = finish(flight, now: Date()) }
    }
}

extension DeliverySender.Sent {
    mutating func add(_ other: DeliverySender.Sent) {
        delivered += other.delivered
        failed += other.failed
    }
}

/// One job under way.
final class Flight: Sendable {
    let job: DeliverySender.Job
    let exchange: HTTPExchange
    let startedWall = Date()

    init(job: DeliverySender.Job, bell: Bell) {
        self.job = job
        exchange = HTTPExchange(done: { bell.ring() })
    }
}

/// Wakes a waiting loop early: a condition with a flag, so a ring before the wait is not lost.
final class Bell: @unchecked Sendable {
    private let condition = NSCondition()
    private var rung = false

    func ring() {
        condition.lock()
        rung = true
        condition.broadcast()
        condition.unlock()
    }

    /// Returns when rung or at `deadline`, whichever comes first.
    func wait(until deadline: Date) {
        condition.lock()
        while !rung && condition.wait(until: deadline) {}
        rung = false
        condition.unlock()
    }
}
