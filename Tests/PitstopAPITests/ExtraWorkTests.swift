import Foundation
import PitstopAPI
import PitstopTesting
import Synchronization
import Testing

/// Extra work (增项) from proposal to answer. The adversaries: a desk that tries to move the
/// order past the work before the customer answered, status changes while the hold stands, a
/// customer answering from a page that is no longer current, two phones answering at once, and
/// an engineer proposing on another's order.
@Suite struct ExtraWorkTests {
    let pages = TrackingPageTests()
    static let form = SigningPageTests.form

    /// An order being repaired under a resolution SLA of eight hours of calendar time.
    func repairing(_ api: TestAPI) throws -> TrackingPageTests.Order {
        try pages.repairing(api) { admin in
            let policy = try api.client.send("POST", "/v1/sla-policies", headers: bearer(admin),
                                             json: #"{"name":"标准","is_default":true,"resolution":{"minutes":480,"business_time":false}}"#)
            #expect(policy.status == 201, "\(policy.text)")
        }
    }

    func propose(_ api: TestAPI, _ o: TrackingPageTests.Order, key: String? = nil, _ json: String) throws -> RawHTTPClient.Response {
        try api.client.send("POST", "/v1/work-orders/\(o.id)/extra-work", headers: bearer(key ?? o.engineerKey), json: json)
    }

    static let brakes = #"{"lines":[{"description":"后刹车片","quantity":2,"unit_price":0.29},{"description":"刹车油","quantity":1,"unit_price":120.5}],"note":"后片仅剩 2 毫米"}"#

    func resolution(_ api: TestAPI, _ o: TrackingPageTests.Order) throws -> (state: String?, due: String?, pauses: [[String: Any]]) {
        let sla = try api.get("/v1/work-orders/\(o.id)/sla", key: o.admin).json
        let clock = (sla["items"] as? [[String: Any]])?.first { $0["target"] as? String == "resolution" }
        return (clock?["state"] as? String, clock?["due_at"] as? String, sla["pauses"] as? [[String: Any]] ?? [])
    }

    @Test func theClockStandsStillUntilTheCustomerAnswersAndTheOrderCannotGoPastTheWork() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let o = try repairing(api)
        let before = try resolution(api, o)
        #expect(before.state == "running" && before.due != nil)
        let proposed = try propose(api, o, Self.brakes)
        #expect(proposed.status == 201, "\(proposed.text)")
        #expect(proposed.json["total"] as? Double == 121.08, "2 × 0.29 + 120.50, to the fen")
        #expect(try resolution(api, o).state == "paused" && resolution(api, o).due == nil)
        // One proposal waits at a time; the work cannot be checked or handed over meanwhile.
        #expect(try propose(api, o, key: o.admin, Self.brakes).status == 409)
        let version = try api.get("/v1/work-orders/\(o.id)", key: o.admin).json["version"] as? Int ?? 0
        let skipped = try api.client.send("POST", "/v1/work-orders/\(o.id)/transitions", headers: bearer(o.engineerKey, [("If-Match", "\"\(version)\"")]),
                                          json: #"{"to":"quality_check"}"#)
        #expect(skipped.status == 409 && skipped.text.contains("customer's answer"), "\(skipped.text)")
        // Waiting for parts and back again ends that status's pause, not the customer's hold.
        for to in ["awaiting_parts", "repairing"] { try pages.step(api, o, to, key: o.engineerKey) }
        let held = try resolution(api, o)
        #expect(held.state == "paused", "\(held)")
        #expect(held.pauses.contains { $0["status"] as? String == "extra_work" && $0["ended_at"] == nil }, "\(held.pauses)")

        // The customer's page shows the lines and the total and answers without script.
        let page = try api.client.send("GET", o.path, headers: TrackingPageTests.html).text
        #expect(page.contains("待确认的增项") && page.contains("后刹车片") && page.contains(#"<b id="extra-total">¥121.08</b>"#), "\(page)")
        let sha256 = try #require(SigningPageTests.hidden("sha256", in: page))
        let id = try #require(proposed.json["id"] as? String)
        let answered = try api.client.send("POST", o.path + "/extra-work/\(id)", headers: Self.form, body: Array("decision=approve&sha256=\(sha256)".utf8))
        #expect(answered.status == 303 && answered.header("Location") == o.path, "\(answered.text)")
        let after = try resolution(api, o)
        #expect(after.state == "running" && after.due != nil, "\(after)")
        #expect(after.pauses.allSatisfy { $0["ended_at"] != nil })
        let later = try api.client.send("GET", o.path, headers: TrackingPageTests.html).text
        #expect(later.contains("增项记录") && later.contains("您已同意") && !later.contains("同意增项</button>"))
        try pages.step(api, o, "quality_check", key: o.engineerKey)

        let timeline = try api.get("/v1/work-orders/\(o.id)/timeline", key: o.admin).json["items"] as? [[String: Any]] ?? []
        let notes = timeline.filter { ($0["kind"] as? String)?.hasPrefix("extra_work") == true }.compactMap { $0["note"] as? String }
        #expect(notes.count == 2 && notes[1].contains("customer approved") && notes[1].contains(String(sha256.prefix(12))), "\(notes)")
        let listed = try api.get("/v1/work-orders/\(o.id)/extra-work", key: o.admin).json["items"] as? [[String: Any]]
        #expect(listed?.map { $0["state"] as? String } == ["approved"])
    }

    @Test func anAnswerToAnOldPageIsRefusedAndTwoPhonesAnsweringAtOnceAreHeardOnce() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let o = try repairing(api)
        let first = try propose(api, o, Self.brakes)
        let firstPage = try api.client.send("GET", o.path, headers: TrackingPageTests.html).text
        let oldHash = try #require(SigningPageTests.hidden("sha256", in: firstPage))
        // The desk withdraws it and proposes again: the old page's answer names the old proposal.
        let withdrawn = try api.client.send("POST", "/v1/work-orders/\(o.id)/extra-work/\(first.json["id"] as? String ?? "")/withdraw", headers: bearer(o.admin))
        #expect(withdrawn.status == 200 && withdrawn.json["state"] as? String == "withdrawn")
        let second = try propose(api, o, key: o.admin, #"{"lines":[{"description":"后刹车片","quantity":2,"unit_price":0.3}]}"#)
        let id = try #require(second.json["id"] as? String)
        let stale = try api.client.send("POST", o.path + "/extra-work/\(id)", headers: Self.form, body: Array("decision=approve&sha256=\(oldHash)".utf8))
        #expect(stale.status == 409 && stale.text.contains("增项内容已更新"), "\(stale.text)")
        let undecided = try api.client.send("POST", o.path + "/extra-work/\(id)", headers: Self.form, body: Array("sha256=\(oldHash)".utf8))
        #expect(undecided.status == 422 && undecided.text.contains(#"id="decision-error">请选择同意或不同意"#))

        // Two phones, one says yes and one says no, at the same moment: one answer stands.
        let hash = try #require(second.json["sha256"] as? String)
        let statuses = Mutex<[String: Int]>([:])
        let port = api.server.port, path = o.path
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let decision = index == 0 ? "approve" : "decline"
            let client = RawHTTPClient(port: port)
            let status = (try? client.send("POST", path + "/extra-work/\(id)", headers: Self.form, body: Array("decision=\(decision)&sha256=\(hash)".utf8)))?.status ?? 0
            statuses.withLock { $0[decision] = status }
        }
        let answered = statuses.withLock { $0 }
        #expect(answered.values.sorted() == [303, 409], "\(answered)")
        let state = try api.get("/v1/work-orders/\(o.id)/extra-work", key: o.admin).json["items"] as? [[String: Any]]
        let winner = answered.first { $0.value == 303 }?.key == "approve" ? "approved" : "declined"
        #expect(state?.map { $0["state"] as? String } == ["withdrawn", winner])
        let notes = (try api.get("/v1/work-orders/\(o.id)/timeline", key: o.admin).json["items"] as? [[String: Any]] ?? [])
            .filter { $0["kind"] as? String == "extra_work_answered" }
        #expect(notes.count == 2, "a withdrawal and one answer: \(notes)")
    }

    @Test func badProposalsAreNamedByFieldAndOnlyTheWorkItselfTakesThem() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let o = try repairing(api)
        let bad = try propose(api, o, #"{"lines":[{"description":" ","quantity":0,"unit_price":-1},{"description":"x","quantity":1,"unit_price":0.001}]}"#)
        #expect(bad.status == 422 && Set(bad.problemFields) == ["lines[0].description", "lines[0].quantity", "lines[0].unit_price", "lines[1].unit_price"],
                "\(bad.text)")
        #expect(try propose(api, o, #"{"lines":[]}"#).problemFields == ["lines"])
        let unknown = try propose(api, o, #"{"lines":[{"description":"x","quantity":1,"unit_price":1,"price":1}]}"#)
        #expect(unknown.status == 400 && unknown.problemFields == ["lines[0].price"], "\(unknown.text)")
        // Another engineer of the chain cannot propose on this order.
        let other = try #require(try api.client.send("POST", "/v1/engineers", headers: bearer(o.admin), json: #"{"name":"周师傅","status":"available"}"#)
            .json["id"] as? String)
        let otherKey = try #require(try api.client.send("POST", "/v1/api-keys", headers: bearer(o.admin),
                                                        json: #"{"name":"周","role":"engineer","engineer_id":"\#(other)"}"#).json["secret"] as? String)
        #expect(try propose(api, o, key: otherKey, Self.brakes).status == 404)
        // Nothing was written by any of them.
        #expect((try api.get("/v1/work-orders/\(o.id)/extra-work", key: o.admin).json["items"] as? [Any])?.isEmpty == true)
        // A cancelled order takes its waiting proposal with it, and the order is not held.
        #expect(try propose(api, o, Self.brakes).status == 201)
        try pages.step(api, o, "cancelled", #","reason":"客户取消""#)
        #expect((try api.get("/v1/work-orders/\(o.id)/extra-work", key: o.admin).json["items"] as? [[String: Any]])?.map { $0["state"] as? String } == ["withdrawn"])
        #expect(try propose(api, o, key: o.admin, Self.brakes).status == 409, "not during the work any more")
    }
}
