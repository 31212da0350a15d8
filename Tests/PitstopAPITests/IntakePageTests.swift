import Foundation
import PitstopTesting
import Synchronization
import Testing

/// The report page a QR code opens, as a phone without JavaScript uses it: a plain form whose
/// problems come back in Chinese beside each field with what was typed, a double tap on a slow
/// network that must not make two orders, a link deleted or forged, a form too large to be typing, and a form posted too often.
@Suite struct IntakePageTests {
    let intake = PublicIntakeAPITests()

    static func encoded(_ fields: [(String, String)]) -> [UInt8] {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._")
        return Array(fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: safe)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: safe)!)" }
            .joined(separator: "&").utf8)
    }

    func post(_ api: TestAPI, _ path: String, _ fields: [(String, String)]) throws -> RawHTTPClient.Response {
        try api.client.send("POST", path, headers: SigningPageTests.form, body: Self.encoded(fields))
    }

    func orders(_ api: TestAPI, _ f: PublicIntakeAPITests.Fixture) throws -> [[String: Any]] {
        try api.client.send("GET", "/v1/work-orders?channel=qr", headers: bearer(f.adminKey)).json["items"] as? [[String: Any]] ?? []
    }

    @Test func aPhoneWithoutScriptReportsThroughThePlainFormFixesWhatItSaysAndLandsOnTheTrackingPage() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try intake.fixture(api)
        let (_, token) = try intake.link(api, f)
        let path = "/v1/public/intake/\(token)"

        let page = try api.client.send("GET", path, headers: SigningPageTests.html)
        #expect(page.status == 200 && page.header("Content-Type")?.hasPrefix("text/html") == true)
        for shown in ["扫码维修连锁 · 故障检测", "西湖店 · 杭州市西湖区文三路 1 号", "里程（选填）", "车牌号（选填）", "提交报修"] {
            #expect(page.text.contains(shown), "the page shows \(shown)")
        }
        #expect(!page.text.contains("<script"), "nothing on this page needs script")
        let key = try #require(SigningPageTests.hidden("request_key", in: page.text))

        // Everything wrong at once: each problem beside its field, in Chinese, with what was typed kept.
        let bad = try post(api, path, [("request_key", key), ("name", " "), ("phone", "12345"), ("plate", "ABC"), ("description", ""),
                                      ("f.mileage", "-5")])
        #expect(bad.status == 422)
        for (field, words) in [("name", "请填写您的称呼"), ("phone", "请填写 11 位手机号"), ("plate", "车牌号无法识别"),
                               ("description", "请简单描述哪里出了问题"), ("custom_fields.mileage", "「里程」请填写整数，不小于 0")] {
            #expect(bad.text.contains(#"id="\#(field)-error">\#(words)"#), "\(field) is named beside its input: \(bad.text)")
        }
        #expect(bad.text.contains(#"value="12345""#) && bad.text.contains(#"value="-5""#), "what was typed stays")
        #expect(SigningPageTests.hidden("request_key", in: bad.text) == key, "the page shown again sends the same report")
        let unreadable = try post(api, path, [("request_key", key), ("name", #"李女士"><b>x</b>"#), ("phone", "13900139000"), ("description", "异响"),
                                             ("f.mileage", "五万")])
        #expect(unreadable.status == 422 && unreadable.text.contains(#"id="custom_fields.mileage-error">「里程」请填写整数"#), "\(unreadable.text)")
        #expect(unreadable.text.contains(#"value="李女士&quot;&gt;&lt;b&gt;x&lt;/b&gt;""#) && !unreadable.text.contains("<b>x"),
                "what was typed comes back as text, never as markup")
        #expect(try orders(api, f).isEmpty, "a refused form writes nothing")

        // Typed on a Chinese keyboard in full-width mode, as far as the fields go.
        let fixed: [(String, String)] = [("request_key", key), ("name", "李女士"), ("phone", "１３９　００１３　９０００"), ("plate", "浙B·D12345"),
                                         ("description", "发动机故障灯亮 & <怠速抖动>"), ("f.mileage", "５２０００")]
        let sent = try post(api, path, fixed)
        #expect(sent.status == 303, "\(sent.text)")
        let tracking = try #require(sent.header("Location"))
        #expect(tracking.hasPrefix("/v1/public/track/ptr_"))
        let listed = try orders(api, f)
        #expect(listed.count == 1)
        let number = try #require(listed.first?["number"] as? String)
        #expect(listed.first?["description"] as? String == "发动机故障灯亮 & <怠速抖动>")
        #expect((listed.first?["custom_fields"] as? [String: Any])?["mileage"] as? Int == 52000)
        let followed = try api.client.send("GET", tracking, headers: SigningPageTests.html)
        #expect(followed.status == 200 && followed.text.contains("工单 \(number)") && followed.text.contains("已受理"), "\(followed.text)")

        // A second tap while the first was on its way: the same order, a fresh link to it.
        let again = try post(api, path, fixed)
        #expect(again.status == 303 && again.header("Location") != tracking)
        #expect(try api.client.send("GET", try #require(again.header("Location"))).json["number"] as? String == number)
        #expect(try orders(api, f).count == 1)
        // The page brought back with the browser's back button, changed and sent again under its
        // old key: a report of its own (joining the same car's open order), not a refusal.
        let changed = try post(api, path, fixed.map { $0.0 == "description" ? ($0.0, "又亮了一次故障灯") : $0 })
        #expect(changed.status == 303, "\(changed.text)")
        #expect(try api.client.send("GET", try #require(changed.header("Location"))).json["number"] as? String == number)
        let joined = try api.client.send("GET", "/v1/work-orders/\(listed.first?["id"] as? String ?? "")/timeline", headers: bearer(f.adminKey))
        #expect(joined.text.contains("又亮了一次故障灯"), "the second report is on the order's timeline: \(joined.text)")
        // Four taps landing at the same moment from a page shown again: still the one order.
        let fresh = try #require(SigningPageTests.hidden("request_key", in: try api.client.send("GET", path, headers: SigningPageTests.html).text))
        let taps = Mutex<[Int]>([])
        let port = api.server.port
        let body = Self.encoded([("request_key", fresh), ("name", "赵先生"), ("phone", "13500135000"), ("description", "空调不制冷")])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let status = (try? RawHTTPClient(port: port).send("POST", path, headers: SigningPageTests.form, body: body))?.status ?? 0
            taps.withLock { $0.append(status) }
        }
        #expect(taps.withLock { $0 } == [303, 303, 303, 303])
        let tapped = try #require(try orders(api, f).first { $0["number"] as? String != number })
        #expect(try orders(api, f).count == 2, "one order for the four taps")
        // A report joining an open order adds to its timeline; a replayed tap adds nothing.
        let timeline = try api.client.send("GET", "/v1/work-orders/\(tapped["id"] as? String ?? "")/timeline", headers: bearer(f.adminKey))
        #expect((timeline.json["items"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["created"], "\(timeline.text)")
        // A page sent with no key, or one no page makes, still reports (a customer's form is never refused for it).
        #expect(try post(api, path, [("request_key", "\u{7}")] + fixed.dropFirst()).status == 303)
        let huge = try post(api, path, [("request_key", key), ("description", String(repeating: "长", count: 6000))])
        #expect(huge.status == 413 && huge.text.contains("填写的内容过长"), "\(huge.text)")
        // A body that is neither the form nor JSON is named, not guessed at.
        #expect(try api.client.send("POST", path, headers: [("Content-Type", "text/plain")], body: Array("hi".utf8)).status == 415)
    }

    @Test func everyKindOfCustomFieldIsAskedAndReadAsTheTemplateSays() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try intake.fixture(api)
        let type = try api.client.send("POST", "/v1/work-order-types", headers: bearer(f.adminKey), json: #"""
            {"code":"tyres","name":"轮胎更换","template":{"fields":[
              {"key":"position","label":"位置","kind":"single_select","required":true,"options":["左前","右前","<后轮>"]},
              {"key":"extras","label":"附加服务","kind":"multi_select","required":false,"options":["动平衡","四轮定位"]},
              {"key":"towing","label":"需要拖车","kind":"boolean","required":false},
              {"key":"since","label":"发现日期","kind":"date","required":false},
              {"key":"pressure","label":"胎压","kind":"number","required":false,"minimum":1.5,"maximum":3.5},
              {"key":"brand","label":"轮胎品牌","kind":"text","required":false,"min_length":2,"max_length":20},
              {"key":"photo","label":"轮胎照片","kind":"photo","required":false}]}}
            """#)
        let typeID = try #require(type.json["id"] as? String, "\(type.text)")
        let link = try api.client.send("POST", "/v1/intake-links", headers: bearer(f.adminKey),
                                       json: #"{"name":"轮胎","channel":"qr","type_id":"\#(typeID)","shop_id":"\#(f.shopID)"}"#)
        let path = "/v1/public/intake/\(try #require(link.json["token"] as? String, "\(link.text)"))"
        let page = try api.client.send("GET", path, headers: SigningPageTests.html).text
        #expect(page.contains("&lt;后轮&gt;") && !page.contains("<后轮>"), "an option shows as written, not as markup")
        #expect(page.contains("附加服务（选填）") && page.contains("需要拖车（选填）") && !page.contains("轮胎照片"), "no photo input on a plain form")
        #expect(page.contains(#"min="1.5""#) && page.contains(#"max="3.5""#))
        let base = [("name", "周先生"), ("phone", "13600136000"), ("description", "右前胎鼓包")]

        let bad = try post(api, path, base + [("f.position", "车顶"), ("f.pressure", "9"), ("f.brand", "米")])
        #expect(bad.status == 422)
        for (field, words) in [("position", "「位置」请从选项中选择"), ("pressure", "「胎压」请填写数字，范围 1.5 到 3.5"), ("brand", "「轮胎品牌」请填写 2 到 20 字")] {
            #expect(bad.text.contains(#"id="custom_fields.\#(field)-error">\#(words)"#), "\(field): \(bad.text)")
        }
        let sent = try post(api, path, base + [("f.position", "<后轮>"), ("f.extras", "动平衡"), ("f.extras", "四轮定位"), ("f.towing", "true"),
                                               ("f.since", "2026-12-01"), ("f.pressure", "2.4"), ("f.brand", "米其林")])
        #expect(sent.status == 303, "\(sent.text)")
        let order = try #require(try orders(api, f).first)
        let custom = try #require(order["custom_fields"] as? [String: Any])
        #expect(custom["position"] as? String == "<后轮>" && custom["extras"] as? [String] == ["动平衡", "四轮定位"])
        #expect(custom["towing"] as? Bool == true && custom["since"] as? String == "2026-12-01" && custom["pressure"] as? Double == 2.4)
        #expect(custom["brand"] as? String == "米其林")

        // A job that needs a photo this form cannot take: the page says so above the form.
        let photoType = try api.client.send("POST", "/v1/work-order-types", headers: bearer(f.adminKey), json: #"""
            {"code":"damage","name":"定损","template":{"fields":[{"key":"scratch","label":"划痕照片","kind":"photo","required":true}]}}
            """#)
        let photoLink = try api.client.send("POST", "/v1/intake-links", headers: bearer(f.adminKey),
                                            json: #"{"name":"定损","channel":"qr","type_id":"\#(try #require(photoType.json["id"] as? String))"}"#)
        let needsPhoto = try post(api, "/v1/public/intake/\(try #require(photoLink.json["token"] as? String))", base)
        #expect(needsPhoto.status == 422 && needsPhoto.text.contains(#"id="notice">此报修还需要门店提供的其他资料"#), "\(needsPhoto.text)")
    }

    @Test func aDeletedForgedOrMisplacedLinkGetsTheSamePageARetiredJobSaysToCallAndAFloodOfFormsIsSlowedInWords() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try intake.fixture(api)
        let (_, token) = try intake.link(api, f)
        let (deletedID, deleted) = try intake.link(api, f)
        #expect(try api.client.send("DELETE", "/v1/intake-links/\(deletedID)", headers: bearer(f.adminKey)).status == 204)
        let forged = token.split(separator: "_").dropLast().joined(separator: "_") + "_" + String(repeating: "a", count: 32)
        var pages: Set<String> = []
        // Another chain's live link with this chain's id in it: its secret means nothing here.
        let (_, theirs) = try intake.link(api, try intake.fixture(api))
        let crossed = token.split(separator: "_").dropLast().joined(separator: "_") + "_" + String(theirs.split(separator: "_").last ?? "")
        for bad in [deleted, forged, crossed, "pin_nonsense", token.replacingOccurrences(of: "pin_", with: "ptr_")] {
            let page = try api.client.send("GET", "/v1/public/intake/\(bad)", headers: SigningPageTests.html)
            #expect(page.status == 404 && page.text.contains("未找到该报修码"), "\(bad): \(page.text)")
            pages.insert(page.text)
            let sent = try post(api, "/v1/public/intake/\(bad)", [("name", "李女士"), ("phone", "13900139000"), ("description", "异响")])
            #expect(sent.status == 404 && sent.text == page.text)
        }
        #expect(pages.count == 1, "one page for every bad link")

        #expect(try orders(api, f).isEmpty)

        // A job type retired after its code was printed: the page says to call, and takes nothing.
        let type = try api.client.send("GET", "/v1/work-order-types/\(f.typeID)", headers: bearer(f.adminKey))
        #expect(try api.client.send("PATCH", "/v1/work-order-types/\(f.typeID)",
                                    headers: bearer(f.adminKey, [("If-Match", type.header("ETag") ?? "")]), json: #"{"active":false}"#).status == 200)
        let retired = try api.client.send("GET", "/v1/public/intake/\(token)", headers: SigningPageTests.html)
        #expect(retired.status == 200 && retired.text.contains("此报修码已暂停受理，请致电上方门店") && !retired.text.contains("<form"), "\(retired.text)")
        let refused = try post(api, "/v1/public/intake/\(token)", [("name", "李女士"), ("phone", "13900139000"), ("description", "异响")])
        #expect(refused.status == 409 && refused.text.contains("此报修码已暂停受理"), "\(refused.text)")
        #expect(try orders(api, f).isEmpty)

        let limited = try TestAPI { $0.intakeReportsPerAddressPerHour = 1 }
        defer { limited.stop() }
        let g = try intake.fixture(limited)
        let (_, open) = try intake.link(limited, g)
        let report = [("name", "李女士"), ("phone", "13900139000"), ("description", "异响")]
        #expect(try post(limited, "/v1/public/intake/\(open)", report).status == 303)
        let flooded = try post(limited, "/v1/public/intake/\(open)", report)
        #expect(flooded.status == 429 && flooded.text.contains(#"value="李女士""#), "\(flooded.text)")
        let wait = try #require(flooded.header("Retry-After").flatMap { Int($0) })
        #expect(flooded.text.contains("提交过于频繁，请 \((wait + 59) / 60) 分钟后再试"), "the page says when, as the header does")
        #expect(try orders(limited, g).count == 1)
    }
}
