import Foundation
import PitstopTesting
import Testing

/// Dispatch on intake: a new order goes where its policy's mode says the moment it is reported,
/// with no dispatcher's key in between, from a desk, a customer's form or WeChat.
@Suite struct DispatchOnIntakeAPITests {
    let dispatch = DispatchAPITests()
    let pool = PoolAndTransferAPITests()

    func policy(_ api: TestAPI, _ f: DispatchAPITests.Fixture, _ json: String) throws {
        let made = try api.client.send("POST", "/v1/dispatch-policies", headers: bearer(f.adminKey), json: json)
        #expect(made.status == 201, "\(made.text)")
    }

    func record(_ api: TestAPI, _ f: DispatchAPITests.Fixture, _ id: String) throws -> (assignments: [[String: Any]], offers: [[String: Any]]) {
        let record = try api.get("/v1/work-orders/\(id)/dispatch", key: f.adminKey)
        return (record.json["items"] as? [[String: Any]] ?? [], record.json["offers"] as? [[String: Any]] ?? [])
    }

    @Test(arguments: ["manual", "assign", "offer", "pool"])
    func aDeskOrderGoesWhereTheModeSays(mode: String) throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        try policy(api, f, #"{"mode":"\#(mode)","required_skills":{"engine":3}}"#)
        let id = try dispatch.order(api, f)
        let order = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
        let (assignments, offers) = try record(api, f, id)
        switch mode {
        case "manual":
            #expect(order.json["status"] as? String == "new")
            #expect(assignments.isEmpty && offers.isEmpty)
        case "pool":
            #expect(order.json["status"] as? String == "new")
            #expect(order.json["pooled_at"] is String)
            #expect(assignments.isEmpty && offers.isEmpty)
        default:
            // The best-ranked engineer has it, and the decision is kept with its full ranking, as
            // a desk's would be: the two with the engine skill, off-duty and under-skilled left out.
            #expect(order.json["status"] as? String == "assigned", "\(order.text)")
            #expect(assignments.count == 1)
            #expect(assignments.first?["mode"] as? String == "auto")
            let ranked = assignments.first?["candidates"] as? [[String: Any]] ?? []
            #expect(Set(ranked.compactMap { $0["name"] as? String }) == ["陈师傅", "李师傅"])
            #expect(order.json["assignee_id"] as? String == ranked.first?["engineer_id"] as? String)
            // An offer has a deadline; an assignment waits for the engineer's answer.
            #expect(offers.count == (mode == "offer" ? 1 : 0))
        }
    }

    /// A CRM syncing its tickets is not dispatching them: an upsert or a ticket posted with its
    /// external id runs the policy's mode only when the caller asks, and a desk may opt out.
    @Test func aCRMTicketIsDispatchedOnlyWhenTheCallerAsksAndADeskMayOptOut() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        try policy(api, f, #"{"mode":"offer","required_skills":{"engine":3}}"#)
        let fields = #""type_id":"\#(f.typeID)","customer_id":"\#(f.customerID)","shop_id":"\#(f.shopID)","description":"发动机抖动""#
        func status(_ response: RawHTTPClient.Response) throws -> (status: String?, offers: Int) {
            let id = try #require(response.json["id"] as? String, "\(response.text)")
            return (response.json["status"] as? String, try record(api, f, id).offers.count)
        }
        let synced = try api.client.send("PUT", "/v1/work-orders/by-external-id/CRM-1", headers: bearer(f.adminKey), json: "{\(fields)}")
        #expect(synced.status == 201, "\(synced.text)")
        #expect(try status(synced) == ("new", 0))
        let posted = try api.client.send("POST", "/v1/work-orders", headers: bearer(f.adminKey), json: #"{\#(fields),"external_id":"CRM-2"}"#)
        #expect(try status(posted) == ("new", 0))
        let asked = try api.client.send("PUT", "/v1/work-orders/by-external-id/CRM-3", headers: bearer(f.adminKey),
                                        json: #"{\#(fields),"dispatch":true}"#)
        #expect(asked.status == 201, "\(asked.text)")
        #expect(try status(asked) == ("assigned", 1))
        let optedOut = try api.client.send("POST", "/v1/work-orders", headers: bearer(f.adminKey), json: #"{\#(fields),"insist":true,"dispatch":false}"#)
        #expect(optedOut.status == 201, "\(optedOut.text)")
        #expect(try status(optedOut) == ("new", 0))
        let bad = try api.client.send("POST", "/v1/work-orders", headers: bearer(f.adminKey), json: #"{\#(fields),"insist":true,"dispatch":"yes"}"#)
        #expect(bad.status == 400)
        #expect(bad.problemFields == ["dispatch"])
    }

    /// Assign mode without a deadline: a decline goes to the next-ranked engineer, never back to
    /// the one who declined, and after the last round the order is the desk's.
    @Test func anAssignedEngineersDeclinePassesTheOrderOnAndNeverBack() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        try policy(api, f, #"{"mode":"assign","required_skills":{"engine":3},"max_rounds":2,"after_rounds":"dispatcher"}"#)
        let id = try dispatch.order(api, f)
        let firstID = try #require(try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["assignee_id"] as? String)
        let first = try #require(f.engineers.first { $0.value == firstID }?.key)
        let other = first == "陈师傅" ? "李师傅" : "陈师傅"
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/decline", headers: bearer(try pool.engineerKey(api, f, first)),
                                    json: #"{"reason":"在外地"}"#).status == 204)
        let second = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
        #expect(second.json["assignee_id"] as? String == f.engineers[other], "\(second.text)")
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/decline", headers: bearer(try pool.engineerKey(api, f, other)),
                                    json: #"{"reason":"没有配件"}"#).status == 204)
        let left = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
        #expect(left.json["status"] as? String == "new")
        #expect(left.json["assignee_id"] == nil)
        let asked = try record(api, f, id).assignments.compactMap { $0["engineer_id"] as? String }
        #expect(asked.count == 2 && Set(asked) == Set([f.engineers[first], f.engineers[other]].compactMap { $0 }), "\(asked)")
    }

    /// A customer's report through a QR link is dispatched like a desk's, and still gets its
    /// tracking link back.
    @Test func aCustomersReportThroughALinkIsOfferedAtOnce() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        try policy(api, f, #"{"mode":"offer","required_skills":{"engine":3},"offer_timeout_seconds":600}"#)
        let link = try api.client.send("POST", "/v1/intake-links", headers: bearer(f.adminKey),
                                       json: #"{"name":"前台二维码","channel":"qr","type_id":"\#(f.typeID)","shop_id":"\#(f.shopID)"}"#)
        let token = try #require(link.json["token"] as? String, "\(link.text)")
        let receipt = try api.client.send("POST", "/v1/public/intake/\(token)",
                                          json: #"{"name":"李女士","phone":"13900139000","description":"发动机故障灯亮"}"#)
        #expect(receipt.status == 201, "\(receipt.text)")
        #expect((receipt.json["tracking_url"] as? String)?.contains("/v1/public/track/ptr_") == true)
        let listed = try api.get("/v1/work-orders?channel=qr", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
        #expect(listed.first?["number"] as? String == receipt.json["number"] as? String)
        #expect(listed.first?["status"] as? String == "assigned")
        let id = try #require(listed.first?["id"] as? String, "\(listed)")
        let offers = try record(api, f, id).offers
        #expect(offers.count == 1)
        #expect(offers.first?["engineer_id"] as? String == listed.first?["assignee_id"] as? String)
        #expect(offers.first?["state"] as? String == "pending")
    }
}

/// Serialized with the other sweeping tests: the worker's sender sees every tenant's deliveries.
extension SweepingTests {
    @Suite struct DispatchAlertTests {
        let dispatch = DispatchAPITests()

        /// Nobody passes the hard rules: the order is the desk's, its timeline says how many each
        /// rule excluded, and the alert channels hear of it in the same transaction.
        @Test func whenNobodyQualifiesTheDeskIsToldWhyAndTheAlertChannelsHear() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let alerts = try api.client.send("POST", "/v1/notification-channels", headers: bearer(f.adminKey),
                                             json: #"{"name":"调度群","kind":"wecom","url":"\#(receivers.base)/cgi-bin/webhook/send?key=wecom-key","alerts":true}"#)
            let channel = try #require(alerts.json["id"] as? String, "\(alerts.text)")
            // Nobody has the glass skill (赵, off duty, is not even considered).
            let policy = try api.client.send("POST", "/v1/dispatch-policies", headers: bearer(f.adminKey),
                                             json: #"{"mode":"offer","required_skills":{"glass":1}}"#)
            #expect(policy.status == 201, "\(policy.text)")
            let id = try dispatch.order(api, f)
            let order = try api.get("/v1/work-orders/\(id)", key: f.adminKey)
            #expect(order.json["status"] as? String == "new")
            let timeline = try api.get("/v1/work-orders/\(id)/timeline", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
            let note = try #require(timeline.first { $0["kind"] as? String == "dispatch_exhausted" }?["note"] as? String, "\(timeline)")
            #expect(note.contains("3 considered; excluded: 3 missing_skill"), "\(note)")
            let queued = try api.get("/v1/notification-deliveries?channel_id=\(channel)", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
            #expect(queued.filter { $0["topic"] as? String == "work_order.needs_dispatcher" }.count == 1, "\(queued)")
            // The worker sends it to the group, with the reasons in Chinese.
            _ = try NotificationDeliveryTests().sender().run()
            let message = try #require(receivers.received("wecom").first)
            let text = (message["markdown"] as? [String: Any])?["content"] as? String ?? ""
            #expect(text.contains("工单待人工派单") && text.contains("技能不符 3 人"), "\(text)")
        }
    }
}
