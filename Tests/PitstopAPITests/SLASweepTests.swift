import Foundation
import Logging
import PitstopJobs
import PitstopTesting
import Postgres
import Synchronization
import Testing

/// Tests that run the SLA sweep or the notification sender: both see every tenant, so they run
/// one at a time, with clocks within minutes of now (short of other tests' orders' warnings).
@Suite(.serialized) struct SweepingTests {}

/// The worker's SLA sweep driven by a fixed clock.
extension SweepingTests {
    @Suite struct SLASweepTests {
        let dispatch = DispatchAPITests()
        let sla = SLAAPITests()
        let sweep = SLASweep(database: TestDatabase.shared.database, logger: Logger(component: "sla-sweep-test", minimumLevel: .error, sink: { _ in }))

        /// A tenant whose default policy promises resolution within one minute (warnings at 50% and
        /// 75%) and first response within four, both in calendar time.
        func fixture(_ api: TestAPI) throws -> DispatchAPITests.Fixture {
            let f = try dispatch.fixture(api)
            let created = try api.client.send("POST", "/v1/sla-policies", headers: bearer(f.adminKey), json: """
                {"name":"急修","is_default":true,"warn_at":[0.5,0.75],"first_response":{"minutes":4,"business_time":false},
                 "resolution":{"minutes":1,"business_time":false}}
                """)
            #expect(created.status == 201, "\(created.text)")
            return f
        }

        func created(_ api: TestAPI, _ f: DispatchAPITests.Fixture, _ id: String) throws -> Date {
            try #require(SLAAPITests.iso(try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["created_at"] as? String))
        }

        /// The order's SLA timeline entries for one target (their notes start with its name).
        func kinds(_ api: TestAPI, _ f: DispatchAPITests.Fixture, _ id: String, target: String = "resolution") throws -> [String] {
            (try api.get("/v1/work-orders/\(id)/timeline", key: f.adminKey).json["items"] as? [[String: Any]] ?? [])
                .filter { ($0["kind"] as? String)?.hasPrefix("sla_") == true && ($0["note"] as? String)?.hasPrefix(target) == true }
                .compactMap { $0["kind"] as? String }
        }

        func outbox(_ id: String, topic: String) throws -> Int {
            let owner = try Connection(TestDatabase.shared.ownerConfiguration)
            return try owner.query("SELECT count(*)::int AS n FROM outbox WHERE aggregate_id = \(UUID(uuidString: id)!) AND topic = \(topic)")
                .rows[0].decode("n")
        }

        @Test func warningsThenTheBreachGoOutOnceEvenWithTwoWorkers() throws {
            let api = try TestAPI()
            defer { api.stop() }
            let f = try fixture(api)
            let id = try dispatch.order(api, f)
            let start = try created(api, f, id)

            _ = try sweep.run(now: start.addingTimeInterval(20))
            #expect(try kinds(api, f, id).isEmpty)

            // Two workers at once after 50 s: the 75% warning has overtaken the 50% one; one goes out.
            let sent = Mutex(0)
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                let result = try? sweep.run(now: start.addingTimeInterval(50))
                sent.withLock { $0 += (result?.warnings ?? 0) + (result?.breaches ?? 0) }
            }
            #expect(sent.withLock { $0 } >= 1)
            #expect(try kinds(api, f, id) == ["sla_warning"])
            #expect(try outbox(id, topic: "work_order.sla_warning") == 1)
            var clocks = try sla.clocks(api, f, id)
            #expect(clocks["resolution"]?["warnings_sent"] as? Int == 2)
            #expect(clocks["resolution"]?["state"] as? String == "running")

            // After the due time: the breach, once, however often the sweep runs.
            _ = try sweep.run(now: start.addingTimeInterval(120))
            _ = try sweep.run(now: start.addingTimeInterval(130))
            #expect(try kinds(api, f, id) == ["sla_warning", "sla_breached"])
            // First response (four minutes) had its 50% warning at two minutes meanwhile.
            #expect(try kinds(api, f, id, target: "first_response") == ["sla_warning"])
            #expect(try outbox(id, topic: "work_order.sla_breached") == 1)
            clocks = try sla.clocks(api, f, id)
            #expect(clocks["resolution"]?["state"] as? String == "breached")
            #expect(SLAAPITests.iso(clocks["resolution"]?["breached_at"] as? String) == start.addingTimeInterval(60))
            let breached = try api.get("/v1/work-orders?sla=breached", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
            #expect(breached.compactMap { $0["id"] as? String } == [id])
        }

        @Test func aMetTargetIsNeverWarnedAbout() throws {
            let api = try TestAPI()
            defer { api.stop() }
            let f = try fixture(api)
            let id = try dispatch.order(api, f)
            let start = try created(api, f, id)
            // Accepted within the four minutes: first response met, before any of its warnings.
            try sla.move(api, f, id, "assigned", extra: #","assignee_id":"\#(f.engineers["陈师傅"]!)""#)
            try sla.move(api, f, id, "accepted")
            _ = try sweep.run(now: start.addingTimeInterval(300))
            let clocks = try sla.clocks(api, f, id)
            #expect(clocks["first_response"]?["state"] as? String == "met")
            #expect(clocks["first_response"]?["warnings_sent"] as? Int == 0)
            #expect(try kinds(api, f, id, target: "first_response").isEmpty)
            // The resolution clock, still running, breached meanwhile (its warnings overtaken).
            #expect(try kinds(api, f, id) == ["sla_breached"])
            #expect(clocks["resolution"]?["state"] as? String == "breached")
        }

        @Test func aSweepThatFailsMidwaySendsNothingAndTheNextSendsIt() throws {
            let api = try TestAPI()
            defer { api.stop() }
            let f = try fixture(api)
            let id = try dispatch.order(api, f)
            let start = try created(api, f, id)
            let tenant = try #require(try api.get("/v1/tenant", key: f.adminKey).json["id"] as? String)
            // A worker claims the due clocks and dies before COMMIT.
            struct Died: Error {}
            #expect(throws: Died.self) {
                try TestDatabase.shared.database.withTenant(UUID(uuidString: tenant)!) { scope in
                    let due = try scope.slaClocks.due(at: start.addingTimeInterval(120), limit: 10)
                    #expect(!due.isEmpty)
                    _ = try scope.slaClocks.fire(workOrder: due[0].workOrder, clock: due[0].clock, warnAt: [0.5, 0.75],
                                                 breachDelays: [], now: start.addingTimeInterval(120))
                    throw Died()
                }
            }
            #expect(try kinds(api, f, id).isEmpty)
            #expect(try sweep.run(now: start.addingTimeInterval(120)).breaches >= 1)
            #expect(try kinds(api, f, id) == ["sla_breached"])
            #expect(try outbox(id, topic: "work_order.sla_breached") == 1)
        }
    }
}
