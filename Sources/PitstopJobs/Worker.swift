import Foundation
import Lifecycle
import Logging
import Notifications
import PitstopStore
import Postgres
import Synchronization

/// The worker process's main loop. Each round passes on lapsed dispatch offers, sends the SLA
/// warnings and breaches that came due, relays events to webhook subscriptions, delivers
/// notifications and does the hourly housekeeping. Between rounds with nothing to do it sleeps
/// until the next thing falls due (at most a second) or a NOTIFY arrives; each heartbeat checks
/// the database and tells systemd the worker is alive. Report rollups run on a thread of their
/// own, so recounting a busy day never holds up a notification.
public final class Worker: Sendable {
    let configuration: WorkerConfiguration
    let connection: Connection.Configuration
    let pool: ConnectionPool
    let logger: Logger
    let systemd: SystemdNotifier
    private let stopRequested = Atomic<Bool>(false)
    /// Ticks completed, for tests and the heartbeat log.
    private let ticks = Atomic<Int>(0)

    /// `connection` is the app role's; the worker opens a small pool and a LISTEN connection.
    public init(configuration: WorkerConfiguration, connection: Connection.Configuration, logger: Logger,
                systemd: SystemdNotifier = SystemdNotifier()) {
        self.configuration = configuration
        self.connection = connection
        // The loop, the rollup thread and the heartbeat each hold at most one connection.
        pool = ConnectionPool(configuration: connection, size: 3)
        self.logger = logger
        self.systemd = systemd
    }

    public var completedTicks: Int { ticks.load(ordering: .relaxed) }

    /// Runs until `stop()`; returns once the loop has ended. Throws when it cannot start
    /// (schema mismatch, database unreachable).
    public func run() throws {
        try Schema.check(pool)
        defer { pool.close() }
        let listener = try Listener(configuration: connection)
        try listener.listen(configuration.wakeupChannel)
        systemd.ready()
        logger.info("worker started", ["channel": .string(configuration.wakeupChannel), "schema_version": .int(Schema.version)])
        let database = Database(pool: pool)
        let offers = OfferSweep(database: database, logger: logger)
        let clocks = SLASweep(database: database, logger: logger)
        let relay = EventRelay(database: database, logger: logger)
        let sender = configuration.secretKey.flatMap(ChannelSecrets.init(key:)).map {
            DeliverySender(database: database, secrets: $0, logger: logger, outbound: OutboundGuard(allowPrivate: configuration.allowPrivateURLs),
                           lease: configuration.deliveryLease)
        }
        if sender == nil { logger.warning("PITSTOP_SECRET_KEY is not set: notifications are queued but not sent") }
        let housekeeping = Housekeeping(database: database, logger: logger)
        let rollups = startRollups(ReportRollup(database: database, logger: logger))
        defer { rollups.wait() }
        var nextHeartbeat = ContinuousClock.now
        while !stopRequested.load(ordering: .relaxed) {
            if ContinuousClock.now >= nextHeartbeat {
                heartbeat()
                nextHeartbeat = ContinuousClock.now + configuration.heartbeatInterval
            }
            // Work done this round means more may be waiting (a backlog after downtime, a batch
            // cut at its limit): go round again at once instead of waiting.
            var worked = 0
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
                if sent.total > 0 {
                    logger.info("SLA warnings, breaches and escalations sent", ["warnings": .int(sent.warnings), "breaches": .int(sent.breaches),
                                                                             "escalations": .int(sent.escalations)])
                }
            } catch {
                logger.warning("SLA sweep failed", ["error": .string("\(error)")])
            }
            // Events to webhook subscriptions, before sending, so that they go this round.
            do {
                let relayed = try relay.run()
                worked += relayed.events
                if relayed.deliveries > 0 { logger.debug("events relayed", ["events": .int(relayed.events), "deliveries": .int(relayed.deliveries)]) }
            } catch {
                logger.warning("event relay failed", ["error": .string("\(error)")])
            }
            do {
                if let sent = try sender?.run(), sent.delivered + sent.failed > 0 {
                    worked += sent.delivered + sent.failed
                    logger.info("notifications sent", ["delivered": .int(sent.delivered), "failed": .int(sent.failed)])
                }
            } catch {
                logger.warning("notification delivery failed", ["error": .string("\(error)")])
            }
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
                let pause = try idlePause(database, deliveries: sender != nil)
                // A round longer than the heartbeat interval leaves the heartbeat already due: no wait.
                let woken = try listener.wait(timeout: max(.zero, min(pause, nextHeartbeat - ContinuousClock.now)))
                if !woken.isEmpty { logger.debug("woken", ["notifications": .int(woken.count)]) }
            } catch {
                logger.warning("LISTEN connection failed; retrying", ["error": .string("\(error)")])
                Thread.sleep(forTimeInterval: 1)
            }
        }
        systemd.stopping()
        logger.info("worker stopped")
    }

    /// Keeps the report rollups current until `stop()`, on one worker at a time (the rollup's
    /// lease): batch after batch while changes wait, then a look each second. The group is left
    /// when the thread has ended.
    private func startRollups(_ rollup: ReportRollup) -> DispatchGroup {
        let done = DispatchGroup()
        done.enter()
        let thread = Thread { [self] in
            defer { done.leave() }
            while !stopRequested.load(ordering: .relaxed) {
                var counted = 0
                do {
                    counted = try rollup.run()
                } catch {
                    logger.warning("report rollup failed", ["error": .string("\(error)")])
                }
                if counted == 0 { Thread.sleep(forTimeInterval: 1) }
            }
        }
        thread.name = "report-rollup"
        thread.start()
        return done
    }

    /// How long to wait for the next due moment: a little past it so the sweep finds it due, or
    /// a tenth of a second when it is already past (another worker holds it, or it is paced).
    private func idlePause(_ database: Database, deliveries: Bool) throws -> Duration {
        guard let next = try database.withPlatform({ try $0.nextWorkerMoment(deliveries: deliveries) }) else { return .seconds(1) }
        let seconds = next.timeIntervalSinceNow
        if seconds <= 0 { return .milliseconds(100) }
        return min(.seconds(1), .milliseconds(Int(seconds * 1000) + 5))
    }

    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    private func heartbeat() {
        do {
            try pool.withConnection { try $0.query("SELECT 1") }
            systemd.watchdog()
            let count = ticks.add(1, ordering: .relaxed).newValue
            logger.debug("heartbeat", ["ticks": .int(count)])
        } catch {
            // No watchdog ping: if the database stays away, systemd restarts the worker.
            logger.warning("heartbeat failed", ["error": .string("\(error)")])
        }
    }
}
