import Foundation
import PitstopAPI
import PitstopTesting
import Testing

/// The tracking page in a real browser: Debian's Chromium, headless at 360 px, driven by Selenium
/// (`Tests/Browser/tracking_page.py`, installed by scripts/test), with JavaScript on and off. It
/// asserts what the customer sees and can do; screenshots stay in `.pitstop/browser-artefacts`.
@Suite struct BrowserPagesTests {
    let pages = TrackingPageTests()

    static var root: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    /// A completed order's tracking page, as the customer's link opens it.
    func completedOrder(_ api: TestAPI) throws -> String {
        let o = try pages.order(api)
        try pages.step(api, o, "assigned", #","assignee_id":"\#(o.engineer)","override":true"#)
        #expect(try api.client.send("POST", "/v1/work-orders/\(o.id)/accept", headers: bearer(o.engineerKey)).status == 200)
        for to in ["diagnosing", "repairing"] { try pages.step(api, o, to, key: o.engineerKey) }
        _ = try api.client.send("PUT", "/v1/me/work-orders/\(o.id)/report", headers: bearer(o.engineerKey), json: #"{"diagnosis":"磨损","work_performed":"更换"}"#)
        try pages.step(api, o, "quality_check", key: o.engineerKey)
        try pages.step(api, o, "awaiting_acceptance")
        try pages.step(api, o, "completed", #","note":"门店当面签字""#)
        return "http://127.0.0.1:\(api.server.port)\(o.path)"
    }

    @Test(arguments: [true, false])
    func aCustomerRatesTheFinishedJobOnAPhoneWidthPage(javascript: Bool) throws {
        let api = try TestAPI()
        defer { api.stop() }
        let url = try completedOrder(api)
        let artefacts = Self.root.appendingPathComponent(".pitstop/browser-artefacts").path
        try FileManager.default.createDirectory(atPath: artefacts, withIntermediateDirectories: true)
        let script = Self.root.appendingPathComponent("Tests/Browser/tracking_page.py").path
        // scripts/test makes a virtual environment with Selenium and names its Python.
        let python = ProcessInfo.processInfo.environment["PITSTOP_BROWSER_PYTHON"] ?? "/usr/bin/python3"
        let run = try CommandRunner.run(python, [script, url, artefacts, javascript ? "tracking" : "tracking-no-js"] + (javascript ? [] : ["--no-javascript"]),
                                        environment: ProcessInfo.processInfo.environment)
        #expect(run.status == 0, "the browser judge failed (scripts/test installs chromium, chromium-driver and selenium): \(run.standardError)")
        let seen = (try? JSONSerialization.jsonObject(with: Data(run.lastLine.utf8))) as? [String: Any] ?? [:]
        #expect((seen["title"] as? String)?.hasPrefix("工单 WO-") == true, "\(seen)")
        #expect(seen["status"] as? String == "已完成")
        #expect((seen["text"] as? String)?.contains("欢迎为本次服务评分") == true)
        #expect((seen["text"] as? String)?.contains("西湖店<b>&") == true, "the shop's name shows as written, not as markup")
        #expect(seen["can_rate"] as? Bool == true)
        if javascript {
            #expect(seen["width"] as? Int == 360, "\(seen)")
            #expect(seen["overflows"] as? Bool == false, "the page fits a 360 px screen")
        }
        #expect((seen["after"] as? String)?.contains("感谢您的评价") == true)
        #expect(seen["can_rate_after"] as? Bool == false)
    }
}
