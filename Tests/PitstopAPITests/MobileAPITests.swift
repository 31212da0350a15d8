import Foundation
import PitstopCore
import PitstopTesting
import Testing

/// The engineer's app: the queue and one order with what is needed to drive there.
@Suite struct MobileAPITests {
    let dispatch = DispatchAPITests()
    let pool = PoolAndTransferAPITests()

    /// A new order of the fixture, assigned to 陈师傅 (version 2), and his phone's key.
    func assignedToChen(_ api: TestAPI, _ f: DispatchAPITests.Fixture) throws -> (id: String, key: String) {
        let key = try pool.engineerKey(api, f, "陈师傅")
        let id = try dispatch.order(api, f)
        let assigned = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                           json: #"{"to":"assigned","assignee_id":"\#(f.engineers["陈师傅"]!)"}"#)
        #expect(assigned.status == 200, "\(assigned.text)")
        return (id, key)
    }

    @Test func theQueueGroupsOrdersAndTheDetailNavigatesToTheShop() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let chen = try #require(f.engineers["陈师傅"])
        let key = try pool.engineerKey(api, f, "陈师傅")
        let offered = try dispatch.order(api, f)
        let working = try dispatch.order(api, f)
        for (id, steps) in [(offered, ["assigned"]), (working, ["assigned", "accepted", "diagnosing"])] {
            for (index, step) in steps.enumerated() {
                let extra = step == "assigned" ? #","assignee_id":"\#(chen)""# : ""
                let moved = try api.client.send("POST", "/v1/work-orders/\(id)/transitions",
                                                headers: bearer(f.adminKey, [("If-Match", "\"\(index + 1)\"")]), json: #"{"to":"\#(step)"\#(extra)}"#)
                #expect(moved.status == 200, "\(moved.text)")
            }
        }
        let queue = try api.get("/v1/me/queue", key: key)
        #expect(queue.status == 200, "\(queue.text)")
        #expect((queue.json["offered"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [offered])
        #expect((queue.json["accepted"] as? [Any])?.isEmpty == true)
        let inProgress = try #require((queue.json["in_progress"] as? [[String: Any]])?.first)
        #expect(inProgress["id"] as? String == working)
        let navigation = try #require(inProgress["navigation"] as? [String: Any])
        #expect(navigation["latitude"] as? Double == 30.25)
        #expect((navigation["amap_url"] as? String)?.hasPrefix("https://uri.amap.com/navigation?to=120.15,30.25,") == true)
        #expect((navigation["baidu_url"] as? String)?.contains("destination=latlng:30.25,120.15|name:") == true)

        let detail = try api.get("/v1/me/work-orders/\(working)", key: key)
        #expect(detail.status == 200, "\(detail.text)")
        #expect((detail.json["customer"] as? [String: Any])?["phones"] as? [String] == ["13800138000"])
        #expect((detail.json["vehicle"] as? [String: Any])?["plate"] as? String == "浙A12345")
        // The vehicle's other order is its history.
        #expect((detail.json["history"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [offered])

        // Another engineer, or a desk key, does not see it this way.
        let li = try pool.engineerKey(api, f, "李师傅")
        #expect(try api.get("/v1/me/work-orders/\(working)", key: li).status == 404)
        #expect(try api.get("/v1/me/queue", key: f.adminKey).status == 403)
    }

    @Test func checkInMeasuresTheDistanceAndFlagsAFarOne() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        _ = try api.client.send("POST", "/v1/dispatch-policies", headers: bearer(f.adminKey), json: #"{"check_in_radius_meters":300}"#)
        let (id, key) = try assignedToChen(api, f)
        let early = try api.client.send("POST", "/v1/me/work-orders/\(id)/check-in", headers: bearer(key), json: #"{"latitude":30.25,"longitude":120.15}"#)
        #expect(early.status == 409)
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/accept", headers: bearer(key)).status == 200)

        // About 96 m east of the shop: inside the 300 m radius.
        let near = try api.client.send("POST", "/v1/me/work-orders/\(id)/check-in", headers: bearer(key), json: #"{"latitude":30.25,"longitude":120.151}"#)
        #expect(near.status == 201, "\(near.text)")
        #expect((90...100).contains(near.json["distance_meters"] as? Int ?? 0))
        #expect(near.json["outside_radius"] as? Bool == false)
        #expect(try api.client.send("POST", "/v1/me/work-orders/\(id)/check-in", headers: bearer(key),
                                    json: #"{"latitude":30.25,"longitude":120.151}"#).status == 409)
        let out = try api.client.send("POST", "/v1/me/work-orders/\(id)/check-out", headers: bearer(key), json: #"{"latitude":30.25,"longitude":120.151}"#)
        #expect(out.status == 200)
        #expect(out.json["checked_out_at"] is String)

        // About 4.8 km away: recorded, and flagged.
        let far = try api.client.send("POST", "/v1/me/work-orders/\(id)/check-in", headers: bearer(key), json: #"{"latitude":30.25,"longitude":120.2}"#)
        #expect(far.json["outside_radius"] as? Bool == true)
        let detail = try api.get("/v1/me/work-orders/\(id)", key: key)
        #expect((detail.json["visits"] as? [Any])?.count == 2)
        let timeline = try api.get("/v1/work-orders/\(id)/timeline", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
        #expect(timeline.compactMap { $0["kind"] as? String }.filter { $0.hasPrefix("checked") } == ["checked_in", "checked_out", "checked_in"])
        #expect((timeline.last?["note"] as? String)?.contains("outside the check-in radius") == true)
        let bad = try api.client.send("POST", "/v1/me/work-orders/\(id)/check-out", headers: bearer(key), json: #"{"latitude":95,"longitude":120}"#)
        #expect(bad.status == 422)
        #expect(bad.problemFields == ["latitude"])
    }

    @Test func aRawGPSCheckInAtTheShopIsNotFlaggedWhenItSaysItsDatum() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        _ = try api.client.send("POST", "/v1/dispatch-policies", headers: bearer(f.adminKey), json: #"{"check_in_radius_meters":300}"#)
        let (id, key) = try assignedToChen(api, f)
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/accept", headers: bearer(key)).status == 200)
        // The shop is at GCJ-02 (30.25, 120.15); a phone's raw GPS standing at its door reads
        // WGS-84 (30.252314, 120.14528), about 520 m off in GCJ-02 terms: more than the radius.
        let raw = #"{"latitude":30.252314,"longitude":120.14528,"datum":"wgs84"}"#
        let atTheDoor = try api.client.send("POST", "/v1/me/work-orders/\(id)/check-in", headers: bearer(key), json: raw)
        #expect(atTheDoor.status == 201, "\(atTheDoor.text)")
        #expect((0...5).contains(atTheDoor.json["distance_meters"] as? Int ?? -1), "\(atTheDoor.text)")
        #expect(atTheDoor.json["outside_radius"] as? Bool == false)
        // The same numbers without the datum are taken as GCJ-02, and flagged.
        let out = try api.client.send("POST", "/v1/me/work-orders/\(id)/check-out", headers: bearer(key), json: raw)
        #expect(out.status == 200, "\(out.text)")
        let unsaid = try api.client.send("POST", "/v1/me/work-orders/\(id)/check-in", headers: bearer(key),
                                         json: #"{"latitude":30.252314,"longitude":120.14528}"#)
        #expect((500...540).contains(unsaid.json["distance_meters"] as? Int ?? 0), "\(unsaid.text)")
        #expect(unsaid.json["outside_radius"] as? Bool == true)
    }

    @Test func theRepairReportIsVersionedAndGuardedAgainstStaleSaves() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let (id, key) = try assignedToChen(api, f)
        let path = "/v1/me/work-orders/\(id)/report"
        let report = #"{"diagnosis":"点火线圈老化","work_performed":"更换 3 缸点火线圈","labour":[{"description":"拆装","hours":1.5}],"parts":[{"part_number":"IGN-1234","name":"点火线圈","quantity":1}],"mileage_km":52000}"#
        #expect(try api.client.send("PUT", path, headers: bearer(key), json: report).status == 409)
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/accept", headers: bearer(key)).status == 200)

        let first = try api.client.send("PUT", path, headers: bearer(key), json: report)
        #expect(first.status == 201, "\(first.text)")
        #expect(first.header("ETag") == "\"1\"")
        #expect((first.json["parts"] as? [[String: Any]])?.first?["part_number"] as? String == "IGN-1234")
        // A later save must say which version it edited; a stale one is refused.
        #expect(try api.client.send("PUT", path, headers: bearer(key), json: report).status == 428)
        let second = try api.client.send("PUT", path, headers: bearer(key, [("If-Match", "\"1\"")]),
                                         json: #"{"diagnosis":"点火线圈老化","work_performed":"更换 3、4 缸点火线圈"}"#)
        #expect(second.status == 201)
        #expect(second.json["version"] as? Int == 2)
        #expect(try api.client.send("PUT", path, headers: bearer(key, [("If-Match", "\"1\"")]), json: report).status == 412)
        let bad = try api.client.send("PUT", path, headers: bearer(key, [("If-Match", "\"2\"")]),
                                      json: #"{"diagnosis":"x","labour":[{"description":"","hours":0}]}"#)
        #expect(bad.status == 422)
        #expect(Set(bad.problemFields) == ["labour[0].description", "labour[0].hours"])

        let versions = try api.get("/v1/work-orders/\(id)/report", key: f.adminKey).json["versions"] as? [[String: Any]] ?? []
        #expect(versions.compactMap { $0["version"] as? Int } == [2, 1])
        #expect((try api.get("/v1/me/work-orders/\(id)", key: key).json["report"] as? [String: Any])?["version"] as? Int == 2)
    }

    @Test func aPartsRequisitionHoldsTheOrderUntilApproved() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let (id, key) = try assignedToChen(api, f)
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/accept", headers: bearer(key)).status == 200)
        _ = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"3\"")]),
                                json: #"{"to":"diagnosing"}"#)

        let bad = try api.client.send("POST", "/v1/me/work-orders/\(id)/requisitions", headers: bearer(key),
                                      json: #"{"lines":[{"part_number":"","quantity":-1}]}"#)
        #expect(bad.status == 422)
        #expect(Set(bad.problemFields) == ["lines[0].part_number", "lines[0].quantity"])
        let asked = try api.client.send("POST", "/v1/me/work-orders/\(id)/requisitions", headers: bearer(key),
                                        json: #"{"lines":[{"part_number":"IGN-1234","quantity":2}],"note":"3、4 缸"}"#)
        #expect(asked.status == 201, "\(asked.text)")
        let requisition = try #require(asked.json["id"] as? String)
        // Its Location answers, for the engineer who asked and the desk; not for another engineer.
        let location = try #require(asked.header("Location"))
        #expect(try api.get(location, key: key).json["id"] as? String == requisition)
        #expect(try api.get(location, key: f.adminKey).status == 200)
        #expect(try api.get(location, key: try pool.engineerKey(api, f, "李师傅")).status == 404)
        #expect(try api.get(location, key: try api.makeTenant().adminKey).status == 404)
        #expect(try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["status"] as? String == "awaiting_parts")
        let inbox = try api.get("/v1/requisitions", key: f.adminKey).json["items"] as? [[String: Any]]
        #expect(inbox?.compactMap { $0["id"] as? String } == [requisition])
        #expect(try api.get("/v1/requisitions", key: key).status == 403)

        let approved = try api.client.send("POST", "/v1/requisitions/\(requisition)/decision", headers: bearer(f.adminKey),
                                           json: #"{"approve":true,"note":"库存有货"}"#)
        #expect(approved.status == 200, "\(approved.text)")
        #expect(approved.json["state"] as? String == "approved")
        #expect(try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["status"] as? String == "repairing")
        #expect(try api.client.send("POST", "/v1/requisitions/\(requisition)/decision", headers: bearer(f.adminKey),
                                    json: #"{"approve":false}"#).status == 409)
        #expect((try api.get("/v1/requisitions", key: f.adminKey).json["items"] as? [Any])?.isEmpty == true)
        let timeline = try api.get("/v1/work-orders/\(id)/timeline", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
        #expect(timeline.compactMap { $0["kind"] as? String }.filter { $0.hasPrefix("parts") } == ["parts_requested", "parts_decided"])
        // Another tenant sees no such requisition.
        let other = try dispatch.fixture(api)
        #expect(try api.client.send("POST", "/v1/requisitions/\(requisition)/decision", headers: bearer(other.adminKey),
                                    json: #"{"approve":true}"#).status == 404)
    }

    @Test func aFailedQualityCheckSendsTheOrderBackWithTheItemsNamed() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let typed = try api.client.send("PATCH", "/v1/work-order-types/\(f.typeID)", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                        json: #"{"checklist":["试车无异响","故障灯熄灭","清洁车辆"]}"#)
        #expect(typed.status == 200, "\(typed.text)")
        let chen = try #require(f.engineers["陈师傅"])
        let id = try dispatch.order(api, f)
        var version = 1
        for (step, extra) in [("assigned", #","assignee_id":"\#(chen)""#), ("accepted", ""), ("diagnosing", ""), ("repairing", ""), ("quality_check", "")] {
            let moved = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"\(version)\"")]),
                                            json: #"{"to":"\#(step)"\#(extra)}"#)
            #expect(moved.status == 200, "\(moved.text)")
            version += 1
        }
        func check(_ results: String) throws -> RawHTTPClient.Response {
            try api.client.send("POST", "/v1/work-orders/\(id)/quality-check", headers: bearer(f.adminKey, [("If-Match", "\"\(version)\"")]),
                                json: #"{"inspector":"质检员小周","results":\#(results)}"#)
        }
        let incomplete = try check(#"[{"item":"试车无异响","passed":true},{"item":"换机油","passed":true}]"#)
        #expect(incomplete.status == 422)
        #expect(Set(incomplete.problemFields) == ["results[1].item", "results"])

        let failed = try check(#"[{"item":"试车无异响","passed":false,"note":"40 km/h 有异响"},{"item":"故障灯熄灭","passed":true},{"item":"清洁车辆","passed":true}]"#)
        #expect(failed.status == 200, "\(failed.text)")
        #expect((failed.json["work_order"] as? [String: Any])?["status"] as? String == "repairing")
        #expect((failed.json["quality_check"] as? [String: Any])?["failed_items"] as? [String] == ["试车无异响"])
        let timeline = try api.get("/v1/work-orders/\(id)/timeline", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
        #expect((timeline.last?["note"] as? String)?.contains("试车无异响") == true)

        version += 1
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"\(version)\"")]),
                                    json: #"{"to":"quality_check"}"#).status == 200)
        // It passes once the engineer has saved the report the customer will sign.
        #expect(try api.client.send("PUT", "/v1/me/work-orders/\(id)/report", headers: bearer(try pool.engineerKey(api, f, "陈师傅")),
                                    json: #"{"diagnosis":"传动轴异响","work_performed":"更换传动轴"}"#).status == 201)
        version = try #require(try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["version"] as? Int)
        let passed = try check(#"[{"item":"试车无异响","passed":true},{"item":"故障灯熄灭","passed":true},{"item":"清洁车辆","passed":true}]"#)
        #expect((passed.json["work_order"] as? [String: Any])?["status"] as? String == "awaiting_acceptance")
        #expect((try api.get("/v1/work-orders/\(id)/quality-checks", key: f.adminKey).json["items"] as? [Any])?.count == 2)
    }

    /// The whole flow from offer to signed acceptance and the customer's rating.
    @Test func fromOfferToASignedAcceptanceAndARating() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let created = try api.client.send("POST", "/v1/work-orders", headers: bearer(f.adminKey), json: """
            {"type_id":"\(f.typeID)","customer_id":"\(f.customerID)","vehicle_id":"\(f.vehicleID)","shop_id":"\(f.shopID)",
             "description":"发动机抖动","insist":true}
            """)
        let id = try #require(created.json["id"] as? String)
        let tracking = try #require(created.json["tracking_token"] as? String)
        let offered = try api.client.send("POST", "/v1/work-orders/\(id)/dispatch", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]))
        let engineer = try #require((offered.json["offer"] as? [String: Any])?["engineer_id"] as? String)
        let name = try #require(f.engineers.first { $0.value == engineer }?.key)
        let key = try pool.engineerKey(api, f, name)
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/accept", headers: bearer(key)).status == 200)
        #expect(try api.client.send("POST", "/v1/me/work-orders/\(id)/check-in", headers: bearer(key),
                                    json: #"{"latitude":30.25,"longitude":120.15}"#).status == 201)
        func desk(_ to: String) throws {
            let current = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
            let moved = try api.client.send("POST", "/v1/work-orders/\(id)/transitions",
                                            headers: bearer(f.adminKey, [("If-Match", current.header("ETag") ?? "")]), json: #"{"to":"\#(to)"}"#)
            #expect(moved.status == 200, "\(to): \(moved.text)")
        }
        // Photographs before and after the repair, shown on the report the customer signs.
        func photograph(_ seed: UInt8) throws -> String {
            let sent = try MediaAPITests.upload(api, id, key: key, type: "image/jpeg", MediaAPITests.jpeg(20_000, seed: seed))
            return try #require(sent.json["id"] as? String, "\(sent.text)")
        }
        let before = try photograph(1)
        try desk("diagnosing")
        let after = try photograph(2)
        let report = try api.client.send("PUT", "/v1/me/work-orders/\(id)/report", headers: bearer(key), json: """
            {"diagnosis":"点火线圈老化","work_performed":"更换点火线圈","before_photos":["\(before)"],"after_photos":["\(after)"]}
            """)
        #expect(report.status == 201, "\(report.text)")
        try desk("repairing")
        try desk("quality_check")
        let current = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/quality-check", headers: bearer(f.adminKey, [("If-Match", current.header("ETag") ?? "")]),
                                    json: #"{"inspector":"质检员","results":[{"item":"试车","passed":true}]}"#).status == 200)

        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        func sign(_ type: String, _ bytes: [UInt8], version: Int = 1) throws -> RawHTTPClient.Response {
            try api.client.send("POST", "/v1/me/work-orders/\(id)/acceptance", headers: bearer(key), json: """
                {"signer_name":"王先生","report_version":\(version),"signature_type":"\(type)","signature":"\(Data(bytes).base64EncodedString())"}
                """)
        }
        let scripted = try sign("image/svg+xml", Array(#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.utf8))
        #expect(scripted.status == 422)
        #expect(scripted.problemFields == ["signature"])
        #expect(try sign("image/png", Array("not a png".utf8)).problemFields == ["signature"])
        #expect(try sign("image/png", png, version: 7).status == 409)
        let signed = try sign("image/png", png)
        #expect(signed.status == 200, "\(signed.text)")
        #expect((signed.json["work_order"] as? [String: Any])?["status"] as? String == "completed")
        let acceptance = try api.get("/v1/work-orders/\(id)/acceptance", key: f.adminKey)
        #expect(acceptance.json["report_version"] as? Int == 1)
        #expect((acceptance.json["report_sha256"] as? String)?.count == 64)
        // The signed report is final.
        #expect(try api.client.send("PUT", "/v1/me/work-orders/\(id)/report", headers: bearer(key, [("If-Match", "\"1\"")]),
                                    json: #"{"diagnosis":"改口"}"#).status == 409)

        // The customer rates once, from the tracking link.
        #expect(try api.client.send("GET", "/v1/public/track/\(tracking)").json["can_rate"] as? Bool == true)
        #expect(try api.client.send("POST", "/v1/public/track/\(tracking)/rating", json: #"{"score":6}"#).problemFields == ["score"])
        #expect(try api.client.send("POST", "/v1/public/track/\(tracking)/rating", json: #"{"score":5,"comment":"很快"}"#).status == 204)
        #expect(try api.client.send("POST", "/v1/public/track/\(tracking)/rating", json: #"{"score":1}"#).status == 409)
        #expect(try api.client.send("GET", "/v1/public/track/\(tracking)").json["can_rate"] as? Bool == false)
    }

    @Test func pingsWhileWorkingAnOrderLeaveATrail() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let (id, key) = try assignedToChen(api, f)
        let chen = try #require(UUID(uuidString: f.engineers["陈师傅"]!))
        let tenantText = try api.get("/v1/tenant", key: f.adminKey).json["id"] as? String
        let tenant = try #require(UUID(uuidString: tenantText ?? ""))
        func ping(_ longitude: Double, after seconds: Double) throws -> Bool {
            try TestDatabase.shared.database.withTenant(tenant) { scope in
                try scope.engineers.recordLocation(id: chen, at: GeoPoint(latitude: 30.25, longitude: longitude), minimumInterval: 5,
                                                   now: Date().addingTimeInterval(seconds))
            }
        }
        // Assigned but not accepted yet: the position is kept, the order has no trail.
        #expect(try ping(120.16, after: 10))
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/accept", headers: bearer(key)).status == 200)
        #expect(try ping(120.155, after: 20))
        #expect(try ping(120.151, after: 30))
        let trail = try api.get("/v1/work-orders/\(id)/trail", key: f.adminKey)
        #expect(trail.status == 200)
        #expect((trail.json["items"] as? [[String: Any]])?.compactMap { $0["longitude"] as? Double } == [120.155, 120.151])
        #expect(try api.get("/v1/work-orders/\(id)/trail", key: key).status == 403)
    }

    @Test func theCustomerSignsThroughALinkWhenNotBesideTheEngineer() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let (id, key) = try assignedToChen(api, f)
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/accept", headers: bearer(key)).status == 200)
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/acceptance-link", headers: bearer(f.adminKey)).status == 409)
        #expect(try api.client.send("PUT", "/v1/me/work-orders/\(id)/report", headers: bearer(key),
                                    json: #"{"diagnosis":"刹车片磨损","work_performed":"更换前刹车片"}"#).status == 201)
        for step in ["diagnosing", "repairing", "quality_check", "awaiting_acceptance"] {
            let current = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
            #expect(try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", current.header("ETag") ?? "")]),
                                        json: #"{"to":"\#(step)"}"#).status == 200)
        }
        // Another engineer cannot make the link; the assignee can.
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/acceptance-link", headers: bearer(try pool.engineerKey(api, f, "李师傅"))).status == 404)
        let link = try api.client.send("POST", "/v1/work-orders/\(id)/acceptance-link", headers: bearer(key))
        #expect(link.status == 201, "\(link.text)")
        let token = try #require(link.json["token"] as? String)
        #expect((link.json["url"] as? String)?.hasSuffix("/v1/public/accept/\(token)") == true)

        let page = try api.client.send("GET", "/v1/public/accept/\(token)")
        #expect(page.json["can_sign"] as? Bool == true)
        #expect((page.json["report"] as? [String: Any])?["work_performed"] as? String == "更换前刹车片")
        #expect(!page.text.contains("13800138000"))
        // Nothing internal: not the order's id, not the key that wrote the report.
        #expect(!page.text.contains(id) && !page.text.contains("author_key") && !page.text.contains("work_order_id"), "\(page.text)")
        let shown = (page.json["report"] as? [String: Any])?["sha256"] as? String
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]).base64EncodedString()
        let signed = try api.client.send("POST", "/v1/public/accept/\(token)",
                                         json: #"{"signer_name":"王先生","report_version":1,"signature_type":"image/png","signature":"\#(png)"}"#)
        #expect(signed.status == 200, "\(signed.text)")
        // The signature is bound to the very report the page showed.
        #expect(shown != nil && signed.json["report_sha256"] as? String == shown)
        #expect(try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["status"] as? String == "completed")
        #expect(try api.client.send("GET", "/v1/public/accept/\(token)").json["can_sign"] as? Bool == false)
        #expect(try api.client.send("POST", "/v1/public/accept/\(token)",
                                    json: #"{"signer_name":"王先生","report_version":1,"signature_type":"image/png","signature":"\#(png)"}"#).status == 409)
        #expect(try api.client.send("GET", "/v1/public/accept/pac_nonsense").status == 404)
    }
}
