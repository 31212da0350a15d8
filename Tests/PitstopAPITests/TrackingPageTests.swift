import Foundation
import PitstopAPI
import PitstopTesting
import Testing

/// The tracking page as a phone without JavaScript gets it: rendered on the server, every value
/// escaped, the engineer coming with an ETA, and a rating form that works as a plain form.
@Suite struct TrackingPageTests {
    static let html = [("Accept", "text/html")]

    struct Order {
        var admin: String
        var id: String
        var path: String
        var engineer: String
        var engineerKey: String
    }

    /// `setUp` runs with the admin key before the order is opened (an SLA policy, say).
    func order(_ api: TestAPI, setUp: (String) throws -> Void = { _ in }) throws -> Order {
        let tenant = try api.makeTenant(name: "顺达汽修")
        let admin = tenant.adminKey
        try setUp(admin)
        func made(_ path: String, _ json: String) throws -> [String: Any] {
            let answer = try api.client.send("POST", path, headers: bearer(admin), json: json)
            #expect(answer.status == 201, "\(path): \(answer.text)")
            return answer.json
        }
        let type = try #require(try made("/v1/work-order-types", #"{"code":"repair","name":"维修"}"#)["id"] as? String)
        let shop = try #require(try made("/v1/shops", #"{"name":"西湖店<b>&","address":"文三路 1 号","phone":"0571-88886666"}"#)["id"] as? String)
        let engineer = try #require(try made("/v1/engineers", #"{"name":"王建国","status":"available"}"#)["id"] as? String)
        let key = try #require(try made("/v1/api-keys", #"{"name":"王","role":"engineer","engineer_id":"\#(engineer)"}"#)["secret"] as? String)
        let opened = try made("/v1/work-orders", """
            {"type_id":"\(type)","shop_id":"\(shop)","description":"<script>alert(1)</script>","site":{"latitude":30.2741,"longitude":120.1551},
             "customer":{"name":"李女士","phones":["13912345678"]}}
            """)
        let link = try #require(opened["tracking_url"] as? String ?? (try made("/v1/work-orders/\(opened["id"] as? String ?? "")/tracking-link", "{}")["url"] as? String))
        let path = String(link[try #require(link.range(of: "/v1/public/track/")).lowerBound...])
        return Order(admin: admin, id: try #require(opened["id"] as? String), path: path, engineer: engineer, engineerKey: key)
    }

    /// An order taken by its engineer and being repaired: assigned, accepted, diagnosed.
    func repairing(_ api: TestAPI, setUp: (String) throws -> Void = { _ in }) throws -> Order {
        let o = try order(api, setUp: setUp)
        try step(api, o, "assigned", #","assignee_id":"\#(o.engineer)","override":true"#)
        #expect(try api.client.send("POST", "/v1/work-orders/\(o.id)/accept", headers: bearer(o.engineerKey)).status == 200)
        for to in ["diagnosing", "repairing"] { try step(api, o, to, key: o.engineerKey) }
        return o
    }

    func step(_ api: TestAPI, _ o: Order, _ to: String, _ extra: String = "", key: String? = nil) throws {
        let version = try api.get("/v1/work-orders/\(o.id)", key: o.admin).json["version"] as? Int ?? 0
        let moved = try api.client.send("POST", "/v1/work-orders/\(o.id)/transitions", headers: bearer(key ?? o.admin, [("If-Match", "\"\(version)\"")]),
                                        json: #"{"to":"\#(to)"\#(extra)}"#)
        #expect(moved.status == 200, "\(to): \(moved.text)")
    }

    @Test func theEngineerOnTheWayIsShownWithAnETAAndNothingTheCustomerWroteCanInjectMarkup() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let o = try order(api)
        try step(api, o, "assigned", #","assignee_id":"\#(o.engineer)","override":true"#)
        #expect(try api.client.send("POST", "/v1/work-orders/\(o.id)/accept", headers: bearer(o.engineerKey)).status == 200)
        // 5 km away (straight line), at 25 km/h: 12 minutes.
        let located = try api.client.send("POST", "/v1/engineers/\(o.engineer)/location", headers: bearer(o.engineerKey),
                                          json: #"{"latitude":30.3190,"longitude":120.1551}"#)
        #expect(located.status == 204 || located.status == 200, "\(located.text)")
        let page = try api.client.send("GET", o.path, headers: Self.html)
        #expect(page.status == 200 && page.header("Content-Type")?.hasPrefix("text/html") == true)
        let text = page.text
        #expect(text.contains("工程师已接单") && text.contains("负责工程师：王师傅") && text.contains("预计 <b>12 分钟</b>后到达"), "\(text)")
        #expect(!text.contains("王建国"), "the customer learns the family name and 师傅, not the engineer's name")
        #expect(text.contains("西湖店&lt;b&gt;&amp;") && !text.contains("<b>&"), "values are escaped")
        #expect(!text.contains("<script"), "the page needs no script")
        #expect(text.contains(#"http-equiv="refresh""#), "the ETA refreshes itself while the engineer is on the way")
        #expect(page.header("Content-Security-Policy")?.contains("form-action 'self'") == true)
    }

    @Test func theRatingFormWorksWithoutScriptAndShowsItsProblemsBesideTheField() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let o = try repairing(api)
        _ = try api.client.send("PUT", "/v1/me/work-orders/\(o.id)/report", headers: bearer(o.engineerKey), json: #"{"diagnosis":"磨损","work_performed":"更换"}"#)
        try step(api, o, "quality_check", key: o.engineerKey)
        try step(api, o, "awaiting_acceptance")
        #expect(try api.client.send("GET", o.path, headers: Self.html).text.contains("签字链接"))
        let early = try api.client.send("POST", o.path + "/rating", json: #"{"score":5}"#)
        #expect(early.status == 409, "not completed yet: \(early.text)")
        try step(api, o, "completed", #","note":"门店当面签字""#)
        let form = try api.client.send("GET", o.path, headers: Self.html).text
        #expect(form.contains(#"<form method="post" action="\#(o.path)/rating""#) && form.contains("提交评价"), "\(form)")

        let badJSON = try api.client.send("POST", o.path + "/rating", json: #"{"score":9,"comment":"\#(String(repeating: "长", count: 1001))"}"#)
        #expect(badJSON.status == 422 && Set(badJSON.problemFields) == ["score", "comment"], "the same rules for the app: \(badJSON.text)")
        let formType = [("Content-Type", "application/x-www-form-urlencoded")]
        let missing = try api.client.send("POST", o.path + "/rating", headers: formType, body: Array("score=9&comment=%E5%A5%BD".utf8))
        #expect(missing.status == 422 && missing.text.contains(#"<p class="error" id="score-error">请选择 1 到 5 星</p>"#), "\(missing.text)")
        let rated = try api.client.send("POST", o.path + "/rating", headers: formType, body: Array("score=5&comment=%E5%B8%88%E5%82%85%E5%BE%88%E4%B8%93%E4%B8%9A".utf8))
        #expect(rated.status == 303 && rated.header("Location") == o.path, "\(rated.status) \(rated.text)")
        #expect(try api.client.send("GET", o.path, headers: Self.html).text.contains("感谢您的评价"))
        let rating = try api.get("/v1/work-orders/\(o.id)", key: o.admin)
        #expect(rating.status == 200)
        // A second post changes nothing; JSON clients still get JSON, and other bodies a 415.
        #expect(try api.client.send("POST", o.path + "/rating", headers: formType, body: Array("score=1".utf8)).status == 409)
        #expect(try api.client.send("POST", o.path + "/rating", headers: [("Content-Type", "text/plain")], body: Array("5".utf8)).status == 415)
    }

    @Test func aWrongExpiredOrUnknownLinkGetsTheSamePage() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let o = try order(api)
        let wrong = String(o.path.dropLast()) + (o.path.hasSuffix("a") ? "b" : "a")
        var seen: Set<String> = []
        for path in [wrong, "/v1/public/track/nonsense", "/v1/public/track/ptr_" + String(repeating: "a", count: 60)] {
            let page = try api.client.send("GET", path, headers: Self.html)
            #expect(page.status == 404)
            seen.insert(page.text)
        }
        #expect(seen.count == 1 && seen.first?.contains("未找到该工单") == true)
    }

    /// Someone scripting the public pages from one address, 100 requests in a burst against an
    /// allowance of 30 a minute: a browser past it gets a page saying how long to wait, an app the
    /// problem, both with Retry-After; a phone at another address is not held up.
    @Test func aBurstFromOneAddressIsToldToWaitInAPageAndOthersAreNot() throws {
        let api = try TestAPI {
            $0.trustedProxies = ["127.0.0.1"]
            $0.publicRequestsPerAddressPerMinute = 30
        }
        defer { api.stop() }
        let o = try order(api)
        let flooder = [("X-Forwarded-For", "198.51.100.7")]
        let answers = try (0..<100).map { _ in try api.client.send("GET", o.path, headers: Self.html + flooder).status }
        #expect(answers.prefix(30).allSatisfy { $0 == 200 } && answers.filter { $0 == 429 }.count >= 65, "30 at once, then about one every 2 s: \(answers)")
        let page = try api.client.send("GET", o.path, headers: Self.html + flooder)
        #expect(page.status == 429 && page.header("Content-Type")?.hasPrefix("text/html") == true && page.text.contains("访问过于频繁"), "\(page.text)")
        let wait = try #require(page.header("Retry-After").flatMap { Int($0) })
        #expect(page.text.contains("请 \((wait + 59) / 60) 分钟后再试"))
        let rating = try api.client.send("POST", o.path + "/rating", headers: SigningPageTests.form + flooder, body: Array("score=5".utf8))
        #expect(rating.status == 429 && rating.text.contains("访问过于频繁"), "a page's form is told in a page too")
        let app = try api.client.send("GET", o.path, headers: flooder)
        #expect(app.status == 429 && app.header("Content-Type")?.hasPrefix("application/problem+json") == true)
        #expect(try api.client.send("GET", o.path, headers: Self.html + [("X-Forwarded-For", "203.0.113.20")]).status == 200)
    }
}
