import Foundation
import HTTPServer
import PitstopTesting
import Postgres
import Testing

@Suite struct WorkOrderAPITests {
    /// A tenant with an order type, a customer with a vehicle, and an engineer.
    struct Fixture {
        var adminKey: String
        var tenantID: String
        var typeID: String
        var customerID: String
        var vehicleID: String
        var engineerID: String
    }

    func fixture(_ api: TestAPI) throws -> Fixture {
        let tenant = try api.makeTenant()
        func create(_ path: String, _ json: String) throws -> String {
            let response = try api.client.send("POST", path, headers: bearer(tenant.adminKey), json: json)
            guard response.status == 201, let id = response.json["id"] as? String else {
                throw RawHTTPError("\(path) answered \(response.status): \(response.text)")
            }
            return id
        }
        let type = try create("/v1/work-order-types", #"""
            {"code":"accident_repair","name":"事故维修","template":{"fields":[
              {"key":"insurer","label":"保险公司","kind":"text","required":true},
              {"key":"panels","label":"Panels","kind":"integer","required":false,"minimum":1,"maximum":12}]}}
            """#)
        let customer = try create("/v1/customers", #"{"name":"王先生","phones":["13800138000"]}"#)
        let vehicle = try create("/v1/vehicles", #"{"customer_id":"\#(customer)","plate":"浙A12345"}"#)
        let engineer = try create("/v1/engineers", #"{"name":"陈师傅","skills":{"bodywork":4},"status":"available"}"#)
        return Fixture(adminKey: tenant.adminKey, tenantID: tenant.id, typeID: type, customerID: customer, vehicleID: vehicle, engineerID: engineer)
    }

    func newOrder(_ f: Fixture, extra: String = "") -> String {
        #"{"type_id":"\#(f.typeID)","customer_id":"\#(f.customerID)","vehicle_id":"\#(f.vehicleID)","priority":"P2","channel":"phone","description":"左前门凹陷, 刮擦","symptoms":["dent"],"custom_fields":{"insurer":"平安","panels":2}\#(extra)}"#
    }

    /// What the order put in the outbox, read as the app role inside the tenant.
    func outboxTopics(tenant: String, order: String) throws -> [String] {
        try TestDatabase.shared.database.pool.transaction(settings: [(name: "app.tenant_id", value: tenant)]) { tx in
            try tx.query("SELECT topic FROM outbox WHERE aggregate_id = \(UUID(uuidString: order)!) ORDER BY created_at, topic DESC")
                .rows.map { try $0.decode("topic", as: String.self) }
        }
    }

    @Test func theWholeLifecycleWithTimelineAndEvents() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let created = try api.client.send("POST", "/v1/work-orders", headers: bearer(f.adminKey), json: newOrder(f))
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.json["id"] as? String)
        #expect(created.json["status"] as? String == "new")
        #expect((created.json["number"] as? String)?.hasSuffix("-0001") == true)
        #expect((created.json["custom_fields"] as? [String: Any])?["insurer"] as? String == "平安")

        let steps: [(String, String)] = [
            ("assigned", #","assignee_id":"\#(f.engineerID)""#), ("accepted", ""), ("diagnosing", ""), ("awaiting_parts", ""),
            ("repairing", ""), ("quality_check", ""), ("repairing", #","note":"QC: paint mismatch""#), ("quality_check", ""),
            ("awaiting_acceptance", ""), ("completed", ""),
        ]
        var version = 1
        for (to, extra) in steps {
            let moved = try api.client.send("POST", "/v1/work-orders/\(id)/transitions",
                                            headers: bearer(f.adminKey, [("If-Match", "\"\(version)\"")]), json: #"{"to":"\#(to)"\#(extra)}"#)
            #expect(moved.status == 200, "\(to): \(moved.text)")
            #expect(moved.json["status"] as? String == to)
            version += 1
        }
        let done = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
        #expect(done.json["assignee_id"] as? String == f.engineerID)
        #expect(done.json["completed_at"] != nil)
        #expect(done.header("ETag") == "\"\(version)\"")
        // Each status once, at the first time it was reached: repairing the first time, not after QC sent it back.
        let milestones = try #require(done.json["milestones"] as? [String: String])
        #expect(Set(milestones.keys) == Set(["new"] + steps.map(\.0)))
        let timelineStamps = (try api.get("/v1/work-orders/\(id)/timeline", key: f.adminKey).json["items"] as? [[String: Any]] ?? [])
            .filter { $0["to_status"] as? String == "repairing" }.compactMap { $0["occurred_at"] as? String }
        #expect(milestones["repairing"] == timelineStamps.first)
        #expect(milestones["created"] == nil)

        let timeline = try api.get("/v1/work-orders/\(id)/timeline", key: f.adminKey)
        let entries = timeline.json["items"] as? [[String: Any]] ?? []
        #expect(entries.map { $0["to_status"] as? String } == ["new"] + steps.map(\.0))
        #expect(entries.contains { $0["note"] as? String == "QC: paint mismatch" })
        #expect(try outboxTopics(tenant: f.tenantID, order: id)
                == ["work_order.created"] + Array(repeating: "work_order.status_changed", count: steps.count))
    }

    @Test func illegalMovesAre409sNamingTheAllowedOnesAndWriteNothing() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let id = try #require(try api.client.send("POST", "/v1/work-orders", headers: bearer(f.adminKey), json: newOrder(f)).json["id"] as? String)
        let jump = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                       json: #"{"to":"repairing"}"#)
        #expect(jump.status == 409)
        #expect(jump.json["detail"] as? String == "a new order cannot become repairing; allowed next: assigned, cancelled")
        let noReason = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                           json: #"{"to":"cancelled"}"#)
        #expect(noReason.status == 422)
        #expect(noReason.problemFields == ["reason"])
        let noEngineer = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                             json: #"{"to":"assigned"}"#)
        #expect(noEngineer.problemFields == ["assignee_id"])
        let stale = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"7\"")]),
                                        json: #"{"to":"cancelled","reason":"duplicate"}"#)
        #expect(stale.status == 412)
        #expect(try outboxTopics(tenant: f.tenantID, order: id) == ["work_order.created"])

        let cancelled = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                            json: #"{"to":"cancelled","reason":"customer changed their mind"}"#)
        #expect(cancelled.json["status"] as? String == "cancelled")
        #expect(cancelled.json["cancel_reason"] as? String == "customer changed their mind")
    }

    @Test func creationChecksFieldsAndReferences() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let other = try fixture(api)
        let base = #""customer_id":"\#(f.customerID)","description":"x""#
        let cases: [(String, Int, String)] = [
            (#"{"type_id":"\#(f.typeID)",\#(base)}"#, 422, "custom_fields.insurer"),
            (#"{"type_id":"\#(f.typeID)",\#(base),"custom_fields":{"insurer":"A","panels":20}}"#, 422, "custom_fields.panels"),
            (#"{"type_id":"\#(f.typeID)",\#(base),"custom_fields":{"insurer":"A","colour":"red"}}"#, 422, "custom_fields.colour"),
            (#"{"type_id":"\#(other.typeID)",\#(base),"custom_fields":{"insurer":"A"}}"#, 422, "type_id"),
            (#"{"type_id":"\#(f.typeID)","customer_id":"\#(other.customerID)","description":"x","custom_fields":{"insurer":"A"}}"#, 422, "customer_id"),
            (#"{"type_id":"\#(f.typeID)",\#(base),"vehicle_id":"\#(other.vehicleID)","custom_fields":{"insurer":"A"}}"#, 422, "vehicle_id"),
            (#"{"type_id":"\#(f.typeID)",\#(base),"custom_fields":{"insurer":"A"},"channel":"wechat"}"#, 422, "channel"),
            (#"{"type_id":"\#(f.typeID)",\#(base),"custom_fields":{"insurer":"A"},"priority":"P9"}"#, 400, "priority"),
            (#"{"type_id":"\#(f.typeID)","customer_id":"\#(f.customerID)","description":"  ","custom_fields":{"insurer":"A"}}"#, 422, "description"),
            (#"{"type_id":"\#(f.typeID)",\#(base),"custom_fields":{"insurer":"A"},"site":{"latitude":99,"longitude":0}}"#, 422, "site.latitude"),
        ]
        for (body, status, field) in cases {
            let response = try api.client.send("POST", "/v1/work-orders", headers: bearer(f.adminKey), json: body)
            #expect(response.status == status, "\(body): \(response.text)")
            #expect(response.problemFields.contains(field), "\(body): \(response.text)")
        }
        #expect((try api.get("/v1/work-orders", key: f.adminKey).json["items"] as? [Any])?.isEmpty == true)
    }

    @Test func numbersCountPerTenantAndDayAndListsFilter() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let first = try api.client.send("POST", "/v1/work-orders", headers: bearer(f.adminKey), json: newOrder(f))
        let second = try api.client.send("POST", "/v1/work-orders", headers: bearer(f.adminKey),
                                         json: newOrder(f, extra: #","insist":true"#).replacingOccurrences(of: "\"P2\"", with: "\"P1\""))
        #expect((first.json["number"] as? String)?.hasSuffix("-0001") == true)
        #expect((second.json["number"] as? String)?.hasSuffix("-0002") == true)
        let elsewhere = try fixture(api)
        #expect((try api.client.send("POST", "/v1/work-orders", headers: bearer(elsewhere.adminKey), json: newOrder(elsewhere))
                    .json["number"] as? String)?.hasSuffix("-0001") == true)

        func ids(_ query: String) throws -> [String] {
            try (api.get("/v1/work-orders?\(query)", key: f.adminKey).json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        let firstID = try #require(first.json["id"] as? String)
        let secondID = try #require(second.json["id"] as? String)
        #expect(try ids("priority=P1") == [secondID])
        #expect(try ids("status=new&customer_id=\(f.customerID)") == [secondID, firstID])
        #expect(try ids("status=completed").isEmpty)
        #expect(try ids("created_after=2000-01-01T00:00:00Z&vehicle_id=\(f.vehicleID)").count == 2)
        // The vehicle's repair history, newest first, a page at a time; another tenant sees no such vehicle.
        let history = try api.get("/v1/vehicles/\(f.vehicleID)/history?limit=1", key: f.adminKey)
        #expect((history.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [secondID])
        let cursor = try #require(history.json["next_cursor"] as? String)
        let older = try api.get("/v1/vehicles/\(f.vehicleID)/history?limit=1&cursor=\(cursor)", key: f.adminKey)
        #expect((older.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [firstID])
        #expect(try api.get("/v1/vehicles/\(f.vehicleID)/history", key: elsewhere.adminKey).status == 404)
        for bad in ["status=lost", "priority=P9", "customer_id=nope", "created_after=yesterday"] {
            let response = try api.get("/v1/work-orders?\(bad)", key: f.adminKey)
            #expect(response.status == 400, "\(bad)")
            #expect(response.problemFields == [String(bad.prefix { $0 != "=" })])
        }
    }

    @Test func listsSortMostUrgentFirstAcrossPages() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        var ids: [String: String] = [:]
        for (name, priority) in [("p3", "P3"), ("p1old", "P1"), ("p4", "P4"), ("p1new", "P1")] {
            let body = newOrder(f, extra: #","insist":true"#).replacingOccurrences(of: "\"P2\"", with: "\"\(priority)\"")
            ids[name] = try #require(try api.client.send("POST", "/v1/work-orders", headers: bearer(f.adminKey), json: body).json["id"] as? String)
        }
        func page(_ query: String) throws -> (ids: [String], cursor: String?) {
            let response = try api.get("/v1/work-orders?\(query)", key: f.adminKey)
            return ((response.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }, response.json["next_cursor"] as? String)
        }
        let first = try page("sort=priority&limit=2")
        #expect(first.ids == [ids["p1new"], ids["p1old"]].compactMap { $0 })
        let second = try page("sort=priority&limit=2&cursor=\(try #require(first.cursor))")
        #expect(second.ids == [ids["p3"], ids["p4"]].compactMap { $0 })
        #expect(second.cursor == nil)
        #expect(try page("sort=created&limit=4").ids == [ids["p1new"], ids["p4"], ids["p1old"], ids["p3"]].compactMap { $0 })

        let newestFirst = try page("limit=1")
        let mixed = try api.get("/v1/work-orders?sort=priority&cursor=\(try #require(newestFirst.cursor))", key: f.adminKey)
        #expect(mixed.status == 422)
        #expect(mixed.problemFields == ["cursor"])
        let bogus = try api.get("/v1/work-orders?sort=due_soon", key: f.adminKey)
        #expect(bogus.status == 400)
        #expect(bogus.problemFields == ["sort"])
    }

    @Test func listsSortByDueDateWithUndatedLastAndFilterByUpdate() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        var ids: [String: String] = [:]
        for (name, due) in [("none1", nil), ("late", "2026-12-10T10:00:00+08:00"), ("none2", nil), ("soon", "2026-12-01T09:30:00+08:00"),
                            ("late2", "2026-12-10T10:00:00+08:00")] as [(String, String?)] {
            let extra = #","insist":true"# + (due.map { #","due_at":"\#($0)""# } ?? "")
            let created = try api.client.send("POST", "/v1/work-orders", headers: bearer(f.adminKey), json: newOrder(f, extra: extra))
            #expect(created.status == 201, "\(created.text)")
            ids[name] = try #require(created.json["id"] as? String)
        }
        // Soonest first; equal due dates newest first; undated last, newest first; two at a time.
        var seen: [String] = []
        var cursor: String?
        repeat {
            let response = try api.get("/v1/work-orders?sort=due&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), key: f.adminKey)
            seen += (response.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            cursor = response.json["next_cursor"] as? String
        } while cursor != nil
        #expect(seen == ["soon", "late2", "late", "none2", "none1"].compactMap { ids[$0] })

        // Setting and clearing a due date, and finding what changed since a moment.
        // Milliseconds in the query: step past the last creation's millisecond first.
        Thread.sleep(forTimeInterval: 0.01)
        let since = JSONCoding.formatDate(Date())
        let soon = try #require(ids["soon"])
        let cleared = try api.client.send("PATCH", "/v1/work-orders/\(soon)", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                          json: #"{"due_at":null}"#)
        #expect(cleared.status == 200, "\(cleared.text)")
        #expect(cleared.json["due_at"] == nil)
        let changed = try api.get("/v1/work-orders?updated_after=\(since)", key: f.adminKey).json["items"] as? [[String: Any]]
        #expect(changed?.compactMap { $0["id"] as? String } == [soon])
        let badDue = try api.client.send("PATCH", "/v1/work-orders/\(soon)", headers: bearer(f.adminKey, [("If-Match", "\"2\"")]),
                                         json: #"{"due_at":"tomorrow"}"#)
        #expect(badDue.status == 400)
        #expect(badDue.problemFields == ["due_at"])
    }

    @Test func twentyConcurrentRetriesWithOneKeyOpenOneOrder() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let headers = bearer(f.adminKey, [("Idempotency-Key", "order-burst-1")])
        let body = newOrder(f, extra: #","insist":true"#)
        let results = Responses()
        let group = DispatchGroup()
        let client = api.client
        for _ in 0..<20 {
            group.enter()
            Thread.detachNewThread {
                results.add(try? client.send("POST", "/v1/work-orders", headers: headers, json: body))
                group.leave()
            }
        }
        group.wait()
        let all = results.values
        #expect(all.allSatisfy { $0?.status == 201 }, "\(all.map { $0?.status ?? 0 })")
        #expect(Set(all.compactMap { $0?.json["number"] as? String }).count == 1)
        #expect((try api.get("/v1/work-orders", key: f.adminKey).json["items"] as? [Any])?.count == 1)
    }

    @Test func detailsChangeWithTheTemplateInForceAndLeaveATrace() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let id = try #require(try api.client.send("POST", "/v1/work-orders", headers: bearer(f.adminKey), json: newOrder(f)).json["id"] as? String)
        let changed = try api.client.send("PATCH", "/v1/work-orders/\(id)", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                          json: #"{"priority":"P1","custom_fields":{"panels":null,"insurer":"人保"},"site":{"latitude":30.2,"longitude":120.1}}"#)
        #expect(changed.status == 200, "\(changed.text)")
        #expect(changed.json["priority"] as? String == "P1")
        #expect(changed.json["custom_fields"] as? [String: String] == ["insurer": "人保"])
        #expect((changed.json["site"] as? [String: Any])?["latitude"] as? Double == 30.2)
        #expect(changed.json["status"] as? String == "new")

        let cases: [(String, Int, String)] = [
            (#"{"custom_fields":{"insurer":null}}"#, 422, "custom_fields.insurer"),
            (#"{"custom_fields":{"panels":99}}"#, 422, "custom_fields.panels"),
            (#"{"description":""}"#, 422, "description"),
            (#"{"shop_id":"\#(UUID().uuidString)"}"#, 422, "shop_id"),
            (#"{}"#, 422, "body"),
            (#"{"status":"completed"}"#, 400, "status"),
        ]
        for (body, status, field) in cases {
            let response = try api.client.send("PATCH", "/v1/work-orders/\(id)", headers: bearer(f.adminKey, [("If-Match", "\"2\"")]), json: body)
            #expect(response.status == status, "\(body): \(response.text)")
            #expect(response.problemFields.contains(field), "\(body): \(response.text)")
        }
        #expect(try api.client.send("PATCH", "/v1/work-orders/\(id)", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                    json: #"{"priority":"P4"}"#).status == 412)

        let timeline = try api.get("/v1/work-orders/\(id)/timeline", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
        #expect(timeline.last?["kind"] as? String == "updated")
        #expect(timeline.last?["note"] as? String == "changed priority, site, custom_fields.insurer, custom_fields.panels")
        #expect(try outboxTopics(tenant: f.tenantID, order: id) == ["work_order.created", "work_order.updated"])
        let other = try fixture(api)
        #expect(try api.client.send("PATCH", "/v1/work-orders/\(id)", headers: bearer(other.adminKey, [("If-Match", "\"2\"")]),
                                    json: #"{"priority":"P4"}"#).status == 404)
    }

    @Test func anotherTenantCannotSeeOrMoveAnOrder() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let a = try fixture(api)
        let b = try fixture(api)
        let id = try #require(try api.client.send("POST", "/v1/work-orders", headers: bearer(a.adminKey), json: newOrder(a)).json["id"] as? String)
        #expect(try api.get("/v1/work-orders/\(id)", key: b.adminKey).status == 404)
        #expect(try api.get("/v1/work-orders/\(id)/timeline", key: b.adminKey).status == 404)
        let move = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(b.adminKey, [("If-Match", "\"1\"")]),
                                       json: #"{"to":"cancelled","reason":"mine now"}"#)
        #expect(move.status == 404)
        #expect(!(try api.get("/v1/work-orders", key: b.adminKey).text.contains(id)))
        #expect(!(try api.get("/v1/work-orders?customer_id=\(a.customerID)", key: b.adminKey).text.contains(id)))
        #expect(try api.get("/v1/work-orders/\(id)", key: a.adminKey).json["status"] as? String == "new")
    }
}

@Suite struct WorkOrderIntakeTests {
    func typeID(_ api: TestAPI, _ key: String) throws -> String {
        let response = try api.client.send("POST", "/v1/work-order-types", headers: bearer(key),
                                           json: #"{"code":"diagnosis","name":"故障诊断"}"#)
        return try #require(response.json["id"] as? String)
    }

    func listCount(_ api: TestAPI, _ path: String, _ key: String) throws -> Int {
        (try api.get(path, key: key).json["items"] as? [Any])?.count ?? -1
    }

    @Test func inlineCustomersAndVehiclesAreMatchedNotDuplicated() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let crm = try api.makeKey(adminKey: tenant.adminKey, role: .integration)
        let type = try typeID(api, tenant.adminKey)
        func intake(_ customer: String, _ vehicle: String) throws -> RawHTTPClient.Response {
            try api.client.send("POST", "/v1/work-orders", headers: bearer(crm.secret), json: """
                {"type_id":"\(type)","description":"发动机抖动","customer":\(customer),"vehicle":\(vehicle)}
                """)
        }
        let first = try intake(#"{"name":"赵女士","phones":["+86 139 0013 9000"]}"#, #"{"plate":"苏E 12345","vin":"LSVAM4187C2184847"}"#)
        #expect(first.status == 201, "\(first.text)")
        // Same phone (another form) and same plate: the same customer and vehicle, and since that
        // vehicle's order is still open, the report joins it (the duplicate guard).
        let second = try intake(#"{"name":"Zhao","phones":["13900139000"]}"#, #"{"plate":"苏E12345"}"#)
        #expect(second.status == 200, "\(second.text)")
        #expect(second.json["id"] as? String == first.json["id"] as? String)
        #expect(second.json["customer_id"] as? String == first.json["customer_id"] as? String)
        #expect(second.json["vehicle_id"] as? String == first.json["vehicle_id"] as? String)
        #expect(try listCount(api, "/v1/customers", crm.secret) == 1)
        #expect(try listCount(api, "/v1/vehicles", crm.secret) == 1)

        // By CRM id and openid as well; a new person with a new car is created.
        let third = try intake(#"{"name":"钱先生","external_id":"CRM-9","wechat_openid":"oQian"}"#, #"{"plate":"苏E54321"}"#)
        let fourth = try intake(#"{"name":"Qian","wechat_openid":"oQian"}"#, #"{"plate":"苏E54321"}"#)
        #expect(third.status == 201 && fourth.status == 200)
        #expect(fourth.json["customer_id"] as? String == third.json["customer_id"] as? String)
        #expect(try listCount(api, "/v1/customers", crm.secret) == 2)

        // A known vehicle under another customer is not silently moved.
        let stolen = try intake(#"{"name":"孙先生","phones":["13700137000"]}"#, #"{"plate":"苏E12345"}"#)
        #expect(stolen.status == 422)
        #expect(stolen.problemFields == ["vehicle"])
        // …and the customer that intake would have created was rolled back with it.
        #expect(try listCount(api, "/v1/customers?phone=13700137000", crm.secret) == 0)
    }

    @Test func inlineRecordsAreValidatedWithNestedFieldNames() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let type = try typeID(api, tenant.adminKey)
        let cases: [(String, String)] = [
            (#""customer":{"phones":["13900139000"]}"#, "customer.name"),
            (#""customer":{"name":"x","phones":["123"]}"#, "customer.phones[0]"),
            (#""customer":{"name":"x"},"vehicle":{"vin":"LSVAM4187C2184840"}"#, "vehicle.vin"),
            (#""customer":{"name":"x"},"customer_id":"\#(UUID().uuidString)""#, "customer_id"),
            (#""vehicle":{"plate":"京A12345"}"#, "customer_id"),
        ]
        for (fragment, field) in cases {
            let response = try api.client.send("POST", "/v1/work-orders", headers: bearer(tenant.adminKey),
                                               json: #"{"type_id":"\#(type)","description":"x",\#(fragment)}"#)
            #expect(response.status == 422, "\(fragment): \(response.text)")
            #expect(response.problemFields.contains(field), "\(fragment): \(response.text)")
        }
        #expect(try listCount(api, "/v1/customers", tenant.adminKey) == 0)
        #expect(try listCount(api, "/v1/work-orders", tenant.adminKey) == 0)
    }

    /// Intake checks the whole report before it writes: the inline customer, the inline vehicle
    /// and the order's own fields are named in one answer, so a desk fixes them in one go.
    @Test func everyProblemOfAReportWithInlineRecordsIsNamedInOneAnswer() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let type = try #require(try api.client.send("POST", "/v1/work-order-types", headers: bearer(tenant.adminKey), json: #"""
            {"code":"claim","name":"保险理赔","template":{"fields":[{"key":"policy_no","label":"保单号","kind":"text","required":true}]}}
            """#).json["id"] as? String)
        let response = try api.client.send("POST", "/v1/work-orders", headers: bearer(tenant.adminKey), json: """
            {"type_id":"\(type)","description":"\(String(repeating: "长", count: 5001))","customer":{"phones":["123"]},
             "vehicle":{"plate":"not a plate"}}
            """)
        #expect(response.status == 422, "\(response.text)")
        #expect(Set(response.problemFields) == ["customer.name", "customer.phones[0]", "vehicle.plate", "description", "custom_fields.policy_no"],
                "\(response.text)")
        // A desk's channel is phone, app or API: a WeChat order comes through the account.
        let channel = try api.client.send("POST", "/v1/work-orders", headers: bearer(tenant.adminKey), json: """
            {"type_id":"\(type)","channel":"wechat","description":"x","customer":{"name":"x"},"custom_fields":{"policy_no":"P1"}}
            """)
        #expect(channel.problemFields == ["channel"], "\(channel.text)")
        #expect(try listCount(api, "/v1/customers", tenant.adminKey) == 0)
        #expect(try listCount(api, "/v1/vehicles", tenant.adminKey) == 0)
    }
}

@Suite struct WorkOrderSearchTests {
    @Test func findsChineseTextInDescriptionsAndNotes() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let type = try #require(try api.client.send("POST", "/v1/work-order-types", headers: bearer(tenant.adminKey),
                                                    json: #"{"code":"repair","name":"维修"}"#).json["id"] as? String)
        func open(_ description: String) throws -> String {
            let response = try api.client.send("POST", "/v1/work-orders", headers: bearer(tenant.adminKey), json: """
                {"type_id":"\(type)","description":"\(description)","customer":{"name":"客户","phones":["13800138000"]}}
                """)
            return try #require(response.json["id"] as? String, "\(response.text)")
        }
        let brakes = try open("刹车异响, 踩下时有金属摩擦声")
        let engine = try open("发动机故障灯亮 100% 确认")
        let aircon = try open("空调不制冷")
        _ = try api.client.send("POST", "/v1/work-orders/\(aircon)/transitions", headers: bearer(tenant.adminKey, [("If-Match", "\"1\"")]),
                                json: #"{"to":"cancelled","reason":"客户发现是保险丝烧了"}"#)

        func found(_ q: String) throws -> [String] {
            let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
            return (try api.get("/v1/work-orders?q=\(encoded)", key: tenant.adminKey).json["items"] as? [[String: Any]] ?? [])
                .compactMap { $0["id"] as? String }
        }
        #expect(try found("刹车异响") == [brakes])
        #expect(try found("金属摩擦") == [brakes])
        #expect(try found("保险丝") == [aircon])
        #expect(try found("100%") == [engine])
        #expect(try found("1_0").isEmpty)
        #expect(try found("变速箱").isEmpty)
        let blank = try api.get("/v1/work-orders?q=%20", key: tenant.adminKey)
        #expect(blank.status == 400)
        #expect(blank.problemFields == ["q"])
    }
}

@Suite struct DuplicateGuardTests {
    @Test func aSecondReportForAnOpenOrdersVehicleJoinsIt() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let type = try #require(try api.client.send("POST", "/v1/work-order-types", headers: bearer(tenant.adminKey),
                                                    json: #"{"code":"repair","name":"维修"}"#).json["id"] as? String)
        func report(_ text: String, insist: Bool = false) throws -> RawHTTPClient.Response {
            try api.client.send("POST", "/v1/work-orders", headers: bearer(tenant.adminKey), json: """
                {"type_id":"\(type)","description":"\(text)","channel":"phone","insist":\(insist),
                 "customer":{"name":"周先生","phones":["13600136000"]},"vehicle":{"plate":"川A12345"}}
                """)
        }
        let first = try report("左后轮胎漏气")
        #expect(first.status == 201)
        let id = try #require(first.json["id"] as? String)

        let again = try report("轮胎又没气了")
        #expect(again.status == 200)
        #expect(again.json["id"] as? String == id)
        #expect(again.header("Pitstop-Linked-To-Open-Order") == "true")
        let timeline = try api.get("/v1/work-orders/\(id)/timeline", key: tenant.adminKey).json["items"] as? [[String: Any]] ?? []
        #expect(timeline.last?["kind"] as? String == "linked_report")
        #expect(timeline.last?["note"] as? String == "phone: 轮胎又没气了")

        let insisted = try report("另一个问题: 雨刮器坏了", insist: true)
        #expect(insisted.status == 201)
        #expect(insisted.json["id"] as? String != id)

        // Once the open orders are closed, a report opens a new one.
        for order in [id, try #require(insisted.json["id"] as? String)] {
            _ = try api.client.send("POST", "/v1/work-orders/\(order)/transitions", headers: bearer(tenant.adminKey, [("If-Match", "\"1\"")]),
                                    json: #"{"to":"cancelled","reason":"test"}"#)
        }
        let later = try report("刹车片磨损")
        #expect(later.status == 201)
        #expect((try api.get("/v1/work-orders", key: tenant.adminKey).json["items"] as? [Any])?.count == 3)
    }

    @Test func theTenantSetsItsWindows() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let current = try api.get("/v1/tenant", key: tenant.adminKey)
        #expect(current.json["duplicate_window_minutes"] as? Int == 1440)
        #expect(current.json["reopen_window_days"] as? Int == 30)
        let etag = try #require(current.header("ETag"))

        let bad = try api.client.send("PATCH", "/v1/tenant", headers: bearer(tenant.adminKey, [("If-Match", etag)]),
                                      json: #"{"duplicate_window_minutes":-1,"reopen_window_days":400,"timezone":"Mars/Olympus","order_link":"https://x.example/orders"}"#)
        #expect(bad.status == 422)
        #expect(Set(bad.problemFields) == ["duplicate_window_minutes", "reopen_window_days", "timezone", "order_link"])
        let desk = try api.makeKey(adminKey: tenant.adminKey, role: .dispatcher)
        #expect(try api.client.send("PATCH", "/v1/tenant", headers: bearer(desk.secret, [("If-Match", etag)]),
                                    json: #"{"reopen_window_days":1}"#).status == 403)

        // Off: every report opens its own order. No reopening at all.
        let changed = try api.client.send("PATCH", "/v1/tenant", headers: bearer(tenant.adminKey, [("If-Match", etag)]),
                                          json: #"{"duplicate_window_minutes":0,"reopen_window_days":0}"#)
        #expect(changed.status == 200, "\(changed.text)")
        #expect(changed.json["duplicate_window_minutes"] as? Int == 0)
        #expect(try api.client.send("PATCH", "/v1/tenant", headers: bearer(tenant.adminKey, [("If-Match", etag)]),
                                    json: #"{"name":"stale"}"#).status == 412)
        // An order link is set, kept by other changes, and removed with null.
        var tag = try #require(changed.header("ETag"))
        let linked = try api.client.send("PATCH", "/v1/tenant", headers: bearer(tenant.adminKey, [("If-Match", tag)]),
                                         json: #"{"order_link":"https://console.example.com/o/{number}"}"#)
        #expect(linked.json["order_link"] as? String == "https://console.example.com/o/{number}")
        tag = try #require(linked.header("ETag"))
        let renamed = try api.client.send("PATCH", "/v1/tenant", headers: bearer(tenant.adminKey, [("If-Match", tag)]), json: #"{"name":"新名字"}"#)
        #expect(renamed.json["order_link"] as? String == "https://console.example.com/o/{number}")
        tag = try #require(renamed.header("ETag"))
        let unlinked = try api.client.send("PATCH", "/v1/tenant", headers: bearer(tenant.adminKey, [("If-Match", tag)]), json: #"{"order_link":null}"#)
        #expect(unlinked.status == 200 && unlinked.json["order_link"] == nil, "\(unlinked.text)")

        let type = try #require(try api.client.send("POST", "/v1/work-order-types", headers: bearer(tenant.adminKey),
                                                    json: #"{"code":"repair","name":"维修"}"#).json["id"] as? String)
        let body = """
            {"type_id":"\(type)","description":"异响","channel":"phone",
             "customer":{"name":"周先生","phones":["13600136000"]},"vehicle":{"plate":"川A12345"}}
            """
        let first = try api.client.send("POST", "/v1/work-orders", headers: bearer(tenant.adminKey), json: body)
        let second = try api.client.send("POST", "/v1/work-orders", headers: bearer(tenant.adminKey), json: body)
        #expect(first.status == 201)
        #expect(second.status == 201)

        let id = try #require(first.json["id"] as? String)
        let engineer = try #require(try api.client.send("POST", "/v1/engineers", headers: bearer(tenant.adminKey),
                                                        json: #"{"name":"陈师傅","status":"available"}"#).json["id"] as? String)
        var version = 1
        for (step, extra) in [("assigned", #","assignee_id":"\#(engineer)""#), ("accepted", ""), ("diagnosing", ""), ("repairing", ""),
                              ("quality_check", ""), ("awaiting_acceptance", ""), ("completed", "")] {
            let moved = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(tenant.adminKey, [("If-Match", "\"\(version)\"")]),
                                            json: #"{"to":"\#(step)"\#(extra)}"#)
            #expect(moved.status == 200, "\(step): \(moved.text)")
            version += 1
        }
        let reopen = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(tenant.adminKey, [("If-Match", "\"\(version)\"")]),
                                         json: #"{"to":"reopened","note":"又响了"}"#)
        #expect(reopen.status == 409)
        #expect((reopen.json["detail"] as? String)?.contains("0 days") == true)
    }
}
