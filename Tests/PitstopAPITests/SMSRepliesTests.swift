import Foundation
import PitstopAPI
import PitstopTesting
import Testing

/// Customers' replies to the chain's texts, pushed as the providers push them: Aliyun's SmsUp
/// batches (hundreds of replies in one call, masked and foreign numbers among them, the same
/// number twice) and Tencent's one reply a call. The adversaries: a forged or replaced URL, a URL
/// of one chain carried to another, and a body of the wrong shape.
@Suite struct SMSRepliesTests {
    struct Chain {
        var admin: String
        var aliyun: String
        var tencent: String
    }

    func chain(_ api: TestAPI) throws -> Chain {
        let admin = try api.makeTenant(name: "顺达汽修").adminKey
        func channel(_ json: String) throws -> String {
            let made = try api.client.send("POST", "/v1/notification-channels", headers: bearer(admin), json: json)
            return try #require(made.json["id"] as? String, "\(made.text)")
        }
        let aliyun = try channel("""
            {"name":"阿里云短信","kind":"aliyun_sms","url":"https://dysmsapi.aliyuncs.com/","secret":"s3cret",
             "settings":{"access_key_id":"LTAI5t","sign_name":"顺达汽修","template_code":"SMS_100"}}
            """)
        let tencent = try channel("""
            {"name":"腾讯云短信","kind":"tencent_sms","url":"https://sms.tencentcloudapi.com/","secret":"s3cret",
             "settings":{"access_key_id":"AKIDexample","sdk_app_id":"1400000000","sign_name":"顺达汽修","template_code":"1110"}}
            """)
        return Chain(admin: admin, aliyun: aliyun, tencent: tencent)
    }

    func replyPath(_ api: TestAPI, _ admin: String, _ channel: String) throws -> String {
        let made = try api.client.send("POST", "/v1/notification-channels/\(channel)/reply-url", headers: bearer(admin))
        #expect(made.status == 201, "\(made.text)")
        let url = try #require(made.json["url"] as? String)
        return String(url[try #require(url.range(of: "/v1/public/")).lowerBound...])
    }

    func customer(_ api: TestAPI, _ admin: String, _ phone: String) throws -> String {
        let made = try api.client.send("POST", "/v1/customers", headers: bearer(admin), json: #"{"name":"客户\#(phone.suffix(4))","phones":["\#(phone)"]}"#)
        return try #require(made.json["id"] as? String, "\(made.text)")
    }

    func optedOut(_ api: TestAPI, _ admin: String, _ id: String) throws -> Bool {
        try api.get("/v1/customers/\(id)", key: admin).json["sms_opted_out_at"] != nil
    }

    @Test func anAliyunBatchOfFiveHundredRepliesOptsOutExactlyTheNumbersThatSaidStop() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let c = try chain(api)
        let path = try replyPath(api, c.admin, c.aliyun)
        // 200 customers; the first 60 reply with a stop word (some twice, some with +86), the
        // next 60 reply with something else; 100 replies come from masked or foreign numbers.
        let phones = (0..<200).map { "139" + String(format: "%08d", $0) }
        let ids = try phones.map { try customer(api, c.admin, $0) }
        let words = ["TD", " td ", "退订", "T", "R。", "拒收"]
        var replies: [[String: Any]] = []
        for index in 0..<60 {
            replies.append(["phone_number": index % 3 == 0 ? "+86" + phones[index] : phones[index], "content": words[index % words.count]])
            if index % 2 == 0 { replies.append(["phone_number": phones[index], "content": "TD"]) }
        }
        for index in 60..<120 { replies.append(["phone_number": phones[index], "content": ["谢谢", "什么时候好", "TD一下是什么"][index % 3]]) }
        for index in 0..<100 { replies.append(["phone_number": index % 2 == 0 ? "1381111****" : "85291234567", "content": "TD"]) }
        for (index, var reply) in replies.enumerated() {
            reply["send_time"] = "2026-12-03 20:15:00"
            reply["dest_code"] = "1234"
            reply["sequence_id"] = 1_000_000 + index
            replies[index] = reply
        }
        let body = try JSONSerialization.data(withJSONObject: replies)
        #expect(replies.count >= 250)
        let pushed = try api.client.send("POST", path, headers: [("Content-Type", "application/json")], body: Array(body))
        #expect(pushed.status == 200 && pushed.json["code"] as? Int == 0, "Aliyun reads only a numeric code: \(pushed.text)")
        let stopped = try ids.enumerated().filter { try optedOut(api, c.admin, $0.element) }.map(\.offset)
        #expect(stopped == Array(0..<60), "\(stopped)")
        // Pushed again (Aliyun retries on a timeout): nothing changes, the opt-out keeps its time.
        let first = try api.get("/v1/customers/\(ids[0])", key: c.admin).json
        #expect(try api.client.send("POST", path, headers: [("Content-Type", "application/json")], body: Array(body)).status == 200)
        let again = try api.get("/v1/customers/\(ids[0])", key: c.admin).json
        #expect(again["sms_opted_out_at"] as? String == first["sms_opted_out_at"] as? String && again["version"] as? Int == first["version"] as? Int)
    }

    @Test func tencentsReplyOptsOutAMainlandNumberAndIsAnsweredInItsOwnForm() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let c = try chain(api)
        let path = try replyPath(api, c.admin, c.tencent)
        // Two records of one number (a person who reported twice under two names) both stop.
        let twice = [try customer(api, c.admin, "13912345678"), try customer(api, c.admin, "13912345678")]
        let abroad = try customer(api, c.admin, "13987654321")
        func push(_ json: String) throws -> RawHTTPClient.Response {
            try api.client.send("POST", path, headers: [("Content-Type", "application/json")], json: json)
        }
        let answer = try push(#"{"extend":"","mobile":"13912345678","nationcode":"86","sign":"顺达汽修","text":"T","time":1764792000}"#)
        #expect(answer.status == 200 && answer.json["result"] as? Int == 0 && answer.json["errmsg"] as? String == "OK", "\(answer.text)")
        #expect(try twice.allSatisfy { try optedOut(api, c.admin, $0) })
        // The same digits from Hong Kong's code are not this customer.
        #expect(try push(#"{"extend":"","mobile":"13987654321","nationcode":"852","sign":"顺达汽修","text":"TD","time":1764792000}"#).status == 200)
        #expect(try !optedOut(api, c.admin, abroad))
        // Aliyun's shape at Tencent's URL is not what Tencent sends.
        let wrong = try push(#"[{"phone_number":"13987654321","content":"TD"}]"#)
        #expect(wrong.status == 400, "\(wrong.text)")
        #expect(try !optedOut(api, c.admin, abroad))
    }

    @Test func aForgedReplacedOrForeignReplyURLChangesNothing() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let c = try chain(api)
        let other = try chain(api)
        let old = try replyPath(api, c.admin, c.aliyun)
        let current = try replyPath(api, c.admin, c.aliyun)
        let id = try customer(api, c.admin, "13912345678")
        let td = Array(#"[{"phone_number":"13912345678","content":"TD"}]"#.utf8)
        // The secret of one chain under another's tenant part, a guessed secret, the replaced URL.
        let theirs = try replyPath(api, other.admin, other.aliyun)
        let carried = theirs.split(separator: "_").dropLast().joined(separator: "_") + "_" + (current.split(separator: "_").last ?? "")
        let guessed = current.split(separator: "_").dropLast().joined(separator: "_") + "_" + String(repeating: "a", count: 32)
        for path in [old, carried, guessed, "/v1/public/sms-replies/psr_x"] {
            #expect(try api.client.send("POST", path, headers: [("Content-Type", "application/json")], body: td).status == 404, "\(path)")
        }
        #expect(try !optedOut(api, c.admin, id))
        #expect(try api.client.send("POST", current, headers: [("Content-Type", "application/json")], body: td).status == 200)
        #expect(try optedOut(api, c.admin, id))
        // A robot channel has no replies to receive.
        let robot = try api.client.send("POST", "/v1/notification-channels", headers: bearer(c.admin),
                                        json: #"{"name":"群","kind":"wecom","url":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"}"#)
        let robotID = try #require(robot.json["id"] as? String, "\(robot.text)")
        #expect(try api.client.send("POST", "/v1/notification-channels/\(robotID)/reply-url", headers: bearer(c.admin)).status == 409)
    }
}
