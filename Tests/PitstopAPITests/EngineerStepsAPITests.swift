import Foundation
import PitstopCore
import PitstopTesting
import Testing

/// The engineer runs the job from the phone: their own steps with their own key, everyone
/// else told who may, and their duty status respected by dispatch.
@Suite struct EngineerStepsAPITests {
    let dispatch = DispatchAPITests()
    let pool = PoolAndTransferAPITests()
    let mobile = MobileAPITests()

    /// `key` asks for `to` on the order at its current version; the answer.
    func step(_ api: TestAPI, _ id: String, _ to: String, key: String, admin: String) throws -> RawHTTPClient.Response {
        let version = try api.get("/v1/work-orders/\(id)", key: admin).json["version"] as? Int ?? 0
        return try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(key, [("If-Match", "\"\(version)\"")]),
                                   json: #"{"to":"\#(to)"}"#)
    }

    /// Every other key (an inspector, an integration, a dashboard) trying the assigned engineer's
    /// steps is refused with a 403 that names who may, another engineer's with a 404, and the
    /// order is not touched; the assigned engineer then takes it from accepted to the quality check with no
    /// desk key, and only an inspector's key passes the check.
    @Test func theAssignedEngineerMakesTheirStepsAndEveryOtherKeyIsToldWhoMay() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let (id, chen) = try mobile.assignedToChen(api, f)
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/accept", headers: bearer(chen)).status == 200)
        let li = try pool.engineerKey(api, f, "李师傅")
        let inspector = try api.makeKey(adminKey: f.adminKey, role: .inspector).secret
        let integration = try api.makeKey(adminKey: f.adminKey, role: .integration).secret
        let readonly = try api.makeKey(adminKey: f.adminKey, role: .readonly).secret
        let before = try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["version"] as? Int

        // Another engineer does not even see it.
        #expect(try step(api, id, "diagnosing", key: li, admin: f.adminKey).status == 404)
        for (key, actsAs) in [(inspector, "an inspector key"), (integration, "an integration key"), (readonly, "a read-only key")] {
            let refused = try step(api, id, "diagnosing", key: key, admin: f.adminKey)
            #expect(refused.status == 403, "\(refused.text)")
            #expect(refused.json["detail"] as? String == "only a dispatcher or admin key or the assigned engineer may move an accepted order "
                + "to diagnosing; you act as \(actsAs)")
            #expect(refused.problemFields == ["to"])
        }
        // The engineer's own key: a step the state does not allow names the allowed ones; one
        // that is the desk's names the desk.
        let skipping = try step(api, id, "completed", key: chen, admin: f.adminKey)
        #expect(skipping.status == 409)
        #expect((skipping.json["detail"] as? String)?.hasSuffix("allowed next: cancelled, diagnosing") == true, "\(skipping.text)")
        let cancelling = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(chen, [("If-Match", "\"\(before ?? 0)\"")]),
                                             json: #"{"to":"cancelled","reason":"客户不修了"}"#)
        #expect(cancelling.status == 403)
        #expect((cancelling.json["detail"] as? String)?.hasPrefix("only a dispatcher or admin key may") == true, "\(cancelling.text)")
        #expect(try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["version"] as? Int == before, "a refused step changed the order")

        for to in ["diagnosing", "repairing", "awaiting_parts", "repairing"] {
            let moved = try step(api, id, to, key: chen, admin: f.adminKey)
            #expect(moved.status == 200, "\(to): \(moved.text)")
            #expect(moved.json["status"] as? String == to)
        }
        let report = #"{"diagnosis":"点火线圈老化","work_performed":"更换 3 缸点火线圈"}"#
        #expect(try api.client.send("PUT", "/v1/me/work-orders/\(id)/report", headers: bearer(chen), json: report).status == 201)
        #expect(try step(api, id, "quality_check", key: chen, admin: f.adminKey).status == 200)

        // Nobody inspects their own work.
        let selfInspected = try step(api, id, "awaiting_acceptance", key: chen, admin: f.adminKey)
        #expect(selfInspected.status == 403)
        #expect((selfInspected.json["detail"] as? String)?.contains("an inspector key") == true, "\(selfInspected.text)")
        let version = try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["version"] as? Int ?? 0
        let check = #"{"inspector":"质检员周","results":[{"item":"试车","passed":true}]}"#
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/quality-check", headers: bearer(chen, [("If-Match", "\"\(version)\"")]),
                                    json: check).status == 403)
        let passed = try api.client.send("POST", "/v1/work-orders/\(id)/quality-check", headers: bearer(inspector, [("If-Match", "\"\(version)\"")]),
                                         json: check)
        #expect(passed.status == 200, "\(passed.text)")
        #expect((passed.json["work_order"] as? [String: Any])?["status"] as? String == "awaiting_acceptance")
        // Signing is the customer's: an inspector cannot complete the order for them.
        let completing = try step(api, id, "completed", key: inspector, admin: f.adminKey)
        #expect(completing.status == 403)
        #expect((completing.json["detail"] as? String)?.contains("the customer, by signing") == true, "\(completing.text)")

        // The timeline names the engineer's key on their steps.
        let chenKeyID = try #require(try api.get("/v1/api-keys", key: f.adminKey).json["items"] as? [[String: Any]])
            .first { $0["engineer_id"] as? String == f.engineers["陈师傅"] }?["id"] as? String
        let timeline = try api.get("/v1/work-orders/\(id)/timeline", key: f.adminKey).json["items"] as? [[String: Any]] ?? []
        let byChen = timeline.filter { $0["kind"] as? String == "status_changed" && $0["actor_key_id"] as? String == chenKeyID }
        #expect(byChen.compactMap { $0["to_status"] as? String }
            == ["accepted", "diagnosing", "repairing", "awaiting_parts", "repairing", "quality_check"])
    }

    /// Choosing whom an order goes to is the desk's: an engineer key cannot assign a pooled order
    /// it sees, not even to themselves (they claim it instead).
    @Test func anEngineerCannotAssignAnOrder() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let chen = try pool.engineerKey(api, f, "陈师傅")
        let id = try dispatch.order(api, f)
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/pool", headers: bearer(f.adminKey, [("If-Match", "\"1\"")])).status == 200)
        let picked = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(chen, [("If-Match", "\"2\"")]),
                                         json: #"{"to":"assigned","assignee_id":"\#(f.engineers["陈师傅"]!)"}"#)
        #expect(picked.status == 403, "\(picked.text)")
        #expect((picked.json["detail"] as? String)?.hasPrefix("only a dispatcher or admin key may move a new order to assigned") == true)
        #expect(try api.get("/v1/work-orders/\(id)", key: f.adminKey).json["status"] as? String == "new")
    }

    /// An engineer on a break is out of dispatch: the ranking leaves them out, a desk's pick
    /// names the rule (overridable), and back on duty they are offered work again.
    @Test func anEngineerOnABreakIsNotOfferedWork() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let chen = try pool.engineerKey(api, f, "陈师傅")
        let onBreak = try api.client.send("PUT", "/v1/me/duty", headers: bearer(chen), json: #"{"status":"on_break"}"#)
        #expect(onBreak.status == 200, "\(onBreak.text)")
        #expect(onBreak.json["status"] as? String == "on_break")
        let id = try dispatch.order(api, f)
        let pick = try api.client.send("POST", "/v1/work-orders/\(id)/dispatch", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                       json: #"{"engineer_id":"\#(f.engineers["陈师傅"]!)"}"#)
        #expect(pick.status == 409, "\(pick.text)")
        #expect((pick.json["detail"] as? String)?.contains("on_break") == true)
        let candidates = try api.get("/v1/work-orders/\(id)/candidates", key: f.adminKey)
        let ranked = (candidates.json["candidates"] as? [[String: Any]] ?? []).compactMap { $0["engineer_id"] as? String }
        #expect(!ranked.contains(f.engineers["陈师傅"]!), "\(candidates.text)")

        let back = try api.client.send("PUT", "/v1/me/duty", headers: bearer(chen, [("If-Match", "\"\(onBreak.json["version"] as? Int ?? 0)\"")]),
                                       json: #"{"status":"available"}"#)
        #expect(back.status == 200, "\(back.text)")
        let again = try api.get("/v1/work-orders/\(id)/candidates", key: f.adminKey)
        #expect((again.json["candidates"] as? [[String: Any]] ?? []).contains { $0["engineer_id"] as? String == f.engineers["陈师傅"] }, "\(again.text)")

        // A stale version, an unknown status and a desk key are each refused, and nothing changes.
        let stale = try api.client.send("PUT", "/v1/me/duty", headers: bearer(chen, [("If-Match", "\"1\"")]), json: #"{"status":"off_duty"}"#)
        #expect(stale.status == 412)
        let lunch = try api.client.send("PUT", "/v1/me/duty", headers: bearer(chen), json: #"{"status":"lunch"}"#)
        #expect(lunch.status == 422)
        #expect(lunch.problemFields == ["status"])
        #expect(try api.client.send("PUT", "/v1/me/duty", headers: bearer(f.adminKey), json: #"{"status":"off_duty"}"#).status == 403)
        #expect(try api.get("/v1/engineers/\(f.engineers["陈师傅"]!)", key: f.adminKey).json["status"] as? String == "available")
    }
}
