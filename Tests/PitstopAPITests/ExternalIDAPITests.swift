import Foundation
import PitstopTesting
import Postgres
import Synchronization
import Testing

/// A CRM or ERP keeping its records in Pitstop by its own ids: upserts and NDJSON bulk imports.
@Suite struct ExternalIDAPITests {
    func ndjson(_ api: TestAPI, _ key: String, _ path: String, _ lines: [String], type: String = "application/x-ndjson") throws -> RawHTTPClient.Response {
        try api.client.send("POST", path, headers: bearer(key, [("Content-Type", type)]), body: Array(lines.joined(separator: "\n").utf8))
    }

    func answers(_ response: RawHTTPClient.Response) -> [[String: Any]] {
        response.text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func aCustomerIsCreatedThenChangedByItsCRMId() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let a = try api.makeTenant()
        let b = try api.makeTenant()
        let path = "/v1/customers/by-external-id/CRM-%E5%BC%A0-001"
        let created = try api.client.send("PUT", path, headers: bearer(a.adminKey), json: #"{"name":"张先生","phones":["13800138000"]}"#)
        #expect(created.status == 201, "\(created.text)")
        #expect(created.json["external_id"] as? String == "CRM-张-001")
        let id = try #require(created.json["id"] as? String)
        #expect(created.header("Location") == "/v1/customers/\(id)")
        let changed = try api.client.send("PUT", path, headers: bearer(a.adminKey), json: #"{"name":"张伟"}"#)
        #expect(changed.status == 200 && changed.json["id"] as? String == id && changed.json["version"] as? Int == 2, "\(changed.text)")
        #expect(changed.json["phones"] as? [String] == ["13800138000"])
        #expect(try api.client.send("PUT", path, headers: bearer(a.adminKey, [("If-Match", "\"1\"")]), json: #"{"name":"旧"}"#).status == 412)
        let other = try api.client.send("PUT", path, headers: bearer(a.adminKey), json: #"{"name":"x","external_id":"CRM-2"}"#)
        #expect(other.status == 422 && other.problemFields == ["external_id"])
        // Tenant B's customer of the same CRM id is B's own.
        let theirs = try api.client.send("PUT", path, headers: bearer(b.adminKey), json: #"{"name":"李女士"}"#)
        #expect(theirs.status == 201 && theirs.json["id"] as? String != id)
        let listed = try api.get("/v1/customers?external_id=CRM-%E5%BC%A0-001", key: a.adminKey).json["items"] as? [[String: Any]]
        #expect(listed?.compactMap { $0["id"] as? String } == [id])
    }

    @Test func upsertsOfOneNewIdAtTheSameMomentMakeOneRecord() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let port = api.server.port
        let key = tenant.adminKey
        let statuses = Mutex([Int]())
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let status = (try? RawHTTPClient(port: port).send("PUT", "/v1/parts/by-external-id/ERP-77", headers: bearer(key),
                                                              json: #"{"part_number":"BP-77","name":"刹车片 \#(index)"}"#).status) ?? 0
            statuses.withLock { $0.append(status) }
        }
        #expect(statuses.withLock { $0 }.sorted() == [200, 200, 200, 200, 200, 200, 200, 201])
        let parts = try api.get("/v1/parts?part_number=BP-77", key: key).json["items"] as? [[String: Any]]
        #expect(parts?.count == 1 && parts?.first?["external_id"] as? String == "ERP-77" && parts?.first?["version"] as? Int == 8)
    }

    @Test func aBulkImportAnswersEveryLineAndABadLineNeverStopsTheGoodOnes() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let response = try ndjson(api, tenant.adminKey, "/v1/customers/bulk", [
            #"{"external_id":"C-1","name":"王先生","phones":["13800138001"]}"#,
            #"{"name":"没有外部编号"}"#,
            #"{"external_id":"C-2","name":"#,
            #"{"external_id":"C-3","name":"赵先生","phones":["12345"]}"#,
            "",
            #"{"external_id":"C-1","name":"王建国"}"#,
            #"{"external_id":"C-4","name":"钱女士","nickname":"x"}"#,
            #"{"external_id":"C-5","name":"孙先生"}"#,
        ])
        #expect(response.status == 200, "\(response.text)")
        #expect(response.header("Content-Type")?.hasPrefix("application/x-ndjson") == true)
        let lines = answers(response)
        #expect(lines.compactMap { $0["line"] as? Int } == [1, 2, 3, 4, 6, 7, 8])
        #expect(lines.compactMap { $0["status"] as? String } == ["created", "error", "error", "error", "updated", "error", "created"])
        #expect((lines[1]["errors"] as? [[String: Any]])?.first?["field"] as? String == "external_id")
        #expect(lines[2]["code"] as? Int == 400)
        #expect(lines[3]["code"] as? Int == 422 && (lines[3]["errors"] as? [[String: Any]])?.first?["field"] as? String == "phones[0]")
        #expect(lines[4]["id"] as? String == lines[0]["id"] as? String)
        #expect(lines[5]["code"] as? Int == 400 && (lines[5]["detail"] as? String)?.contains("nickname") == true)
        let stored = try api.get("/v1/customers?external_id=C-1", key: tenant.adminKey).json["items"] as? [[String: Any]]
        #expect(stored?.first?["name"] as? String == "王建国")
        #expect((try api.get("/v1/customers?limit=100", key: tenant.adminKey).json["items"] as? [Any])?.count == 2)
    }

    /// The answer to a long import arrives batch by batch: a client sees the first lines' fate
    /// while later lines are still being stored.
    @Test func aBulkAnswerIsStreamedAsEachBatchIsStored() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let tenantID = try #require(try api.get("/v1/tenant", key: tenant.adminKey).json["id"] as? String)
        // Someone else is upserting C-250 right now: its batch (lines 201-300) waits for them.
        let other = try Connection(TestDatabase.shared.ownerConfiguration)
        try other.query("BEGIN")
        try other.query("SELECT pg_advisory_xact_lock(hashtextextended(\(tenantID + "\u{1F}customer\u{1F}C-250"), 0))")
        let lines = (1...300).map { #"{"external_id":"C-\#($0)","name":"客户\#($0)"}"# }
        let open = try api.client.open("POST", "/v1/customers/bulk", headers: bearer(tenant.adminKey, [("Content-Type", "application/x-ndjson")]),
                                       body: Array(lines.joined(separator: "\n").utf8))
        func answered(_ body: [UInt8]) -> Int { body.filter { $0 == 0x0A }.count }
        #expect(open.read(until: { answered($0) >= 200 }, seconds: 15))
        Thread.sleep(forTimeInterval: 0.2)
        let early = open.bodySoFar
        #expect(answered(early.body) == 200 && !early.complete)
        try other.query("COMMIT")

        let response = try open.finish()
        #expect(response.status == 200 && response.header("Transfer-Encoding") == "chunked")
        let all = answers(response)
        #expect(all.compactMap { $0["line"] as? Int } == Array(1...300))
        #expect(all.allSatisfy { $0["status"] as? String == "created" })
    }

    @Test func bulkImportsRefuseWhatTheyCannotTake() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let json = try ndjson(api, tenant.adminKey, "/v1/parts/bulk", [#"{"external_id":"P-1","part_number":"P-1","name":"x"}"#],
                              type: "application/json")
        #expect(json.status == 415 && json.problemFields == ["Content-Type"])
        let tooMany = (0...10_000).map { #"{"external_id":"P-\#($0)","part_number":"P-\#($0)","name":"滤芯"}"# }
        let refused = try ndjson(api, tenant.adminKey, "/v1/parts/bulk", tooMany)
        #expect(refused.status == 422 && refused.problemFields == ["body"])
        #expect((try api.get("/v1/parts", key: tenant.adminKey).json["items"] as? [Any])?.isEmpty == true)
        let readonly = try api.makeKey(adminKey: tenant.adminKey, role: .readonly)
        #expect(try ndjson(api, readonly.secret, "/v1/parts/bulk", [#"{"external_id":"P-1","part_number":"P-1","name":"x"}"#]).status == 403)
        let parts = try ndjson(api, tenant.adminKey, "/v1/parts/bulk", [
            #"{"external_id":"P-1","part_number":"P-1","name":"机滤","price":35}"#,
            #"{"external_id":"P-2","part_number":"P-1","name":"重号"}"#,
        ])
        #expect(answers(parts).compactMap { $0["status"] as? String } == ["created", "error"])
        #expect((answers(parts)[1]["errors"] as? [[String: Any]])?.first?["field"] as? String == "part_number")
        // The line that failed in the database was undone alone: the good one before it is kept.
        #expect((try api.get("/v1/parts?part_number=P-1", key: tenant.adminKey).json["items"] as? [[String: Any]])?.first?["name"] as? String == "机滤")
    }

    @Test func vehiclesAreImportedWithTheirOwnersNamedByTheCRMsIds() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let customers = try ndjson(api, tenant.adminKey, "/v1/customers/bulk", [#"{"external_id":"C-9","name":"周先生"}"#])
        let owner = try #require(answers(customers).first?["id"] as? String)
        let vehicles = try ndjson(api, tenant.adminKey, "/v1/vehicles/bulk", [
            #"{"external_id":"V-1","customer_external_id":"C-9","plate":"粤B12345D","make":"比亚迪","model":"汉"}"#,
            #"{"external_id":"V-2","customer_external_id":"C-404","plate":"粤B54321"}"#,
            #"{"external_id":"V-3","customer_external_id":"C-9","customer_id":"\#(owner)","plate":"粤B11111"}"#,
            #"{"external_id":"V-1","customer_external_id":"C-9","mileage_km":42000}"#,
        ])
        let lines = answers(vehicles)
        #expect(lines.compactMap { $0["status"] as? String } == ["created", "error", "error", "updated"], "\(vehicles.text)")
        #expect((lines[1]["errors"] as? [[String: Any]])?.first?["field"] as? String == "customer_external_id")
        let id = try #require(lines[0]["id"] as? String)
        let vehicle = try api.get("/v1/vehicles/\(id)", key: tenant.adminKey).json
        #expect(vehicle["customer_id"] as? String == owner && vehicle["mileage_km"] as? Int == 42000 && vehicle["external_id"] as? String == "V-1")
        let put = try api.client.send("PUT", "/v1/vehicles/by-external-id/V-1", headers: bearer(tenant.adminKey), json: #"{"colour":"白"}"#)
        #expect(put.status == 200 && put.json["colour"] as? String == "白" && put.json["id"] as? String == id)
        let listed = try api.get("/v1/vehicles?external_id=V-1", key: tenant.adminKey).json["items"] as? [[String: Any]]
        #expect(listed?.compactMap { $0["id"] as? String } == [id])
    }

    @Test func aCRMTicketBecomesAnOrderAndLaterChangesIt() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try DispatchAPITests().fixture(api)
        let create = """
            {"type_id":"\(f.typeID)","customer_id":"\(f.customerID)","vehicle_id":"\(f.vehicleID)","description":"发动机抖动","priority":"P3"}
            """
        let first = try api.client.send("PUT", "/v1/work-orders/by-external-id/TICKET-1", headers: bearer(f.adminKey), json: create)
        #expect(first.status == 201 && first.json["external_id"] as? String == "TICKET-1", "\(first.text)")
        let id = try #require(first.json["id"] as? String)
        // A second ticket for the same vehicle is an order of its own, not merged by the duplicate guard.
        let second = try api.client.send("PUT", "/v1/work-orders/by-external-id/TICKET-2", headers: bearer(f.adminKey), json: create)
        #expect(second.status == 201 && second.json["id"] as? String != id, "\(second.text)")
        // The same ticket again, now urgent: the order changes, nothing new is made.
        let urgent = create.replacingOccurrences(of: "P3", with: "P1")
        let again = try api.client.send("PUT", "/v1/work-orders/by-external-id/TICKET-1", headers: bearer(f.adminKey), json: urgent)
        #expect(again.status == 200 && again.json["id"] as? String == id && again.json["priority"] as? String == "P1", "\(again.text)")
        let otherType = try #require(try api.client.send("POST", "/v1/work-order-types", headers: bearer(f.adminKey),
                                                         json: #"{"code":"tyres","name":"轮胎"}"#).json["id"] as? String)
        let moved = try api.client.send("PUT", "/v1/work-orders/by-external-id/TICKET-1", headers: bearer(f.adminKey),
                                        json: create.replacingOccurrences(of: f.typeID, with: otherType))
        #expect(moved.status == 409 && moved.problemFields == ["type_id"])
        let found = try api.get("/v1/work-orders?external_id=TICKET-1", key: f.adminKey).json["items"] as? [[String: Any]]
        #expect(found?.compactMap { $0["id"] as? String } == [id])
        // POST with a CRM id that is taken is a conflict naming it.
        let taken = try api.client.send("POST", "/v1/work-orders", headers: bearer(f.adminKey),
                                        json: create.replacingOccurrences(of: #""priority":"P3""#, with: #""external_id":"TICKET-2""#))
        #expect(taken.status == 409 && taken.problemFields == ["external_id"], "\(taken.text)")
    }

    @Test func engineersAreKeptInStepWithTheHRSystem() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let integration = try api.makeKey(adminKey: tenant.adminKey, role: .integration)
        let imported = try ndjson(api, integration.secret, "/v1/engineers/bulk", [
            #"{"external_id":"HR-1","name":"陈师傅","skills":{"engine":4},"status":"available"}"#,
            #"{"external_id":"HR-2","name":"李师傅","skills":{"Engine!":9}}"#,
        ])
        let lines = answers(imported)
        #expect(lines.compactMap { $0["status"] as? String } == ["created", "error"], "\(imported.text)")
        let id = try #require(lines[0]["id"] as? String)
        let changed = try api.client.send("PUT", "/v1/engineers/by-external-id/HR-1", headers: bearer(integration.secret),
                                          json: #"{"phone":"13900139000"}"#)
        #expect(changed.status == 200 && changed.json["id"] as? String == id && changed.json["external_id"] as? String == "HR-1", "\(changed.text)")
        #expect(changed.json["skills"] as? [String: Int] == ["engine": 4])
        let found = try api.get("/v1/engineers?external_id=HR-1", key: tenant.adminKey).json["items"] as? [[String: Any]]
        #expect(found?.compactMap { $0["id"] as? String } == [id])
    }
}
