import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Logging
import PitstopJobs
import PitstopStore
import PitstopTesting
import Postgres
import Testing

/// Reports from the worker's rollups, checked against direct counts over the orders. The rollup
/// follows every tenant's events, so these run with the other sweeping tests.
extension SweepingTests {
    @Suite struct ReportAPITests {
        let dispatch = DispatchAPITests()
        let sla = SLAAPITests()
        var rollup: ReportRollup { ReportRollup(database: TestDatabase.shared.database, logger: Logger(component: "test", minimumLevel: .error, sink: { _ in })) }

        /// Counts events in until `check` holds (a worker process of another suite may hold the
        /// rollup's lease for a moment, and counts them in itself).
        func settle(_ check: () throws -> Bool) throws -> Bool {
            let deadline = Date().addingTimeInterval(15)
            repeat {
                while try rollup.run() > 0 {}
                if try check() { return true }
                Thread.sleep(forTimeInterval: 0.1)
            } while Date() < deadline
            return false
        }

        /// What the report should say: a direct count over the tenant's orders by Shanghai day.
        func directCounts(_ tenant: String) throws -> [String: [Int]] {
            let owner = try Connection(TestDatabase.shared.ownerConfiguration)
            var counts: [String: [Int]] = [:]
            for (index, column) in ["created_at", "completed_at", "cancelled_at"].enumerated() {
                for row in try owner.query("""
                    SELECT (\(unsafeRaw: column) AT TIME ZONE 'Asia/Shanghai')::date::text AS day, count(*)::int AS n FROM work_orders
                    WHERE tenant_id = \(UUID(uuidString: tenant)!) AND \(unsafeRaw: column) IS NOT NULL GROUP BY 1
                    """).rows {
                    counts[try row.decode("day"), default: [0, 0, 0]][index] = try row.decode("n")
                }
            }
            return counts
        }

        func report(_ api: TestAPI, _ key: String, _ query: String) throws -> [String: [Int]] {
            let rows = try api.get("/v1/reports/orders?\(query)", key: key).json["rows"] as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: rows.compactMap { row in
                (row["key"] as? String).map { ($0, [row["created"] as? Int ?? 0, row["completed"] as? Int ?? 0, row["cancelled"] as? Int ?? 0]) }
            })
        }

        @Test func theOrdersReportAgreesWithADirectCountAcrossDayBoundariesAndLateChanges() throws {
            let api = try TestAPI()
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let tenant = try #require(try api.get("/v1/tenant", key: f.adminKey).json["id"] as? String)
            let orders = try (0..<5).map { _ in try dispatch.order(api, f) }
            // Two orders came in late last night in Shanghai (before midnight there, the same UTC day).
            let owner = try Connection(TestDatabase.shared.ownerConfiguration)
            try owner.query("""
                UPDATE work_orders SET created_at = date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai' - interval '30 minutes'
                WHERE id = ANY (\([orders[0], orders[1]].compactMap(UUID.init(uuidString:)))::uuid[])
                """)
            // A change to each writes an event, which is what the rollup follows.
            for id in [orders[0], orders[1]] {
                let current = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
                #expect(try api.client.send("PATCH", "/v1/work-orders/\(id)", headers: bearer(f.adminKey, [("If-Match", current.header("ETag") ?? "")]),
                                            json: #"{"priority":"P2"}"#).status == 200)
            }
            try sla.move(api, f, orders[2], "cancelled", extra: #","reason":"客户取消""#)
            let range = "from=2026-01-01&to=2026-12-31"
            var expected = try directCounts(tenant)
            #expect(expected.count == 2)
            #expect(try settle { try report(api, f.adminKey, range) == expected })
            let totals = try api.get("/v1/reports/orders?\(range)", key: f.adminKey).json["totals"] as? [String: Any]
            #expect(totals?["created"] as? Int == 5 && totals?["cancelled"] as? Int == 1)

            // A late change: another order is cancelled, and the day it happened is recounted.
            try sla.move(api, f, orders[3], "cancelled", extra: #","reason":"重复报修""#)
            expected = try directCounts(tenant)
            #expect(try settle { try report(api, f.adminKey, range) == expected })

            // By shop, named; as CSV for Excel; another tenant sees none of it.
            let byShop = try api.get("/v1/reports/orders?\(range)&group_by=shop", key: f.adminKey).json["rows"] as? [[String: Any]]
            #expect(byShop?.first?["label"] as? String == "西湖店" && byShop?.first?["created"] as? Int == 5)
            #expect(try report(api, f.adminKey, "\(range)&shop=\(f.shopID)") == expected)
            #expect(try report(api, f.adminKey, "\(range)&shop=\(UUID().uuidString)").isEmpty)
            let csv = try api.client.send("GET", "/v1/reports/orders?\(range)&group_by=shop", headers: bearer(f.adminKey, [("Accept", "text/csv")]))
            #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
            #expect(Array(csv.body.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let lines = String(decoding: csv.body.dropFirst(3), as: UTF8.self).split(separator: "\r\n").map(String.init)
            #expect(lines.first == "group,label,created,completed,cancelled")
            #expect(lines.count == 2 && lines[1].contains(",西湖店,5,0,2"), "\(lines)")
            // As a chart: well-formed SVG with the Chinese title and shop name, and a page that shows them.
            for query in ["group_by=day", "group_by=shop", "group_by=channel&chart=line"] {
                let chart = try api.get("/v1/reports/orders.svg?\(range)&\(query)", key: f.adminKey)
                #expect(chart.status == 200 && chart.header("Content-Type")?.hasPrefix("image/svg+xml") == true, "\(chart.text)")
                #expect(XMLParser(data: Data(chart.body)).parse(), "\(query): \(chart.text)")
                #expect(chart.text.contains("工单数量 2026-01-01 至 2026-12-31"))
            }
            #expect(try api.get("/v1/reports/orders.svg?\(range)&group_by=shop", key: f.adminKey).text.contains("西湖店"))
            #expect(try api.get("/v1/reports/orders.svg?chart=pie", key: f.adminKey).problemFields == ["chart"])
            let page = try api.get("/dashboard", key: nil)
            #expect(page.status == 200 && page.text.contains("'/v1/reports/' + name + '.svg?'") && page.text.contains("chart('backlog', 'backlog'"))
            #expect(page.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
            let other = try api.makeTenant()
            #expect((try api.get("/v1/reports/orders?\(range)", key: other.adminKey).json["rows"] as? [Any])?.isEmpty == true)
        }

        @Test func slaComplianceAndSatisfactionAgreeWithTheClocksAndRatings() throws {
            let api = try TestAPI()
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let tenantText = try #require(try api.get("/v1/tenant", key: f.adminKey).json["id"] as? String)
            let tenant = try #require(UUID(uuidString: tenantText))
            let policy = try api.client.send("POST", "/v1/sla-policies", headers: bearer(f.adminKey), json: """
                {"name":"标准","is_default":true,"first_response":{"minutes":60,"business_time":false},"resolution":{"minutes":1,"business_time":false}}
                """)
            #expect(policy.status == 201, "\(policy.text)")
            // Two orders answered and finished in time, then rated 5 and 3; one left to breach.
            var rated: [String] = []
            for score in [5, 3] {
                let id = try dispatch.order(api, f)
                try sla.move(api, f, id, "assigned", extra: #","assignee_id":"\#(f.engineers["陈师傅"]!)""#)
                for status in ["accepted", "diagnosing", "repairing", "quality_check", "awaiting_acceptance", "completed"] {
                    try sla.move(api, f, id, status)
                }
                let tracking = try #require(try api.client.send("POST", "/v1/work-orders/\(id)/tracking-link", headers: bearer(f.adminKey))
                    .json["token"] as? String)
                #expect(try api.client.send("POST", "/v1/public/track/\(tracking)/rating", json: #"{"score":\#(score)}"#).status == 204)
                rated.append(id)
            }
            let late = try dispatch.order(api, f)
            let start = try SweepingTests.SLASweepTests().created(api, f, late)
            _ = try SLASweep(database: TestDatabase.shared.database, logger: Logger(component: "test", minimumLevel: .error, sink: { _ in }))
                .run(now: start.addingTimeInterval(70))

            // The direct count over the clocks: met in time, and breached, per target.
            let owner = try Connection(TestDatabase.shared.ownerConfiguration)
            func direct(_ target: String) throws -> [Int] {
                let row = try owner.query("""
                    SELECT count(*) FILTER (WHERE state = 'met')::int AS met, count(breached_at)::int AS breached
                    FROM work_order_sla_clocks WHERE tenant_id = \(tenant) AND target = \(target)
                    """)[0]
                return [try row.decode("met"), try row.decode("breached")]
            }
            let range = "from=2026-01-01&to=2026-12-31"
            func totals(_ report: String) throws -> [String: Any] {
                try api.get("/v1/reports/\(report)?\(range)", key: f.adminKey).json["totals"] as? [String: Any] ?? [:]
            }
            let expected = try ["first_response", "resolution"].map(direct)
            #expect(expected == [[2, 0], [2, 1]])
            #expect(try settle {
                let sla = try totals("sla")
                return ["first_response", "resolution"].map { [sla["\($0)_met"] as? Int ?? -1, sla["\($0)_breached"] as? Int ?? -1] } == expected
            })
            let sla = try totals("sla")
            #expect(sla["resolution_compliance"] as? Double == 66.7)
            #expect(sla["arrival_compliance"] is NSNull)
            #expect(try settle { try totals("satisfaction")["rated"] as? Int == 2 })
            let satisfaction = try totals("satisfaction")
            #expect(satisfaction["average"] as? Double == 4 && satisfaction["score_3"] as? Int == 1 && satisfaction["score_5"] as? Int == 1)
            #expect(satisfaction["completed"] as? Int == 2 && satisfaction["response_rate"] as? Double == 100)
            let csv = try api.client.send("GET", "/v1/reports/sla?\(range)", headers: bearer(f.adminKey, [("Accept", "text/csv")]))
            #expect(String(decoding: csv.body.dropFirst(3), as: UTF8.self).hasPrefix(
                "group,label,first_response_met,first_response_breached,first_response_compliance,arrival_met"))
            let chart = try api.get("/v1/reports/satisfaction.svg?\(range)", key: f.adminKey)
            #expect(XMLParser(data: Data(chart.body)).parse() && chart.text.contains("客户满意度"))
            #expect(rated.count == 2)
        }

        @Test func reworkMovesTheFirstTimeFixRateAndConsumedPartsAreCosted() throws {
            let api = try TestAPI()
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let inventory = PartsInventoryAPITests()
            let engineerKey = try PoolAndTransferAPITests().engineerKey(api, f, "陈师傅")
            let part = try #require(try inventory.post(api, f.adminKey, "/v1/parts", #"{"part_number":"BP-9","name":"刹车片","price":120.5}"#)
                .json["id"] as? String)
            #expect(try inventory.post(api, f.adminKey, "/v1/stock-movements",
                                       #"{"shop_id":"\#(f.shopID)","part_id":"\#(part)","kind":"receipt","quantity":10}"#).status == 201)
            let withParts = try inventory.requisition(api, f, engineerKey: engineerKey, lines: #"[{"part_number":"BP-9","quantity":2}]"#)
            #expect(try inventory.approve(api, f, withParts.requisition).status == 200)
            for status in ["quality_check", "awaiting_acceptance", "completed"] { try sla.move(api, f, withParts.order, status) }
            let plain = try dispatch.order(api, f)
            try sla.move(api, f, plain, "assigned", extra: #","assignee_id":"\#(f.engineers["陈师傅"]!)""#)
            for status in ["accepted", "diagnosing", "repairing", "quality_check", "awaiting_acceptance", "completed"] {
                try sla.move(api, f, plain, status)
            }
            let range = "from=2026-01-01&to=2026-12-31"
            func totals(_ report: String) throws -> [String: Any] {
                try api.get("/v1/reports/\(report)?\(range)", key: f.adminKey).json["totals"] as? [String: Any] ?? [:]
            }
            #expect(try settle { try totals("first_time_fix")["completed"] as? Int == 2 })
            #expect(try totals("first_time_fix")["first_time_fix_rate"] as? Double == 100)
            let parts = try totals("parts")
            #expect(parts["quantity"] as? Double == 2 && parts["cost"] as? Double == 241, "\(parts)")

            // The customer comes back: the order is reopened for rework, and the rate drops.
            try sla.move(api, f, plain, "reopened", extra: #","reason":"异响复发""#)
            #expect(try settle { try totals("first_time_fix")["reworked"] as? Int == 1 })
            #expect(try totals("first_time_fix")["first_time_fix_rate"] as? Double == 50)
            #expect(try api.get("/v1/reports/parts?group_by=channel", key: f.adminKey).problemFields == ["group_by"])
        }

        @Test func workloadCountsEachEngineersAssignmentsCompletionsDeclinesAndTimeOnSite() throws {
            let api = try TestAPI()
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let chen = try #require(f.engineers["陈师傅"])
            let chenKey = try PoolAndTransferAPITests().engineerKey(api, f, "陈师傅")
            // 陈师傅 is assigned an order, goes on site, and finishes it.
            let done = try dispatch.order(api, f)
            try sla.move(api, f, done, "assigned", extra: #","assignee_id":"\#(chen)""#)
            try sla.move(api, f, done, "accepted")
            for step in ["check-in", "check-out"] {
                #expect(try api.client.send("POST", "/v1/me/work-orders/\(done)/\(step)", headers: bearer(chenKey),
                                            json: #"{"latitude":30.25,"longitude":120.15}"#).status / 100 == 2, "\(step)")
            }
            for status in ["diagnosing", "repairing", "quality_check", "awaiting_acceptance", "completed"] { try sla.move(api, f, done, status) }
            // Another is offered by automatic dispatch, and whoever is asked declines it.
            _ = try api.client.send("POST", "/v1/dispatch-policies", headers: bearer(f.adminKey),
                                    json: #"{"required_skills":{"engine":3},"max_rounds":2,"after_rounds":"pool","offer_timeout_seconds":3600}"#)
            let offered = try dispatch.order(api, f)
            let offer = try api.client.send("POST", "/v1/work-orders/\(offered)/dispatch", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]))
            let asked = try #require((offer.json["offer"] as? [String: Any])?["engineer_id"] as? String, "\(offer.text)")
            let askedName = try #require(f.engineers.first { $0.value == asked }?.key)
            let askedKey = askedName == "陈师傅" ? chenKey : try PoolAndTransferAPITests().engineerKey(api, f, askedName)
            #expect(try api.client.send("POST", "/v1/work-orders/\(offered)/decline", headers: bearer(askedKey), json: #"{"reason":"在外地"}"#).status == 204)

            let range = "from=2026-01-01&to=2026-12-31&group_by=engineer"
            func rows() throws -> [String: [String: Any]] {
                let items = try api.get("/v1/reports/workload?\(range)", key: f.adminKey).json["rows"] as? [[String: Any]] ?? []
                return Dictionary(uniqueKeysWithValues: items.compactMap { row in (row["key"] as? String).map { ($0, row) } })
            }
            #expect(try settle { try rows()[asked]?["declined"] as? Int == 1 && rows()[chen]?["completed"] as? Int == 1 })
            let chenRow = try #require(try rows()[chen])
            #expect(chenRow["label"] as? String == "陈师傅" && chenRow["assigned"] as? Int ?? 0 >= 1)
            // Minutes, not seconds, on site; open now is a live count (the declined order may have passed to 陈师傅).
            let owner = try Connection(TestDatabase.shared.ownerConfiguration)
            let open: Int = try owner.query("""
                SELECT count(*)::int AS n FROM work_orders WHERE assignee_id = \(UUID(uuidString: chen)!) AND status NOT IN ('completed', 'cancelled')
                """)[0].decode("n")
            #expect(chenRow["hours_on_site"] as? Double == 0 && chenRow["open_now"] as? Int == open)
            // Workload has no shop grouping, and other reports have no engineer grouping.
            #expect(try api.get("/v1/reports/workload?group_by=shop", key: f.adminKey).problemFields == ["group_by"])
            #expect(try api.get("/v1/reports/orders?group_by=engineer", key: f.adminKey).problemFields == ["group_by"])
        }

        @Test func responseAndResolutionTimesHaveAveragesMediansAndPercentiles() throws {
            let api = try TestAPI()
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let policy = try api.client.send("POST", "/v1/sla-policies", headers: bearer(f.adminKey), json: """
                {"name":"标准","is_default":true,"first_response":{"minutes":120,"business_time":false},"resolution":{"minutes":600,"business_time":false}}
                """)
            #expect(policy.status == 201, "\(policy.text)")
            // Two orders reported 90 and 30 minutes ago, answered and finished now.
            let owner = try Connection(TestDatabase.shared.ownerConfiguration)
            for minutes in [90, 30] {
                let id = try dispatch.order(api, f)
                try owner.query("UPDATE work_orders SET created_at = now() - make_interval(mins => \(minutes)) WHERE id = \(UUID(uuidString: id)!)")
                try sla.move(api, f, id, "assigned", extra: #","assignee_id":"\#(f.engineers["陈师傅"]!)""#)
                for status in ["accepted", "diagnosing", "repairing", "quality_check", "awaiting_acceptance", "completed"] {
                    try sla.move(api, f, id, status)
                }
            }
            let range = "from=2026-01-01&to=2026-12-31"
            func totals() throws -> [String: Any] {
                try api.get("/v1/reports/times?\(range)", key: f.adminKey).json["totals"] as? [String: Any] ?? [:]
            }
            #expect(try settle { try totals()["resolution_count"] as? Int == 2 })
            let times = try totals()
            for measure in ["first_response", "resolution"] {
                #expect(times["\(measure)_count"] as? Int == 2)
                #expect(times["\(measure)_average"] as? Double == 60 && times["\(measure)_median"] as? Double == 60, "\(times)")
                #expect(times["\(measure)_p90"] as? Double == 84, "\(times)")
            }
            #expect(times["arrival_count"] as? Int == 0 && times["arrival_average"] is NSNull)
            let byShop = try api.get("/v1/reports/times?\(range)&group_by=shop", key: f.adminKey).json["rows"] as? [[String: Any]]
            #expect(byShop?.first?["label"] as? String == "西湖店" && byShop?.first?["resolution_median"] as? Double == 60)
            // Over time for all shops the report reads the day's counts by length; for one shop,
            // each order's wait: both say the same.
            let oneShop = try api.get("/v1/reports/times?\(range)&shop=\(f.shopID)", key: f.adminKey).json["totals"] as? [String: Any] ?? [:]
            #expect(NSDictionary(dictionary: oneShop).isEqual(to: times), "\(oneShop) against \(times)")
        }

        /// Times on a business calendar count only opening hours: not the night, not the
        /// National Day holidays, but the Saturday made up as a working day.
        @Test func timesOnABusinessCalendarSkipNightsAndHolidaysButCountMakeUpDays() throws {
            let api = try TestAPI()
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let calendar = try #require(try api.client.send("POST", "/v1/sla-calendars", headers: bearer(f.adminKey), json: SLAAPITests.mainland2026)
                .json["id"] as? String)
            let policy = try api.client.send("POST", "/v1/sla-policies", headers: bearer(f.adminKey), json: """
                {"name":"门店","is_default":true,"calendar_id":"\(calendar)","first_response":{"minutes":120},"resolution":{"minutes":960}}
                """)
            #expect(policy.status == 201, "\(policy.text)")
            // Opening hours are 09:00-12:00 and 13:00-18:00 on working days; 1-7 October are
            // holidays and Saturday 10 October is worked.
            let cases = [
                // Reported at 17:00 the day before the holidays, answered 09:30 after them (60 + 30),
                // finished at 10:00 on the make-up Saturday (60 + 480 + 480 + 60).
                (created: "2026-09-30T17:00:00+08:00", accepted: "2026-10-08T09:30:00+08:00", completed: "2026-10-10T10:00:00+08:00"),
                // Reported at 11:30, answered after lunch (30 + 30), finished first thing Monday
                // (30 + 300 + 480 on the Saturday + 0).
                (created: "2026-10-09T11:30:00+08:00", accepted: "2026-10-09T13:30:00+08:00", completed: "2026-10-12T09:00:00+08:00"),
            ]
            let owner = try Connection(TestDatabase.shared.ownerConfiguration)
            for times in cases {
                let id = try dispatch.order(api, f)
                try sla.move(api, f, id, "assigned", extra: #","assignee_id":"\#(f.engineers["陈师傅"]!)""#)
                for status in ["accepted", "diagnosing", "repairing", "quality_check", "awaiting_acceptance", "completed"] {
                    try sla.move(api, f, id, status)
                }
                // The order as if it had happened then; a later edit makes the rollup measure it again.
                try owner.query("""
                    UPDATE work_orders SET created_at = \(times.created)::timestamptz, completed_at = \(times.completed)::timestamptz,
                           milestones = jsonb_set(milestones, '{accepted}', to_jsonb(\(times.accepted)::timestamptz))
                    WHERE id = \(UUID(uuidString: id)!)
                    """)
                let current = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
                let edited = try api.client.send("PATCH", "/v1/work-orders/\(id)", headers: bearer(f.adminKey, [("If-Match", current.header("ETag") ?? "")]),
                                                 json: #"{"description":"发动机抖动，已修复"}"#)
                #expect(edited.status == 200, "\(edited.text)")
            }
            func totals() throws -> [String: Any] {
                try api.get("/v1/reports/times?from=2026-09-01&to=2026-10-31", key: f.adminKey).json["totals"] as? [String: Any] ?? [:]
            }
            #expect(try settle { try totals()["resolution_average"] as? Double == 945 })
            let times = try totals()
            #expect(times["first_response_count"] as? Int == 2 && times["first_response_average"] as? Double == 75, "\(times)")
            #expect(times["resolution_count"] as? Int == 2 && times["resolution_median"] as? Double == 945, "\(times)")
            // By the day each ended: answered 8 and 9 October, finished 10 and 12 October.
            let days = try api.get("/v1/reports/times?from=2026-09-01&to=2026-10-31&group_by=day", key: f.adminKey).json["rows"] as? [[String: Any]] ?? []
            let byDay = Dictionary(uniqueKeysWithValues: days.compactMap { row in (row["key"] as? String).map { ($0, row) } })
            #expect(byDay["2026-10-08"]?["first_response_average"] as? Double == 90)
            #expect(byDay["2026-10-09"]?["first_response_average"] as? Double == 60)
            #expect(byDay["2026-10-10"]?["resolution_average"] as? Double == 1080)
            #expect(byDay["2026-10-12"]?["resolution_average"] as? Double == 810)
            // Another tenant's times have none of these waits.
            let other = try api.makeTenant()
            let otherTimes = try api.get("/v1/reports/times?from=2026-09-01&to=2026-10-31", key: other.adminKey).json["totals"] as? [String: Any]
            #expect(otherTimes?["first_response_count"] as? Int == 0 && otherTimes?["resolution_count"] as? Int == 0)
        }

        /// The open backlog follows every change: a new order joins it, a moved one changes
        /// column, a finished or cancelled one leaves, and it always equals a direct count.
        @Test func theBacklogCountsTheOrdersOpenNowByStatus() throws {
            let api = try TestAPI()
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let tenant = try #require(try api.get("/v1/tenant", key: f.adminKey).json["id"] as? String)
            let orders = try (0..<4).map { _ in try dispatch.order(api, f) }
            try sla.move(api, f, orders[0], "assigned", extra: #","assignee_id":"\#(f.engineers["陈师傅"]!)""#)
            try sla.move(api, f, orders[1], "cancelled", extra: #","reason":"客户取消""#)
            try sla.move(api, f, orders[2], "assigned", extra: #","assignee_id":"\#(f.engineers["陈师傅"]!)""#)
            for status in ["accepted", "diagnosing", "repairing", "quality_check", "awaiting_acceptance", "completed"] {
                try sla.move(api, f, orders[2], status)
            }
            func backlog(_ query: String = "") throws -> (rows: [[String: Any]], totals: [String: Any]) {
                let body = try api.get("/v1/reports/backlog\(query)", key: f.adminKey).json
                return (body["rows"] as? [[String: Any]] ?? [], body["totals"] as? [String: Any] ?? [:])
            }
            func direct() throws -> [String: Int] {
                let owner = try Connection(TestDatabase.shared.ownerConfiguration)
                return Dictionary(uniqueKeysWithValues: try owner.query("""
                    SELECT status, count(*)::int AS n FROM work_orders
                    WHERE tenant_id = \(UUID(uuidString: tenant)!) AND status NOT IN ('completed', 'cancelled') GROUP BY 1
                    """).rows.map { (try $0.decode("status", as: String.self), try $0.decode("n", as: Int.self)) })
            }
            #expect(try settle { try backlog().totals["open"] as? Double == 2 })
            let now = try backlog()
            #expect(now.totals["new"] as? Double == Double(try direct()["new"] ?? 0) && now.totals["assigned"] as? Double == 1)
            #expect(now.rows.count == 1 && now.rows.first?["label"] as? String == "西湖店" && now.rows.first?["open"] as? Double == 2)
            #expect(now.totals["completed"] == nil && now.totals["repairing"] as? Double == 0)

            // The assigned order is accepted and the new one cancelled: columns move, one leaves.
            try sla.move(api, f, orders[0], "accepted")
            try sla.move(api, f, orders[3], "cancelled", extra: #","reason":"重复报修""#)
            #expect(try settle { try backlog().totals["open"] as? Double == 1 })
            let later = try backlog("?group_by=channel")
            #expect(later.totals["accepted"] as? Double == 1 && later.totals["new"] as? Double == 0 && later.totals["assigned"] as? Double == 0)
            #expect(try direct() == ["accepted": 1])
            #expect(later.rows.first?["key"] as? String == "api")
            #expect(try api.get("/v1/reports/backlog?group_by=day", key: f.adminKey).problemFields == ["group_by"])
            let chart = try api.get("/v1/reports/backlog.svg", key: f.adminKey)
            #expect(XMLParser(data: Data(chart.body)).parse() && chart.text.contains("未完成工单"), "\(chart.text)")
            // Another tenant's backlog has none of them.
            let other = try api.makeTenant()
            #expect((try api.get("/v1/reports/backlog", key: other.adminKey).json["rows"] as? [Any])?.isEmpty == true)
        }

        @Test func reportQueriesNameWhatIsWrong() throws {
            let api = try TestAPI()
            defer { api.stop() }
            let tenant = try api.makeTenant()
            #expect(try api.get("/v1/reports/orders?from=2026-13-01", key: tenant.adminKey).problemFields == ["from"])
            #expect(try api.get("/v1/reports/orders?from=0000-01-01&to=0000-01-02", key: tenant.adminKey).problemFields == ["to", "from"])
            #expect(try api.get("/v1/reports/orders?from=2026-05-02&to=2026-05-01", key: tenant.adminKey).problemFields == ["to"])
            #expect(try api.get("/v1/reports/orders?from=2024-01-01&to=2026-01-01", key: tenant.adminKey).problemFields == ["from"])
            #expect(try api.get("/v1/reports/orders?group_by=year", key: tenant.adminKey).problemFields == ["group_by"])
            #expect(try api.get("/v1/reports/profits", key: tenant.adminKey).status == 404)
            #expect(try api.get("/v1/reports/orders", key: try api.makeKey(adminKey: tenant.adminKey, role: .readonly).secret).status == 200)
        }
    }
}
