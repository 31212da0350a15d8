import Foundation
import PitstopAPI
import PitstopTesting
import Postgres
import Testing

extension SweepingTests {
    /// A customer's erasure request (PIPL) against a customer who is everywhere: reported on
    /// WeChat, wrote again with their phone in the text, was texted, named in an engineer's
    /// notice, signed and rated. Afterwards a search over every text column of every table finds
    /// nothing that names them, and the orders still count.
    @Suite struct CustomerErasureTests {
        let wechat = WeChatIntakeAPITests()
        let messages = NotificationDeliveryTests()
        // The search covers every tenant's rows, so each value is one no other test uses.
        static let phone = "13912340000"
        static let openID = "oEraseMe00000001"
        static let name = "周慕云"
        static let plate = "浙E7Q5K9"

        /// Every place (table.column) in the database where one of `needles` appears as text.
        func mentions(of needles: [String]) throws -> [String] {
            let owner = try Connection(TestDatabase.shared.ownerConfiguration)
            let columns = try owner.query("""
                SELECT table_name, column_name FROM information_schema.columns
                WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')
                ORDER BY table_name, column_name
                """).rows.map { (try $0.decode("table_name", as: String.self), try $0.decode("column_name", as: String.self)) }
            var found: [String] = []
            for (table, column) in columns {
                let hits = try owner.query("""
                    SELECT count(*) AS n FROM \(unsafeRaw: "\"\(table)\"")
                    WHERE EXISTS (SELECT 1 FROM unnest(\(needles)::text[]) needle WHERE strpos(\(unsafeRaw: "\"\(column)\"")::text, needle) > 0)
                    """)[0].decode("n", as: Int.self)
                if hits > 0 { found.append("\(table).\(column) (\(hits))") }
            }
            return found
        }

        @Test func anErasedCustomerIsFoundNowhereAndTheirOrdersStillCount() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let f = try wechat.fixture(api)
            let admin = f.adminKey
            func send(_ method: String, _ path: String, _ json: String, key: String? = nil, headers: [(String, String)] = []) throws -> [String: Any] {
                let answer = try api.client.send(method, path, headers: bearer(key ?? admin, headers), json: json)
                #expect((200..<300).contains(answer.status), "\(method) \(path): \(answer.text)")
                return answer.json
            }
            let sms = try #require(try send("POST", "/v1/notification-channels", """
                {"name":"短信","kind":"aliyun_sms","url":"\(receivers.base)/sms","secret":"\(ProviderReceivers.aliyunSecret)",
                 "settings":{"access_key_id":"LTAI","sign_name":"顺达","template_code":"SMS_1"}}
                """)["id"] as? String)
            _ = try send("PUT", "/v1/customer-messages", #"{"moments":{"received":[{"channel_id":"\#(sms)","variables":{"no":"order"}}]}}"#)
            let engineer = try #require(try send("POST", "/v1/engineers", #"{"name":"吴师傅","phone":"13800000009","status":"available","notify_channel_id":"\#(sms)"}"#)["id"] as? String)
            let customer = try #require(try send("POST", "/v1/customers", """
                {"name":"\(Self.name)","phones":["\(Self.phone)"],"wechat_openid":"\(Self.openID)","email":"zhou@example.com","external_id":"CRM-ERASE-1"}
                """, headers: [("Idempotency-Key", UUID().uuidString)])["id"] as? String)

            // The customer reports on WeChat, with their plate, and writes again with their phone.
            let reported = try api.client.send("POST", wechat.signed(f.path), body: wechat.text("刹车异响，车牌\(Self.plate)", msgID: "28000000000000001", from: Self.openID))
            #expect(reported.status == 200, "\(reported.text)")
            let order = try #require((try api.get("/v1/work-orders?customer_id=\(customer)", key: admin).json["items"] as? [[String: Any]])?.first?["id"] as? String)
            _ = try api.client.send("POST", wechat.signed(f.path), body: wechat.text("我是\(Self.name)，电话\(Self.phone)", msgID: "28000000000000002", from: Self.openID))
            func version() throws -> Int { try api.get("/v1/work-orders/\(order)", key: admin).json["version"] as? Int ?? 0 }
            for (to, extra) in [("assigned", #","assignee_id":"\#(engineer)""#), ("accepted", ""), ("diagnosing", ""), ("repairing", "")] {
                _ = try send("POST", "/v1/work-orders/\(order)/transitions", #"{"to":"\#(to)"\#(extra)}"#, headers: [("If-Match", "\"\(try version())\"")])
            }
            // Extra work whose note names the customer, taken back by the desk.
            let proposal = try #require(try send("POST", "/v1/work-orders/\(order)/extra-work",
                                                 #"{"lines":[{"description":"后刹车片","quantity":1,"unit_price":300}],"note":"\#(Self.name)的后片也磨损"}"#)["id"] as? String)
            _ = try send("POST", "/v1/work-orders/\(order)/extra-work/\(proposal)/withdraw", "{}")
            let engineerKey = try #require(try send("POST", "/v1/api-keys", #"{"name":"吴","role":"engineer","engineer_id":"\#(engineer)"}"#)["secret"] as? String)
            _ = try send("PUT", "/v1/me/work-orders/\(order)/report", #"{"diagnosis":"刹车片磨损","work_performed":"更换刹车片"}"#, key: engineerKey)
            for to in ["quality_check", "awaiting_acceptance"] {
                _ = try send("POST", "/v1/work-orders/\(order)/transitions", #"{"to":"\#(to)"}"#, headers: [("If-Match", "\"\(try version())\"")])
            }
            let token = try #require(try send("POST", "/v1/work-orders/\(order)/acceptance-link", "{}")["token"] as? String)
            let reportVersion = try #require((try api.get("/v1/public/accept/\(token)", key: nil).json["report"] as? [String: Any])?["version"] as? Int)
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
            #expect(try api.client.send("POST", "/v1/public/accept/\(token)", json: """
                {"signer_name":"\(Self.name)","report_version":\(reportVersion),"signature_type":"image/png","signature":"\(Data(png).base64EncodedString())"}
                """).status == 200)
            let tracking = try #require(try send("POST", "/v1/work-orders/\(order)/tracking-link", "{}")["token"] as? String)
            #expect(try api.client.send("POST", "/v1/public/track/\(tracking)/rating", json: #"{"score":5,"comment":"\#(Self.name)很满意"}"#).status == 204)
            #expect(try messages.sender().run().delivered >= 2, "the customer was texted and the engineer told, naming them")

            let needles = [Self.phone, Self.openID, Self.name, Self.plate, "zhou@example.com", "CRM-ERASE-1"]
            #expect(try mentions(of: needles).count > 5, "the customer is everywhere before the erasure")
            let export = try api.get("/v1/customers/\(customer)/export", key: admin)
            #expect(export.status == 200 && export.text.contains(Self.phone) && export.text.contains("很满意"), "\(export.text.prefix(300))")
            let exported = try #require((export.json["work_orders"] as? [[String: Any]])?.first)
            let asked = (exported["extra_work"] as? [[String: Any]])?.first
            #expect(asked?["state"] as? String == "withdrawn" && (asked?["note"] as? String)?.contains("后片也磨损") == true,
                    "the extra work put to them is theirs to see: \(exported)")
            #expect(asked?["proposed_by"] == nil, "as the customer sees it, without staff ids")

            let dispatcher = try api.makeKey(adminKey: admin, role: .dispatcher)
            #expect(try api.client.send("POST", "/v1/customers/\(customer)/erase", headers: bearer(dispatcher.secret)).status == 403)
            let erased = try api.client.send("POST", "/v1/customers/\(customer)/erase", headers: bearer(admin))
            #expect(erased.status == 200, "\(erased.text)")
            #expect(erased.json["erased_at"] is String && (erased.json["phones"] as? [String])?.isEmpty == true)

            let left = try mentions(of: needles)
            #expect(left.isEmpty, "still found after the erasure: \(left)")
            let again = try api.client.send("POST", "/v1/customers/\(customer)/erase", headers: bearer(admin))
            #expect(again.status == 200 && again.json["erased_at"] as? String == erased.json["erased_at"] as? String, "erasing twice changes nothing")
            // The order stays, done, counted; only what said who the customer was is gone.
            let kept = try api.get("/v1/work-orders/\(order)", key: admin)
            #expect(kept.json["status"] as? String == "completed" && kept.json["description"] as? String == "（已删除）", "\(kept.text)")
            #expect((try api.get("/v1/work-orders?customer_id=\(customer)", key: admin).json["items"] as? [Any])?.count == 1)
            let after = try api.get("/v1/customers/\(customer)/export", key: admin)
            #expect(after.status == 200 && !after.text.contains(Self.phone) && !after.text.contains(Self.name))
        }

        @Test func anotherChainCanNeitherExportNorEraseACustomerNorSeeTheMessagePolicy() throws {
            let api = try TestAPI()
            defer { api.stop() }
            let a = try api.makeTenant(name: "甲连锁")
            let b = try api.makeTenant(name: "乙连锁")
            let customer = try api.client.send("POST", "/v1/customers", headers: bearer(a.adminKey), json: #"{"name":"甲的客户","phones":["13700007777"]}"#)
            let id = try #require(customer.json["id"] as? String)
            let sms = try api.client.send("POST", "/v1/notification-channels", headers: bearer(a.adminKey),
                                          json: #"{"name":"网关","kind":"http_sms","url":"https://sms.example.com/send"}"#)
            let set = try api.client.send("PUT", "/v1/customer-messages", headers: bearer(a.adminKey),
                                          json: #"{"moments":{"received":[{"channel_id":"\#(sms.json["id"] as? String ?? "")"}]}}"#)
            #expect(set.status == 200, "\(set.text)")

            #expect(try api.client.send("GET", "/v1/customers/\(id)/export", headers: bearer(b.adminKey)).status == 404)
            #expect(try api.client.send("POST", "/v1/customers/\(id)/erase", headers: bearer(b.adminKey)).status == 404)
            let untouched = try api.get("/v1/customers/\(id)", key: a.adminKey)
            #expect(untouched.json["phones"] as? [String] == ["13700007777"] && untouched.json["erased_at"] == nil)
            let theirs = try api.get("/v1/customer-messages", key: b.adminKey)
            #expect(theirs.json["version"] as? Int == 0 && (theirs.json["moments"] as? [String: Any])?.isEmpty == true, "\(theirs.text)")
        }
    }
}
