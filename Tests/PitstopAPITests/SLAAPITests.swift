import Foundation
import PitstopTesting
import Postgres
import Testing

/// SLA calendars and policies through the API, and the clocks orders carry under them.
@Suite struct SLAAPITests {
    let dispatch = DispatchAPITests()

    /// The 2026 mainland calendar as a tenant would post it: the State Council's holidays and
    /// make-up days (from the core tests' fixture) and a shop's week.
    static var mainland2026: String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../PitstopCoreTests/Fixtures/cn-holidays-2026.json")
        let file = (try? JSONSerialization.jsonObject(with: Data(contentsOf: url))) as? [String: Any] ?? [:]
        func dates(_ key: String) -> String {
            ((file[key] as? [[String: Any]]) ?? []).compactMap { $0["date"] as? String }.map { "\"\($0)\"" }.joined(separator: ",")
        }
        let day = #"[{"from":"09:00","to":"12:00"},{"from":"13:00","to":"18:00"}]"#
        return """
            {"name":"门店工作日","timezone":"Asia/Shanghai",
             "weekly":{"monday":\(day),"tuesday":\(day),"wednesday":\(day),"thursday":\(day),"friday":\(day)},
             "holidays":[\(dates("holidays"))],"make_up_days":[\(dates("make_up_working_days"))]}
            """
    }

    static func iso(_ text: String?) -> Date? {
        guard let text else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }

    @Test func calendarsKeepHolidaysAndMakeUpDaysAndNameWhatIsWrong() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let created = try api.client.send("POST", "/v1/sla-calendars", headers: bearer(tenant.adminKey), json: Self.mainland2026)
        #expect(created.status == 201, "\(created.text)")
        #expect((created.json["holidays"] as? [String])?.count == 33)
        #expect(created.json["make_up_days"] as? [String] == ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"])
        #expect(((created.json["weekly"] as? [String: Any])?["monday"] as? [[String: String]])?.last == ["from": "13:00", "to": "18:00"])
        #expect(created.json["make_up_hours"] == nil)

        let bad = try api.client.send("POST", "/v1/sla-calendars", headers: bearer(tenant.adminKey), json: """
            {"name":"x","timezone":"Mars/Olympus","weekly":{"funday":[],"monday":[{"from":"12:00","to":"09:00"}],
             "tuesday":[{"from":"09:00","to":"13:00"},{"from":"12:00","to":"18:00"}]},"holidays":["2026-02-30"]}
            """)
        #expect(bad.status == 422)
        #expect(Set(bad.problemFields) == ["timezone", "weekly.funday", "weekly.monday[0]", "weekly.tuesday", "holidays[0]"])

        let id = try #require(created.json["id"] as? String)
        let renamed = try api.client.send("PUT", "/v1/sla-calendars/\(id)", headers: bearer(tenant.adminKey, [("If-Match", "\"1\"")]),
                                          json: Self.mainland2026.replacingOccurrences(of: "门店工作日", with: "总部"))
        #expect(renamed.json["name"] as? String == "总部")
        #expect(try api.get("/v1/sla-calendars", key: tenant.adminKey).json["items"].map { ($0 as? [Any])?.count } == 1)
        // Another tenant finds nothing there, and changes nothing.
        let other = try api.makeTenant()
        #expect(try api.get("/v1/sla-calendars/\(id)", key: other.adminKey).status == 404)
        #expect(try api.client.send("DELETE", "/v1/sla-calendars/\(id)", headers: bearer(other.adminKey)).status == 404)
        #expect((try api.get("/v1/sla-calendars", key: other.adminKey).json["items"] as? [Any])?.isEmpty == true)
    }

    @Test func policiesHaveOneDefaultAndCheckTheirRules() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let other = try api.makeTenant()
        let calendar = try #require(try api.client.send("POST", "/v1/sla-calendars", headers: bearer(other.adminKey), json: Self.mainland2026)
            .json["id"] as? String)
        let first = try api.client.send("POST", "/v1/sla-policies", headers: bearer(tenant.adminKey),
                                        json: #"{"name":"标准","is_default":true,"resolution":{"minutes":480}}"#)
        #expect(first.status == 201, "\(first.text)")
        #expect(first.json["warn_at"] as? [Double] == [0.5, 0.75, 0.9])
        #expect((first.json["resolution"] as? [String: Any])?["business_time"] as? Bool == true)
        let second = try api.client.send("POST", "/v1/sla-policies", headers: bearer(tenant.adminKey),
                                         json: #"{"name":"又一个","is_default":true,"resolution":{"minutes":60}}"#)
        #expect(second.status == 409)
        #expect(second.problemFields == ["is_default"])
        let foreign = try api.client.send("POST", "/v1/sla-policies", headers: bearer(tenant.adminKey),
                                          json: #"{"name":"x","calendar_id":"\#(calendar)","resolution":{"minutes":60}}"#)
        #expect(foreign.status == 422)
        #expect(foreign.problemFields == ["calendar_id"])
        let bad = try api.client.send("POST", "/v1/sla-policies", headers: bearer(tenant.adminKey), json: """
            {"name":"x","first_response":{"minutes":0},"warn_at":[0.9,0.5],"paused_statuses":["completed"],
             "is_default":true,"match":{"customer_tag":"VIP"}}
            """)
        #expect(bad.status == 422)
        #expect(Set(bad.problemFields) == ["first_response.minutes", "warn_at", "paused_statuses", "match"])
        let dispatcherKey = try api.makeKey(adminKey: tenant.adminKey, role: .dispatcher).secret
        #expect(try api.client.send("POST", "/v1/sla-policies", headers: bearer(dispatcherKey), json: #"{"name":"x"}"#).status == 403)
        #expect(try api.get("/v1/sla-policies", key: dispatcherKey).status == 200)
    }

    /// A fixture tenant with a calendar-time policy (so the test does not depend on the hour it
    /// runs at): first response 30 min, arrival 60 min, resolution 240 min, waiting for parts paused.
    func tenantWithPolicies(_ api: TestAPI) throws -> DispatchAPITests.Fixture {
        let f = try dispatch.fixture(api)
        for body in [
            #"{"name":"标准","is_default":true,"first_response":{"minutes":30,"business_time":false},"resolution":{"minutes":240,"business_time":false}}"#,
            #"{"name":"加急","position":1,"match":{"priorities":["P1"]},"first_response":{"minutes":10,"business_time":false},"resolution":{"minutes":60,"business_time":false}}"#,
        ] {
            let created = try api.client.send("POST", "/v1/sla-policies", headers: bearer(f.adminKey), json: body)
            #expect(created.status == 201, "\(created.text)")
        }
        return f
    }

    func clocks(_ api: TestAPI, _ f: DispatchAPITests.Fixture, _ id: String) throws -> [String: [String: Any]] {
        let body = try api.get("/v1/work-orders/\(id)/sla", key: f.adminKey)
        #expect(body.status == 200, "\(body.text)")
        return Dictionary(uniqueKeysWithValues: (body.json["items"] as? [[String: Any]] ?? []).compactMap { clock in
            (clock["target"] as? String).map { ($0, clock) }
        })
    }

    func move(_ api: TestAPI, _ f: DispatchAPITests.Fixture, _ id: String, _ to: String, extra: String = "") throws {
        let current = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
        let moved = try api.client.send("POST", "/v1/work-orders/\(id)/transitions",
                                        headers: bearer(f.adminKey, [("If-Match", current.header("ETag") ?? "")]), json: #"{"to":"\#(to)"\#(extra)}"#)
        #expect(moved.status == 200, "\(to): \(moved.text)")
    }

    @Test func clocksStartMeetPauseAndFollowAPriorityChange() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try tenantWithPolicies(api)
        let id = try dispatch.order(api, f)
        let created = try #require(Self.iso(try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["created_at"] as? String))
        var clocks = try clocks(api, f, id)
        // The default policy (P3 order); no arrival promise, so no arrival clock.
        #expect(Set(clocks.keys) == ["first_response", "resolution"])
        #expect(clocks["resolution"]?["state"] as? String == "running")
        #expect(Self.iso(clocks["resolution"]?["due_at"] as? String) == created.addingTimeInterval(240 * 60))
        #expect((clocks["resolution"]?["warnings"] as? [String])?.count == 3)

        // P1: the urgent policy's goals, counted from the same start; the first due time is kept.
        let patched = try api.client.send("PATCH", "/v1/work-orders/\(id)", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                          json: #"{"priority":"P1"}"#)
        #expect(patched.status == 200, "\(patched.text)")
        clocks = try self.clocks(api, f, id)
        #expect(Self.iso(clocks["resolution"]?["due_at"] as? String) == created.addingTimeInterval(60 * 60))
        #expect(Self.iso(clocks["resolution"]?["original_due_at"] as? String) == created.addingTimeInterval(240 * 60))

        try move(api, f, id, "assigned", extra: #","assignee_id":"\#(f.engineers["陈师傅"]!)""#)
        try move(api, f, id, "accepted")
        clocks = try self.clocks(api, f, id)
        #expect(clocks["first_response"]?["state"] as? String == "met")
        #expect(clocks["first_response"]?["met_at"] is String)

        // Waiting for parts stops the resolution clock; going back to work resumes it later.
        try move(api, f, id, "diagnosing")
        try move(api, f, id, "awaiting_parts")
        clocks = try self.clocks(api, f, id)
        #expect(clocks["resolution"]?["state"] as? String == "paused")
        #expect(clocks["resolution"]?["due_at"] == nil)
        Thread.sleep(forTimeInterval: 1.1)
        try move(api, f, id, "repairing")
        let sla = try api.get("/v1/work-orders/\(id)/sla", key: f.adminKey)
        let pause = try #require((sla.json["pauses"] as? [[String: Any]])?.first)
        let paused = try #require(Self.iso(pause["ended_at"] as? String)).timeIntervalSince(try #require(Self.iso(pause["started_at"] as? String)))
        #expect(paused >= 1.1)
        clocks = try self.clocks(api, f, id)
        #expect(clocks["resolution"]?["state"] as? String == "running")
        let resumedDue = try #require(Self.iso(clocks["resolution"]?["due_at"] as? String))
        #expect(abs(resumedDue.timeIntervalSince(created.addingTimeInterval(60 * 60 + paused))) < 0.002)

        try move(api, f, id, "quality_check")
        try move(api, f, id, "awaiting_acceptance")
        try move(api, f, id, "completed")
        clocks = try self.clocks(api, f, id)
        #expect(clocks["resolution"]?["state"] as? String == "met")
        #expect(clocks["resolution"]?["minutes_left"] == nil)
    }

    @Test func listsFindBreachedAndSoonDueOrders() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try tenantWithPolicies(api)
        let late = try dispatch.order(api, f)
        let soon = try dispatch.order(api, f)
        let cancelled = try dispatch.order(api, f)
        try move(api, f, cancelled, "cancelled", extra: #","reason":"客户取消""#)
        #expect(try clocks(api, f, cancelled)["resolution"]?["state"] as? String == "stopped")
        // One order's resolution fell due five minutes ago (the clock is moved back as the owner).
        let owner = try Connection(TestDatabase.shared.ownerConfiguration)
        try owner.query("""
            UPDATE work_order_sla_clocks SET due_at = now() - interval '5 minutes'
            WHERE work_order_id = \(UUID(uuidString: late)!) AND target = 'resolution'
            """)
        func ids(_ query: String) throws -> [String] {
            let page = try api.get("/v1/work-orders?\(query)", key: f.adminKey)
            #expect(page.status == 200, "\(page.text)")
            return (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        #expect(try ids("sla=breached") == [late])
        // Every open order's first response is due within 30 minutes.
        #expect(Set(try ids("breaching_within=31")) == [late, soon])
        #expect(try ids("breaching_within=31&sla=breached") == [late])
        #expect(try api.get("/v1/work-orders?sla=late", key: f.adminKey).problemFields == ["sla"])
        #expect(try api.get("/v1/work-orders?breaching_within=0", key: f.adminKey).problemFields == ["breaching_within"])
    }
}
