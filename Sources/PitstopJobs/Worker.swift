import Foundation
import Lifecycle
import Logging
import Notifications
import PitstopStore
import Postgres
import Synchronization

/// The worker process: four loops on threads of their own, so that none can hold up another.
///
/// - The *sweeps* pass on lapsed dispatch offers, send the SLA warnings and breaches that came
///   due, relay events to webhook subscriptions and do the hourly housekeeping; between rounds
///   with nothing to do they sleep until the next thing falls due (at most a second) or a NOTIFY
///   arrives. Each is a few short statements, so their cadence holds whatever else is going on.
/// - The *sender* (`DeliverySender.serve`) sends notifications, many at once and fairly across
///   tenants; a slow endpoint ties up a few of its slots, never a loop.
/// - The *rollups* keep the report tables current.
/// - The *heartbeat* checks the database and pings systemd's watchdog (at least twice per
///   `WATCHDOG_USEC`), on a connection of its own, and only while the sweeps and the sender are
///   still going round: a loop that hangs stops the pings and systemd restarts the worker.
///
/// `stop()` (SIGTERM) ends all four within `stopDeadline`: sends not answered by then are given
/// back untried, to go again with the same event id.
public final class Worker: Sendable {
    let configuration: WorkerConfiguration
    let connection: Connection.Configuration
    /// A connection for each loop, so that a long recount or a busy round of sends never makes
    /// another loop wait for one.
    let pool: ConnectionPool
    let senderPool: ConnectionPool
    let rollupPool: ConnectionPool
    let logger: Logger
    let systemd: SystemdNotifier
    private let stopRequested = Atomic<Bool>(false)
    /// Heartbeats that found the database and the loops alive, for tests and the log.
    private let ticks = Atomic<Int>(0)
    /// The loops the heartbeat watches, and when each last went round.
    enum Loop: String, Sendable { case sweeps, sender }
    private let lastRound = Mutex<[Loop: ContinuousClock.Instant]>([:])

    /// `connection` is the app role's; the worker opens a small pool, a LISTEN connection and the
    /// heartbeat's own connection.
    public init(configuration: WorkerConfiguration, connection: Connection.Configuration, logger: Logger,
                systemd: SystemdNotifier = SystemdNotifier()) {
        self.configuration = configuration
        self.connection = connection
        pool = ConnectionPool(configuration: connection, size: 1)
        senderPool = ConnectionPool(configuration: connection, size: 1)
        rollupPool = ConnectionPool(configuration: connection, size: 1)
        self.logger = logger
        self.systemd = systemd
    }

    public var completedTicks: Int { ticks.load(ordering: .relaxed) }

    /// Runs until `stop()`; returns once every loop has ended. Throws when it cannot start
    /// (schema mismatch, database unreachable).
    public func run() throws {
        try Schema.check(pool)
        defer { [pool, senderPool, rollupPool].forEach { $0.close() } }
        let listener = try Listener(configuration: connection)
        try listener.listen(configuration.wakeupChannel)
        let database = Database(pool: pool)
        let sender = configuration.secretKey.flatMap(ChannelSecrets.init(key:)).map {
            DeliverySender(database: Database(pool: senderPool), secrets: $0, logger: logger, outbound: OutboundGuard(allowPrivate: configuration.allowPrivateURLs),
                           lease: configuration.deliveryLease, limits: configuration.deliveryLimits, publicBaseURL: configuration.publicBaseURL)
        }
        if sender == nil { logger.warning("PITSTOP_SECRET_KEY is not set: notifications are queued but not sent") }
        noteAlive(.sweeps)
        noteAlive(.sender)
        let threads = DispatchGroup()
        start("heartbeat", threads) { [self] in heartbeat(watching: sender != nil) }
        start("report-rollup", threads) { [self] in rollups(ReportRollup(database: Database(pool: rollupPool), logger: logger)) }
        if let sender {
            start("delivery", threads) { [self] in
                sender.serve(stopping: { [self] in stopRequested.load(ordering: .relaxed) }, grace: configuration.stopGrace,
                             alive: { [self] in noteAlive(.sender) })
            }
        }
        systemd.ready()
        logger.info("worker started", ["channel": .string(configuration.wakeupChannel), "schema_version": .int(Schema.version)])
        sweeps(database: database, listener: listener, sender: sender)
        systemd.stopping()
        sender?.wake()
        threads.wait()
        logger.info("worker stopped")
    }

    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    private var stopping: Bool { stopRequested.load(ordering: .relaxed) }

    private func start(_ name: String, _ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        let thread = Thread {
            defer { group.leave() }
            body()
        }
        thread.name = name
        thread.start()
    }

    /// Offers, SLA clocks, the relay and housekeeping, round after round until `stop()`.
    private func sweeps(database: Database, listener: Listener, sender: DeliverySender?) {
        let offers = OfferSweep(database: database, logger: logger)
        let clocks = SLASweep(database: database, logger: logger)
        let relay = EventRelay(database: database, logger: logger)
        let housekeeping = Housekeeping(database: database, logger: logger)
        while !stopping {
            noteAlive(.sweeps)
            // Work done this round means more may be waiting (a backlog after downtime, a batch
            // cut at its limit): go round again at once instead of waiting.
            var worked = 0
            var queued = 0
            // Offers lapse on the second; the sweep costs one small query when nothing is due.
            do {
                let lapsed = try offers.run()
                worked += lapsed
                if lapsed > 0 { logger.info("offers lapsed", ["count": .int(lapsed)]) }
            } catch {
                logger.warning("offer sweep failed", ["error": .string("\(error)")])
            }
            // SLA warnings and breaches: also one small indexed query when nothing is due.
            do {
                let sent = try clocks.run()
                worked += sent.total
                queued += sent.total
                if sent.total > 0 {
                    logger.info("SLA warnings, breaches and escalations sent", ["warnings": .int(sent.warnings), "breaches": .int(sent.breaches),
                                                                             "escalations": .int(sent.escalations)])
                }
            } catch {
                logger.warning("SLA sweep failed", ["error": .string("\(error)")])
            }
            do {
                let relayed = try relay.run()
                worked += relayed.events
                queued += relayed.deliveries
                if relayed.deliveries > 0 { logger.debug("events relayed", ["events": .int(relayed.events), "deliveries": .int(relayed.deliveries)]) }
            } catch {
                logger.warning("event relay failed", ["error": .string("\(error)")])
            }
            // What the sweep and the relay queued goes out now rather than at the sender's next look.
            if queued > 0 { sender?.wake() }
            // Once an hour, on whichever worker takes the lease: one small statement otherwise.
            do {
                try housekeeping.run()
            } catch {
                logger.warning("housekeeping failed", ["error": .string("\(error)")])
            }
            if worked > 0 { continue }
            // Sleep until the next thing falls due, at most a second (stop latency, and work
            // the moment does not see); NOTIFY ends a wait early.
            do {
                let woken = try listener.wait(timeout: try idlePause(database))
                if !woken.isEmpty {
                    logger.debug("woken", ["notifications": .int(woken.count)])
                    // A message was queued (an engineer's offer, say): the sender looks now.
                    sender?.wake()
                }
            } catch {
                logger.warning("LISTEN connection failed; retrying", ["error": .string("\(error)")])
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }

    /// Keeps the report rollups current until `stop()`, on one worker at a time (the rollup's
    /// lease): batch after batch while changes wait, then a look each second.
    private func rollups(_ rollup: ReportRollup) {
        while !stopping {
            var counted = 0
            do {
                counted = try rollup.run()
            } catch {
                logger.warning("report rollup failed", ["error": .string("\(error)")])
            }
            if counted == 0 { pause(.seconds(1)) }
        }
    }

    /// How long to wait for the next due moment: a little past it so the sweep finds it due, or
    /// a tenth of a second when it is already past (another worker holds it).
    private func idlePause(_ database: Database) throws -> Duration {
        guard let next = try database.withPlatform({ try $0.nextSweepMoment() }) else { return .seconds(1) }
        let seconds = next.timeIntervalSinceNow
        if seconds <= 0 { return .milliseconds(100) }
        return min(.seconds(1), .milliseconds(Int(seconds * 1000) + 5))
    }

    /// Checks the database on a connection of its own and pings the watchdog while the sweeps
    /// (and the sender, when there is one) have gone round within the watchdog's interval.
    private func heartbeat(watching sender: Bool) {
        let watchdog = SystemdNotifier.watchdogInterval()
        // At least twice per watchdog interval; a third of it leaves room for a slow query.
        let interval = min(configuration.heartbeatInterval, watchdog.map { $0 / 3 } ?? configuration.heartbeatInterval)
        let stalled = watchdog ?? max(.seconds(60), configuration.heartbeatInterval * 3)
        var database: Connection?
        while !stopping {
            do {
                if database == nil { database = try Connection(connection) }
                try database?.query("SELECT 1")
                let watched: [Loop] = sender ? [.sweeps, .sender] : [.sweeps]
                let now = ContinuousClock.now
                let hung = lastRound.withLock { rounds in watched.filter { now - (rounds[$0] ?? now) > stalled } }.map(\.rawValue)
                if hung.isEmpty {
                    systemd.watchdog()
                    let count = ticks.add(1, ordering: .relaxed).newValue
                    logger.debug("heartbeat", ["ticks": .int(count)])
                } else {
                    logger.error("a worker loop has not gone round; no watchdog ping", ["loops": .string(hung.joined(separator: ", "))])
                }
            } catch {
                // No watchdog ping: if the database stays away, systemd restarts the worker.
                database = nil
                logger.warning("heartbeat failed", ["error": .string("\(error)")])
            }
            pause(interval)
        }
    }

    /// Sleeps for `duration`, waking early (within a tenth of a second) when the worker stops.
    private func pause(_ duration: Duration) {
        let end = ContinuousClock.now + duration
        while !stopping && ContinuousClock.now < end {
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    private func noteAlive(_ loop: Loop) {
        let now = ContinuousClock.now
        lastRound.withLock { $0[loop] = now }
    }
}
