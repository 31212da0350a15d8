import Foundation
import Synchronization
import PitstopTesting
import Testing

/// The parts catalogue and stock: receipts and adjustments, reservations by approved
/// requisitions, consumption on completion and release on cancellation, and the ledger.
@Suite struct PartsInventoryAPITests {
    let dispatch = DispatchAPITests()
    let sla = SLAAPITests()

    func post(_ api: TestAPI, _ key: String, _ path: String, _ json: String) throws -> RawHTTPClient.Response {
        try api.client.send("POST", path, headers: bearer(key), json: json)
    }

    func stock(_ api: TestAPI, _ f: DispatchAPITests.Fixture, _ part: String) throws -> [String: Any] {
        let items = try api.get("/v1/shops/\(f.shopID)/stock", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
        return try #require(items.first { $0["part_id"] as? String == part })
    }

    /// An order at the fixture's shop, in diagnosis with 陈师傅, who asks for `lines`; returns the
    /// order and the requisition.
    func requisition(_ api: TestAPI, _ f: DispatchAPITests.Fixture, engineerKey: String, lines: String) throws -> (order: String, requisition: String) {
        let order = try dispatch.order(api, f)
        try sla.move(api, f, order, "assigned", extra: #","assignee_id":"\#(f.engineers["陈师傅"]!)""#)
        try sla.move(api, f, order, "accepted")
        try sla.move(api, f, order, "diagnosing")
        let asked = try post(api, engineerKey, "/v1/me/work-orders/\(order)/requisitions", #"{"lines":\#(lines)}"#)
        #expect(asked.status == 201, "\(asked.text)")
        return (order, try #require(asked.json["id"] as? String))
    }

    func approve(_ api: TestAPI, _ f: DispatchAPITests.Fixture, _ requisition: String) throws -> RawHTTPClient.Response {
        try post(api, f.adminKey, "/v1/requisitions/\(requisition)/decision", #"{"approve":true}"#)
    }

    @Test func theCatalogueChecksItsPartsAndKeepsThemWithinTheTenant() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let other = try dispatch.fixture(api)
        let bad = try post(api, f.adminKey, "/v1/parts", #"{"part_number":" ","name":"刹车片","price":-1,"fits":[{"make":""}]}"#)
        #expect(bad.status == 422)
        #expect(Set(bad.problemFields) == ["part_number", "price", "fits[0].make"])
        let created = try post(api, f.adminKey, "/v1/parts", """
            {"part_number":"BP-100","oem_number":"04465-02220","name":"前刹车片","brand":"博世","unit":"套","price":268.5,
             "fits":[{"make":"丰田","model":"卡罗拉"}]}
            """)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.json["id"] as? String)
        #expect(created.json["price"] as? Double == 268.5)
        let again = try post(api, f.adminKey, "/v1/parts", #"{"part_number":"BP-100","name":"重复"}"#)
        #expect(again.status == 409 && again.problemFields == ["part_number"])
        let found = try api.get("/v1/parts?part_number=BP-100", key: f.adminKey).json["items"] as? [[String: Any]]
        #expect(found?.compactMap { $0["id"] as? String } == [id])
        let replaced = try api.client.send("PUT", "/v1/parts/\(id)", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                           json: #"{"part_number":"BP-100","name":"前刹车片（陶瓷）","price":298}"#)
        #expect(replaced.status == 200 && replaced.json["version"] as? Int == 2, "\(replaced.text)")
        // Another tenant: no such part, and its shop cannot take this part's stock.
        #expect(try api.get("/v1/parts/\(id)", key: other.adminKey).status == 404)
        #expect(try api.get("/v1/parts?part_number=BP-100", key: other.adminKey).json["items"].map { ($0 as? [Any])?.count } == 0)
        let foreign = try post(api, other.adminKey, "/v1/stock-movements",
                               #"{"shop_id":"\#(other.shopID)","part_id":"\#(id)","kind":"receipt","quantity":5}"#)
        #expect(foreign.status == 422 && foreign.problemFields == ["part_id"], "\(foreign.text)")
        #expect(try api.get("/v1/shops/\(f.shopID)/stock", key: other.adminKey).status == 404)
    }

    @Test func receiptsAdjustmentsReservationsConsumptionAndReleasesKeepTheLedgerTrue() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let engineerKey = try PoolAndTransferAPITests().engineerKey(api, f, "陈师傅")
        let part = try #require(try post(api, f.adminKey, "/v1/parts", #"{"part_number":"BP-1","name":"刹车片","unit":"套"}"#).json["id"] as? String)
        let received = try post(api, f.adminKey, "/v1/stock-movements",
                                #"{"shop_id":"\#(f.shopID)","part_id":"\#(part)","kind":"receipt","quantity":10}"#)
        #expect(received.status == 201, "\(received.text)")
        #expect((received.json["stock"] as? [String: Any])?["on_hand"] as? Double == 10)

        // More out than there is: refused, naming the part and what is there.
        let tooMuch = try post(api, f.adminKey, "/v1/stock-movements",
                               #"{"shop_id":"\#(f.shopID)","part_id":"\#(part)","kind":"adjustment","quantity":-12,"reason":"盘点"}"#)
        #expect(tooMuch.status == 409)
        #expect(tooMuch.problemFields == ["parts.BP-1"] && tooMuch.text.contains("10 available"), "\(tooMuch.text)")
        let noReason = try post(api, f.adminKey, "/v1/stock-movements",
                                #"{"shop_id":"\#(f.shopID)","part_id":"\#(part)","kind":"adjustment","quantity":-1}"#)
        #expect(noReason.problemFields == ["reason"])
        #expect(try post(api, f.adminKey, "/v1/stock-movements",
                         #"{"shop_id":"\#(f.shopID)","part_id":"\#(part)","kind":"reservation","quantity":1}"#).problemFields == ["kind"])
        // More than a shop can hold is named, not a server error.
        #expect(try post(api, f.adminKey, "/v1/stock-movements",
                         #"{"shop_id":"\#(f.shopID)","part_id":"\#(part)","kind":"receipt","quantity":999999999}"#).problemFields == ["quantity"])
        #expect(try post(api, f.adminKey, "/v1/stock-movements",
                         #"{"shop_id":"\#(f.shopID)","part_id":"\#(part)","kind":"adjustment","quantity":-2,"reason":"损坏"}"#).status == 201)

        // An approved requisition reserves the catalogue part (the other line is not stock-kept).
        let first = try requisition(api, f, engineerKey: engineerKey, lines: #"[{"part_number":"BP-1","quantity":3},{"part_number":"外购件","quantity":1}]"#)
        #expect(try approve(api, f, first.requisition).status == 200)
        var level = try stock(api, f, part)
        #expect(level["on_hand"] as? Double == 8 && level["reserved"] as? Double == 3 && level["available"] as? Double == 5)
        // Asking for more than is available refuses the approval and changes nothing.
        let greedy = try requisition(api, f, engineerKey: engineerKey, lines: #"[{"part_number":"BP-1","quantity":6}]"#)
        let refused = try approve(api, f, greedy.requisition)
        #expect(refused.status == 409 && refused.text.contains("BP-1 needs 6, 5 available"), "\(refused.text)")
        #expect(try api.get("/v1/requisitions", key: f.adminKey).json["items"].map { ($0 as? [[String: Any]])?.compactMap { $0["id"] as? String } }
                    == [greedy.requisition])
        // The first order is cancelled: its parts go back. A second is completed: its parts are used.
        try sla.move(api, f, first.order, "cancelled", extra: #","reason":"客户取消""#)
        level = try stock(api, f, part)
        #expect(level["on_hand"] as? Double == 8 && level["reserved"] as? Double == 0)
        let second = try requisition(api, f, engineerKey: engineerKey, lines: #"[{"part_number":"BP-1","quantity":2.5}]"#)
        #expect(try approve(api, f, second.requisition).status == 200)
        for status in ["quality_check", "awaiting_acceptance", "completed"] { try sla.move(api, f, second.order, status) }
        level = try stock(api, f, part)
        #expect(level["on_hand"] as? Double == 5.5 && level["reserved"] as? Double == 0)

        // The ledger adds up to the stock, newest first.
        let ledger = try api.get("/v1/stock-movements?shop_id=\(f.shopID)&part_id=\(part)&limit=100", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
        #expect(ledger.compactMap { $0["kind"] as? String } == ["consumption", "reservation", "release", "reservation", "adjustment", "receipt"])
        #expect(ledger.compactMap { $0["on_hand_change"] as? Double }.reduce(0, +) == 5.5)
        #expect(ledger.compactMap { $0["reserved_change"] as? Double }.reduce(0, +) == 0)
        #expect(ledger.first?["on_hand_after"] as? Double == 5.5)
        #expect(ledger.first?["work_order_id"] as? String == second.order)
    }

    @Test func concurrentApprovalsNeverReserveMoreThanIsOnHand() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let engineerKey = try PoolAndTransferAPITests().engineerKey(api, f, "陈师傅")
        let part = try #require(try post(api, f.adminKey, "/v1/parts", #"{"part_number":"OIL-5W30","name":"机油","unit":"桶"}"#).json["id"] as? String)
        #expect(try post(api, f.adminKey, "/v1/stock-movements",
                         #"{"shop_id":"\#(f.shopID)","part_id":"\#(part)","kind":"receipt","quantity":5}"#).status == 201)
        let requisitions = try (0..<12).map { _ in
            try requisition(api, f, engineerKey: engineerKey, lines: #"[{"part_number":"OIL-5W30","quantity":1}]"#).requisition
        }
        let statuses = Mutex([Int]())
        let port = api.server.port
        let adminKey = f.adminKey
        DispatchQueue.concurrentPerform(iterations: requisitions.count) { index in
            let client = RawHTTPClient(port: port)
            let status = (try? client.send("POST", "/v1/requisitions/\(requisitions[index])/decision", headers: bearer(adminKey),
                                           json: #"{"approve":true}"#).status) ?? 0
            statuses.withLock { $0.append(status) }
        }
        let answered = statuses.withLock { $0 }
        #expect(answered.filter { $0 == 200 }.count == 5)
        #expect(answered.filter { $0 == 409 }.count == 7)
        let level = try stock(api, f, part)
        #expect(level["on_hand"] as? Double == 5 && level["reserved"] as? Double == 5 && level["available"] as? Double == 0)
        let ledger = try api.get("/v1/stock-movements?part_id=\(part)&limit=100", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
        #expect(ledger.filter { $0["kind"] as? String == "reservation" }.count == 5)
        #expect(ledger.compactMap { $0["reserved_after"] as? Double }.allSatisfy { $0 <= 5 })
    }
}

/// Low-stock alerts go out through the worker's sender, which sees every tenant: with the other
/// sweeping tests, one at a time.
extension SweepingTests {
    @Suite struct LowStockAlertTests {
        let inventory = PartsInventoryAPITests()
        let dispatch = DispatchAPITests()

        func post(_ api: TestAPI, _ key: String, _ path: String, _ json: String) throws -> RawHTTPClient.Response {
            try inventory.post(api, key, path, json)
        }

        @Test func fallingToTheReorderLevelTellsTheAlertChannels() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let f = try dispatch.fixture(api)
            let alerts = try post(api, f.adminKey, "/v1/notification-channels",
                                  #"{"name":"仓库群","kind":"wecom","url":"\#(receivers.base)/cgi-bin/webhook/send?key=wecom-key","alerts":true}"#)
            let channel = try #require(alerts.json["id"] as? String, "\(alerts.text)")
            let part = try #require(try post(api, f.adminKey, "/v1/parts", #"{"part_number":"FLT-1","name":"机滤"}"#).json["id"] as? String)
            #expect(try post(api, f.adminKey, "/v1/stock-movements",
                             #"{"shop_id":"\#(f.shopID)","part_id":"\#(part)","kind":"receipt","quantity":5}"#).status == 201)
            let set = try api.client.send("PUT", "/v1/shops/\(f.shopID)/stock/\(part)", headers: bearer(f.adminKey), json: #"{"reorder_level":2}"#)
            #expect(set.status == 200 && set.json["low"] as? Bool == false, "\(set.text)")
            func lowAlerts() throws -> Int {
                (try api.get("/v1/notification-deliveries?channel_id=\(channel)", key: f.adminKey).json["items"] as? [[String: Any]] ?? [])
                    .filter { $0["topic"] as? String == "part.low_stock" }.count
            }
            #expect(try post(api, f.adminKey, "/v1/stock-movements",
                             #"{"shop_id":"\#(f.shopID)","part_id":"\#(part)","kind":"adjustment","quantity":-2,"reason":"盘亏"}"#).status == 201)
            #expect(try lowAlerts() == 0)
            let low = try post(api, f.adminKey, "/v1/stock-movements",
                               #"{"shop_id":"\#(f.shopID)","part_id":"\#(part)","kind":"adjustment","quantity":-1,"reason":"盘亏"}"#)
            #expect((low.json["stock"] as? [String: Any])?["low"] as? Bool == true)
            #expect(try lowAlerts() == 1)
            // Still low: no second alert until it has been restocked above the level.
            #expect(try post(api, f.adminKey, "/v1/stock-movements",
                             #"{"shop_id":"\#(f.shopID)","part_id":"\#(part)","kind":"adjustment","quantity":-1,"reason":"盘亏"}"#).status == 201)
            #expect(try lowAlerts() == 1)
            let events = try EventFeedAPITests().poll(api, f.adminKey, after: nil, count: 1, query: "&type=part.low_stock").events
            #expect((events.first?["data"] as? [String: Any])?["part_number"] as? String == "FLT-1")
            // The worker sends it to the group.
            _ = try NotificationDeliveryTests().sender().run()
            let message = try #require(receivers.received("wecom").first)
            #expect(((message["markdown"] as? [String: Any])?["content"] as? String)?.contains("库存不足：机滤（FLT-1）") == true)
        }
    }
}
