import Foundation
import PitstopTesting
import Testing

/// The knowledge base and the similar cases an order's page shows.
@Suite struct KnowledgeAPITests {
    let dispatch = DispatchAPITests()

    func create(_ api: TestAPI, _ key: String, _ path: String, _ json: String) throws -> String {
        let response = try api.client.send("POST", path, headers: bearer(key), json: json)
        #expect(response.status == 201, "\(path): \(response.text)")
        return try #require(response.json["id"] as? String)
    }

    /// An order for a vehicle of `make` and `model`, reported with `description`.
    func order(_ api: TestAPI, _ f: DispatchAPITests.Fixture, _ description: String, make: String, model: String) throws -> String {
        let plate = "浙A" + String(format: "%05d", Int.random(in: 0..<100_000))
        let vehicle = try create(api, f.adminKey, "/v1/vehicles", #"{"customer_id":"\#(f.customerID)","plate":"\#(plate)","make":"\#(make)","model":"\#(model)"}"#)
        return try create(api, f.adminKey, "/v1/work-orders", """
            {"type_id":"\(f.typeID)","customer_id":"\(f.customerID)","vehicle_id":"\(vehicle)","description":"\(description)","insist":true}
            """)
    }

    /// Takes an order through the repair to completed, with the engineer's report.
    func resolve(_ api: TestAPI, _ f: DispatchAPITests.Fixture, _ id: String, diagnosis: String, work: String) throws {
        let sla = SLAAPITests()
        try sla.move(api, f, id, "assigned", extra: #","assignee_id":"\#(f.engineers["陈师傅"]!)""#)
        try sla.move(api, f, id, "accepted")
        try sla.move(api, f, id, "diagnosing")
        let key = try PoolAndTransferAPITests().engineerKey(api, f, "陈师傅")
        let report = try api.client.send("PUT", "/v1/me/work-orders/\(id)/report", headers: bearer(key),
                                         json: #"{"diagnosis":"\#(diagnosis)","work_performed":"\#(work)"}"#)
        #expect(report.status == 201, "\(report.text)")
        for status in ["repairing", "quality_check", "awaiting_acceptance", "completed"] { try sla.move(api, f, id, status) }
    }

    @Test func anOrderIsShownTheResolvedCasesAndArticlesMostLikeItFromItsOwnTenantOnly() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let a = try dispatch.fixture(api)
        let b = try dispatch.fixture(api)
        let coil = try order(api, a, "发动机抖动，怠速不稳", make: "丰田", model: "卡罗拉")
        try resolve(api, a, coil, diagnosis: "点火线圈老化", work: "更换点火线圈")
        let plugs = try order(api, a, "发动机抖动，加速无力", make: "本田", model: "雅阁")
        try resolve(api, a, plugs, diagnosis: "火花塞积碳", work: "更换火花塞")
        let brakes = try order(api, a, "刹车时有异响", make: "丰田", model: "卡罗拉")
        try resolve(api, a, brakes, diagnosis: "刹车片磨损", work: "更换刹车片")
        let open = try order(api, a, "发动机抖动，怠速不稳", make: "丰田", model: "卡罗拉")
        let coilArticle = try create(api, a.adminKey, "/v1/knowledge-articles", """
            {"title":"点火线圈故障","body":"冷车时发动机抖动明显，多为点火线圈老化。","tags":["点火"],"symptoms":["发动机抖动","怠速不稳"],
             "fits":[{"make":"丰田","model":"卡罗拉"}]}
            """)
        _ = try create(api, a.adminKey, "/v1/knowledge-articles", #"{"title":"刹车片更换","body":"…","symptoms":["刹车异响"]}"#)
        // Tenant B has the very same case and article: A must never see them.
        let foreign = try order(api, b, "发动机抖动，怠速不稳", make: "丰田", model: "卡罗拉")
        try resolve(api, b, foreign, diagnosis: "点火线圈老化", work: "更换点火线圈")
        let foreignArticle = try create(api, b.adminKey, "/v1/knowledge-articles",
                                        #"{"title":"点火线圈故障","body":"同上","symptoms":["发动机抖动","怠速不稳"]}"#)

        let target = try order(api, a, "冷车发动机抖动，怠速不稳", make: "丰田", model: "卡罗拉")
        let found = try api.get("/v1/work-orders/\(target)/suggestions", key: a.adminKey)
        #expect(found.status == 200, "\(found.text)")
        let orders = found.json["orders"] as? [[String: Any]] ?? []
        let ids = orders.compactMap { $0["id"] as? String }
        // The same symptoms on the same make and model first, with what fixed it; the brakes, the
        // open order, the order itself and tenant B's case not at all.
        #expect(ids.first == coil)
        #expect(ids.contains(plugs))
        #expect(!ids.contains(brakes) && !ids.contains(open) && !ids.contains(target) && !ids.contains(foreign))
        #expect(orders.first?["diagnosis"] as? String == "点火线圈老化")
        #expect(orders.first?["work_performed"] as? String == "更换点火线圈")
        let articles = (found.json["articles"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(articles == [coilArticle])
        #expect(!articles.contains(foreignArticle))

        // B's key on A's order is a missing order.
        #expect(try api.get("/v1/work-orders/\(target)/suggestions", key: b.adminKey).status == 404)
    }

    @Test func articlesAreCheckedVersionedAndKeptWithinTheirTenant() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let a = try api.makeTenant()
        let b = try api.makeTenant()
        let bad = try api.client.send("POST", "/v1/knowledge-articles", headers: bearer(a.adminKey), json: """
            {"title":" ","body":"x","tags":["\(String(repeating: "长", count: 101))"],"fits":[{"make":""}]}
            """)
        #expect(bad.status == 422)
        #expect(Set(bad.problemFields) == ["title", "tags[0]", "fits[0].make"])
        #expect(try api.client.send("POST", "/v1/knowledge-articles", headers: bearer(a.adminKey), json: #"{"title":"x"}"#).problemFields == ["body"])

        let id = try create(api, a.adminKey, "/v1/knowledge-articles", #"{"title":"空调不制冷","body":"检查冷媒","tags":["空调"]}"#)
        _ = try create(api, a.adminKey, "/v1/knowledge-articles", #"{"title":"轮胎异常磨损","body":"做四轮定位","tags":["底盘"]}"#)
        let tagged = try api.get("/v1/knowledge-articles?tag=%E7%A9%BA%E8%B0%83", key: a.adminKey).json["items"] as? [[String: Any]] ?? []
        #expect(tagged.compactMap { $0["id"] as? String } == [id])

        let read = try api.get("/v1/knowledge-articles/\(id)", key: a.adminKey)
        let etag = try #require(read.header("ETag"))
        let replaced = try api.client.send("PUT", "/v1/knowledge-articles/\(id)", headers: bearer(a.adminKey, [("If-Match", etag)]),
                                           json: #"{"title":"空调不制冷","body":"先查冷媒，再查压缩机","symptoms":["出风不凉"]}"#)
        #expect(replaced.status == 200 && replaced.json["version"] as? Int == 2, "\(replaced.text)")
        #expect(try api.client.send("PUT", "/v1/knowledge-articles/\(id)", headers: bearer(a.adminKey, [("If-Match", etag)]),
                                    json: #"{"title":"旧","body":""}"#).status == 412)

        // Tenant B: as if it did not exist.
        #expect(try api.get("/v1/knowledge-articles/\(id)", key: b.adminKey).status == 404)
        #expect((try api.get("/v1/knowledge-articles", key: b.adminKey).json["items"] as? [Any])?.isEmpty == true)
        #expect(try api.client.send("DELETE", "/v1/knowledge-articles/\(id)", headers: bearer(b.adminKey)).status == 404)
        let readonly = try api.makeKey(adminKey: a.adminKey, role: .readonly)
        #expect(try api.get("/v1/knowledge-articles/\(id)", key: readonly.secret).status == 200)
        #expect(try api.client.send("DELETE", "/v1/knowledge-articles/\(id)", headers: bearer(readonly.secret)).status == 403)
        #expect(try api.client.send("DELETE", "/v1/knowledge-articles/\(id)", headers: bearer(a.adminKey)).status == 204)
        #expect(try api.get("/v1/knowledge-articles/\(id)", key: a.adminKey).status == 404)
    }
}
