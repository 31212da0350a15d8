import Foundation
import PitstopAPI
import PitstopTesting
import Testing

/// The customer's pages in a real browser: Debian's Chromium, headless at 360 px, driven by
/// Selenium (`Tests/Browser/customer_pages.py`, installed by scripts/test), with JavaScript on
/// and off. They assert what the customer sees and can do; screenshots of each step stay in
/// `.pitstop/browser-artefacts`.
@Suite struct BrowserPagesTests {
    let pages = TrackingPageTests()
    let extra = ExtraWorkTests()

    static var root: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    /// A real 1×1 PNG, so the browser can decode the report's photo (a test JPEG header is not).
    static let photo = [UInt8](Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")!)

    /// Runs one step of the judge on `url` and returns what it saw.
    func judge(_ step: String, _ url: String, _ name: String, javascript: Bool) throws -> [String: Any] {
        let artefacts = Self.root.appendingPathComponent(".pitstop/browser-artefacts").path
        try FileManager.default.createDirectory(atPath: artefacts, withIntermediateDirectories: true)
        let script = Self.root.appendingPathComponent("Tests/Browser/customer_pages.py").path
        // scripts/test makes a virtual environment with Selenium and names its Python.
        let python = ProcessInfo.processInfo.environment["PITSTOP_BROWSER_PYTHON"] ?? "/usr/bin/python3"
        let run = try CommandRunner.run(python, [script, step, url, artefacts, javascript ? name : name + "-no-js"] + (javascript ? [] : ["--no-javascript"]),
                                        environment: ProcessInfo.processInfo.environment)
        #expect(run.status == 0, "the browser judge failed (scripts/test installs chromium, chromium-driver and selenium): \(run.standardError)")
        let seen = (try? JSONSerialization.jsonObject(with: Data(run.lastLine.utf8))) as? [String: Any] ?? [:]
        if javascript {
            #expect(seen["width"] as? Int == 360, "\(seen)")
            #expect(seen["overflows"] as? Bool == false, "the \(step) page fits a 360 px screen")
        }
        return seen
    }

    /// A car owner scans the shop's code, mistypes the phone number, reads why beside it, fixes
    /// it and lands on the new order's tracking page: one order, with what they typed.
    @Test(arguments: [true, false])
    func aCustomerScansTheShopsCodeReportsFromAPhoneAndFollowsTheOrder(javascript: Bool) throws {
        let api = try TestAPI()
        defer { api.stop() }
        let intake = PublicIntakeAPITests()
        let f = try intake.fixture(api)
        let (_, token) = try intake.link(api, f)
        let seen = try judge("report", "http://127.0.0.1:\(api.server.port)/v1/public/intake/\(token)", "report", javascript: javascript)
        #expect(seen["form_title"] as? String == "扫码维修连锁 · 故障检测" && seen["can_report"] as? Bool == true, "\(seen)")
        #expect((seen["phone_problem"] as? String)?.hasPrefix("请填写 11 位手机号") == true && seen["kept"] as? String == "刹车时有异响")
        let orders = try api.client.send("GET", "/v1/work-orders?channel=qr", headers: bearer(f.adminKey)).json["items"] as? [[String: Any]] ?? []
        #expect(orders.count == 1)
        #expect(seen["title"] as? String == "工单 \(orders.first?["number"] as? String ?? "?")" && seen["status"] as? String == "已受理")
        #expect(orders.first?["description"] as? String == "刹车时有异响")
        #expect((orders.first?["custom_fields"] as? [String: Any])?["mileage"] as? Int == 52000)
    }

    @Test(arguments: [true, false])
    func aCustomerRatesTheFinishedJobOnAPhoneWidthPage(javascript: Bool) throws {
        let api = try TestAPI()
        defer { api.stop() }
        let o = try pages.repairing(api)
        _ = try api.client.send("PUT", "/v1/me/work-orders/\(o.id)/report", headers: bearer(o.engineerKey), json: #"{"diagnosis":"磨损","work_performed":"更换"}"#)
        try pages.step(api, o, "quality_check", key: o.engineerKey)
        try pages.step(api, o, "awaiting_acceptance")
        try pages.step(api, o, "completed", #","note":"门店当面签字""#)
        let seen = try judge("rate", "http://127.0.0.1:\(api.server.port)\(o.path)", "tracking", javascript: javascript)
        #expect((seen["title"] as? String)?.hasPrefix("工单 WO-") == true, "\(seen)")
        #expect(seen["status"] as? String == "已完成")
        #expect((seen["text"] as? String)?.contains("欢迎为本次服务评分") == true)
        #expect((seen["text"] as? String)?.contains("西湖店<b>&") == true, "the shop's name shows as written, not as markup")
        #expect(seen["can_rate"] as? Bool == true)
        #expect((seen["after"] as? String)?.contains("感谢您的评价") == true)
        #expect(seen["can_rate_after"] as? Bool == false)
    }

    /// The whole customer's side in the browser: extra work approved from the tracking link, the
    /// report read with its photo and signed with a drawn stroke (the typed name without
    /// script), and the job rated on the signing page.
    @Test(arguments: [true, false])
    func aCustomerApprovesExtraWorkSignsWithAFingerAndRates(javascript: Bool) throws {
        let api = try TestAPI()
        defer { api.stop() }
        let o = try extra.repairing(api)
        #expect(try extra.propose(api, o, ExtraWorkTests.brakes).status == 201)
        let base = "http://127.0.0.1:\(api.server.port)"
        let asked = try judge("approve", base + o.path, "extra-work", javascript: javascript)
        #expect(asked["status"] as? String == "维修中", "\(asked)")
        #expect((asked["text"] as? String)?.contains("请确认是否同意") == true && (asked["text"] as? String)?.contains("后刹车片") == true)
        #expect(asked["extra_total"] as? String == "¥121.08" && asked["can_approve"] as? Bool == true)
        #expect(asked["can_approve_after"] as? Bool == false)
        let proposals = try api.get("/v1/work-orders/\(o.id)/extra-work", key: o.admin).json["items"] as? [[String: Any]]
        #expect(proposals?.map { $0["state"] as? String } == ["approved"])

        let uploaded = try MediaAPITests.upload(api, o.id, key: o.engineerKey, type: "image/png", Self.photo)
        let photo = try #require(uploaded.json["id"] as? String, "\(uploaded.text)")
        let report = try api.client.send("PUT", "/v1/me/work-orders/\(o.id)/report", headers: bearer(o.engineerKey), json: """
            {"diagnosis":"后刹车片磨损","work_performed":"更换后刹车片，更换刹车油",
             "parts":[{"part_number":"04466","name":"后刹车片","quantity":2,"unit_price":0.29}],
             "labour":[{"description":"刹车保养","hours":1,"price":120.5}],"after_photos":["\(photo)"]}
            """)
        #expect(report.status == 201, "\(report.text)")
        try pages.step(api, o, "quality_check", key: o.engineerKey)
        try pages.step(api, o, "awaiting_acceptance")
        let link = try api.client.send("POST", "/v1/work-orders/\(o.id)/acceptance-link", headers: bearer(o.admin))
        let url = try #require(link.json["url"] as? String, "\(link.text)")
        let signing = try judge("sign", base + String(url[try #require(url.range(of: "/v1/public/accept/")).lowerBound...]), "signing",
                                javascript: javascript)
        #expect(signing["status"] as? String == "待您验收", "\(signing)")
        #expect((signing["text"] as? String)?.contains("更换后刹车片，更换刹车油") == true)
        #expect(signing["total"] as? String == "¥121.08" && signing["can_sign"] as? Bool == true)
        if javascript {
            #expect(signing["photos_shown"] as? Int == 1, "the report's photo opens through its short-lived link")
            #expect(signing["unsigned_problem"] as? String == "请在框内手写签名")
        } else {
            #expect(signing["pad_shown"] as? Bool == false, "no pad where nothing can draw on it")
        }
        #expect((signing["signed"] as? String)?.contains("林女士 已于") == true && signing["can_sign_after"] as? Bool == false)
        #expect((signing["after"] as? String)?.contains("感谢您的评价") == true && signing["can_rate_after"] as? Bool == false)
        let acceptance = try api.get("/v1/work-orders/\(o.id)/acceptance", key: o.admin).json
        #expect(acceptance["signature_type"] as? String == (javascript ? "image/png" : "image/svg+xml"), "\(acceptance)")
        #expect(try api.get("/v1/work-orders/\(o.id)", key: o.admin).json["status"] as? String == "completed")
    }
}
