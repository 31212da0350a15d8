import Foundation
import Synchronization
import PitstopAPI
import PitstopTesting
import Testing

/// The signing page as a phone gets it: the report priced line by line in whole fen, its photos
/// only through short-lived links the page makes (a forged or altered link opens nothing), and
/// a signature form that binds what was on screen; the adversaries are a report that changes
/// under the customer, a tampered link, and a form missing what the rules need.
@Suite struct SigningPageTests {
    let pages = TrackingPageTests()
    static let html = TrackingPageTests.html
    static let form = [("Content-Type", "application/x-www-form-urlencoded")]

    struct Signing {
        var order: TrackingPageTests.Order
        var path: String
        var photos: [[UInt8]]
    }

    /// An order awaiting acceptance with a priced report (one part at 0.29, which binary
    /// floating point cannot hold exactly, and one line without a price) and two photos.
    func awaitingSignature(_ api: TestAPI) throws -> Signing {
        let o = try pages.repairing(api)
        let photos = [MediaAPITests.jpeg(4000, seed: 3), MediaAPITests.jpeg(5000, seed: 9)]
        let ids = try photos.map { bytes in
            let uploaded = try MediaAPITests.upload(api, o.id, key: o.engineerKey, type: "image/jpeg", bytes)
            #expect(uploaded.status == 201, "\(uploaded.text)")
            return try #require(uploaded.json["id"] as? String)
        }
        let report = try api.client.send("PUT", "/v1/me/work-orders/\(o.id)/report", headers: bearer(o.engineerKey), json: """
            {"diagnosis":"前刹车片磨损<到底>","work_performed":"更换前刹车片，更换机油",
             "parts":[{"part_number":"04465","name":"刹车片垫圈","quantity":2,"unit_price":0.29},
                      {"part_number":"08880","name":"全合成机油 4L","quantity":1,"unit_price":368},
                      {"part_number":"M6","name":"螺丝","quantity":4}],
             "labour":[{"description":"更换刹车片","hours":1.5,"price":120}],
             "mileage_km":52000,"before_photos":["\(ids[0])"],"after_photos":["\(ids[1])"]}
            """)
        #expect(report.status == 200 || report.status == 201, "\(report.text)")
        try pages.step(api, o, "quality_check", key: o.engineerKey)
        try pages.step(api, o, "awaiting_acceptance")
        let link = try api.client.send("POST", "/v1/work-orders/\(o.id)/acceptance-link", headers: bearer(o.admin))
        let url = try #require(link.json["url"] as? String, "\(link.text)")
        return Signing(order: o, path: String(url[try #require(url.range(of: "/v1/public/accept/")).lowerBound...]), photos: photos)
    }

    static func hidden(_ name: String, in page: String) -> String? {
        guard let range = page.range(of: #"name="\#(name)" value="([^"]*)""#, options: .regularExpression) else { return nil }
        return String(page[range].dropFirst("name=\"\(name)\" value=\"".count).dropLast())
    }

    static func photoLinks(in page: String) -> [String] {
        page.matches(of: /<img src="([^"]+)"/).map { String($0.1) }
    }

    @Test func theReportShowsEachPriceInWholeFenAndItsPhotosOnlyThroughShortLivedLinks() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let s = try awaitingSignature(api)
        let page = try api.client.send("GET", s.path, headers: Self.html)
        #expect(page.status == 200 && page.header("Content-Type")?.hasPrefix("text/html") == true)
        let text = page.text
        #expect(text.contains("待您验收") && text.contains("前刹车片磨损&lt;到底&gt;"), "\(text)")
        #expect(text.contains("¥0.58") && text.contains("¥368.00") && text.contains("¥120.00"), "2 × 0.29 is 0.58 to the fen")
        #expect(text.contains("配件 ¥368.58 · 工时 ¥120.00") && text.contains(#"<b id="total">¥488.58</b>"#), "\(text)")
        #expect(text.contains("里程 52000 公里") && text.contains("确认签字"))

        let links = Self.photoLinks(in: text)
        #expect(links.count == 2 && links.allSatisfy { $0.hasPrefix("/v1/public/photos/pph_") }, "\(links)")
        for (link, bytes) in zip(links, s.photos) {
            let photo = try api.client.send("GET", link)
            #expect(photo.status == 200 && photo.body == bytes && photo.header("Content-Type") == "image/jpeg")
            let maxAge = Int(photo.header("Cache-Control")?.split(separator: "=").last ?? "") ?? .max
            #expect(maxAge <= 30 * 60, "not cached past the link: \(photo.header("Cache-Control") ?? "")")
        }
        // Each part of a link is covered by its MAC: a later expiry, another photo, a bit flipped.
        var parts = links[0].split(separator: "_").map(String.init)
        let later = parts.enumerated().map { $0.offset == 3 ? String(Int($0.element)! + 86_400) : $0.element }.joined(separator: "_")
        let other = links[1].split(separator: "_").map(String.init)
        let swapped = [parts[0], parts[1], other[2], parts[3], parts[4]].joined(separator: "_")
        parts[4] = String(parts[4].reversed())
        for forged in [later, swapped, parts.joined(separator: "_"), "/v1/public/photos/pph_x"] {
            #expect(try api.client.send("GET", forged).status == 404, "\(forged)")
        }
        // The JSON the app reads is unchanged in shape and now carries the prices.
        let json = try api.client.send("GET", s.path).json
        let report = try #require(json["report"] as? [String: Any])
        #expect((report["parts"] as? [[String: Any]])?.first?["unit_price"] as? Double == 0.29)
        #expect(((report["parts"] as? [[String: Any]])?.last?.keys.contains("unit_price")) == false, "an unpriced line says nothing")
    }

    @Test func theSignatureBindsTheReportOnScreenAndEachMissingFieldIsNamedBesideIt() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let s = try awaitingSignature(api)
        let page = try api.client.send("GET", s.path, headers: Self.html).text
        let version = try #require(Self.hidden("report_version", in: page))
        let sha256 = try #require(Self.hidden("report_sha256", in: page))
        #expect(sha256.count == 64)
        func post(_ fields: String) throws -> RawHTTPClient.Response {
            try api.client.send("POST", s.path, headers: Self.form, body: Array(fields.utf8))
        }
        let unsure = try post("report_version=\(version)&report_sha256=\(sha256)&signer_name=%E6%9D%8E")
        #expect(unsure.status == 422 && unsure.text.contains(#"id="agree-error">请先确认已查看维修报告"#), "\(unsure.text)")
        let nameless = try post("report_version=\(version)&report_sha256=\(sha256)&signer_name=&agree=yes")
        #expect(nameless.status == 422 && nameless.text.contains(#"id="signer_name-error">请填写签字人姓名"#), "\(nameless.text)")
        let scribble = try post("report_version=\(version)&report_sha256=\(sha256)&signer_name=%E6%9D%8E&agree=yes&signature=bm90IGEgcG5n")
        #expect(scribble.status == 422 && scribble.text.contains(#"id="signature-error">签名无法识别"#), "\(scribble.text)")
        // A hash other than the report's (a page shown before an edit): refused, nothing signed.
        let stale = try post("report_version=\(version)&report_sha256=\(String(repeating: "0", count: 64))&signer_name=%E6%9D%8E&agree=yes")
        #expect(stale.status == 409 && stale.text.contains("维修报告已更新"), "\(stale.text)")
        let staleJSON = try api.client.send("POST", s.path, json: """
            {"signer_name":"李","report_version":\(version),"report_sha256":"\(String(repeating: "a", count: 64))","signature_type":"image/svg+xml",
             "signature":"\(Data(#"<svg xmlns="http://www.w3.org/2000/svg"><text>李</text></svg>"#.utf8).base64EncodedString())"}
            """)
        #expect(staleJSON.status == 409, "\(staleJSON.text)")
        #expect(try api.get("/v1/work-orders/\(s.order.id)", key: s.order.admin).json["status"] as? String == "awaiting_acceptance")

        // Without script the typed name signs; the page then offers the rating, on the same page.
        let signed = try post("report_version=\(version)&report_sha256=\(sha256)&signer_name=%E6%9D%8E%E5%A5%B3%E5%A3%AB&agree=yes")
        #expect(signed.status == 303 && signed.header("Location") == s.path, "\(signed.text)")
        let order = try api.get("/v1/work-orders/\(s.order.id)", key: s.order.admin).json
        #expect(order["status"] as? String == "completed")
        let acceptance = try api.get("/v1/work-orders/\(s.order.id)/acceptance", key: s.order.admin)
        #expect(acceptance.json["report_sha256"] as? String == sha256 && acceptance.json["signature_type"] as? String == "image/svg+xml",
                "\(acceptance.text)")
        let after = try api.client.send("GET", s.path, headers: Self.html).text
        #expect(after.contains("李女士 已于") && after.contains("签字验收") && after.contains("提交评价") && !after.contains("确认签字"), "\(after)")
        #expect(try post("report_version=\(version)&report_sha256=\(sha256)&signer_name=x&agree=yes").status == 409, "signed once")
        let badScore = try api.client.send("POST", s.path + "/rating", headers: Self.form, body: Array("score=9".utf8))
        #expect(badScore.status == 422 && badScore.text.contains(#"id="score-error">请选择 1 到 5 星"#))
        let rated = try api.client.send("POST", s.path + "/rating", headers: Self.form, body: Array("score=4&comment=%E4%BB%B7%E6%A0%BC%E9%80%8F%E6%98%8E".utf8))
        #expect(rated.status == 303, "\(rated.text)")
        #expect(try api.client.send("GET", s.path, headers: Self.html).text.contains("感谢您的评价"))
    }

    /// A report with the most photos it may have (20 before, 20 after), its page opened three
    /// times in a minute from one phone: every picture shows each time. The address's allowance
    /// (60 a minute) counts the pages, not the photos behind their signed links.
    @Test func aReportWithFortyPhotosShowsThemAllOnEveryReload() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let o = try pages.repairing(api)
        let ids = try (0..<2 * 20).map { index in
            let uploaded = try MediaAPITests.upload(api, o.id, key: o.engineerKey, type: "image/jpeg", MediaAPITests.jpeg(1500, seed: UInt8(index + 1)))
            return try #require(uploaded.json["id"] as? String, "\(uploaded.text)")
        }
        let quoted = { (slice: ArraySlice<String>) in slice.map { "\"\($0)\"" }.joined(separator: ",") }
        let report = try api.client.send("PUT", "/v1/me/work-orders/\(o.id)/report", headers: bearer(o.engineerKey), json: """
            {"diagnosis":"底盘锈蚀","work_performed":"除锈并喷涂防锈漆","before_photos":[\(quoted(ids.prefix(20)))],"after_photos":[\(quoted(ids.suffix(20)))]}
            """)
        #expect(report.status == 201, "\(report.text)")
        try pages.step(api, o, "quality_check", key: o.engineerKey)
        try pages.step(api, o, "awaiting_acceptance")
        let url = try #require(try api.client.send("POST", "/v1/work-orders/\(o.id)/acceptance-link", headers: bearer(o.admin)).json["url"] as? String)
        let path = String(url[try #require(url.range(of: "/v1/public/accept/")).lowerBound...])
        for load in 1...3 {
            let page = try api.client.send("GET", path, headers: Self.html)
            #expect(page.status == 200, "load \(load)")
            let statuses = try Self.photoLinks(in: page.text).map { try api.client.send("GET", $0).status }
            #expect(statuses.count == 40 && statuses.allSatisfy { $0 == 200 }, "load \(load): \(statuses)")
        }
    }

    /// The link forwarded to a spouse, and both sign at the same moment: one signature stands,
    /// the other phone gets the page (saying who signed), never a problem document.
    @Test func twoPhonesSigningAtOnceGetOneSignatureAndBothAPage() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let s = try awaitingSignature(api)
        let page = try api.client.send("GET", s.path, headers: Self.html).text
        let fields = "report_version=\(try #require(Self.hidden("report_version", in: page)))&report_sha256=\(try #require(Self.hidden("report_sha256", in: page)))&agree=yes"
        let answers = Mutex<[String: RawHTTPClient.Response]>([:])
        let port = api.server.port, path = s.path
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let name = index == 0 ? "%E6%9E%97%E5%A5%B3%E5%A3%AB" : "%E6%9E%97%E5%85%88%E7%94%9F"
            let answer = try? RawHTTPClient(port: port).send("POST", path, headers: Self.form, body: Array("\(fields)&signer_name=\(name)".utf8))
            answers.withLock { $0[index == 0 ? "林女士" : "林先生"] = answer }
        }
        let got = answers.withLock { $0 }
        #expect(got.values.map(\.status).sorted() == [303, 409], "\(got.mapValues(\.status))")
        let signer = try #require(got.first { $0.value.status == 303 }?.key)
        let loser = try #require(got.first { $0.value.status == 409 }?.value)
        #expect(loser.header("Content-Type")?.hasPrefix("text/html") == true && loser.text.contains("\(signer) 已于"), "\(loser.text)")
        #expect(try api.get("/v1/work-orders/\(s.order.id)/acceptance", key: s.order.admin).json["signer_name"] as? String == signer)
    }

    @Test func everyBadSigningLinkGetsTheSamePageAndChangesNothing() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let s = try awaitingSignature(api)
        let known = s.path.split(separator: "_")
        let wrongSecret = known.dropLast().joined(separator: "_") + "_" + String(repeating: "a", count: 32)
        var pages: Set<String> = []
        for path in [wrongSecret, "/v1/public/accept/pac_nonsense", s.path.replacingOccurrences(of: "pac_", with: "ptr_")] {
            let page = try api.client.send("GET", path, headers: Self.html)
            #expect(page.status == 404)
            pages.insert(page.text)
            let sign = try api.client.send("POST", path, headers: Self.form, body: Array("signer_name=x&agree=yes&report_version=1&report_sha256=0".utf8))
            #expect(sign.status == 404 && sign.text == page.text)
            #expect(try api.client.send("POST", path + "/rating", headers: Self.form, body: Array("score=5".utf8)).text == page.text)
        }
        #expect(pages.count == 1, "one page for every bad link")
        #expect(try api.get("/v1/work-orders/\(s.order.id)", key: s.order.admin).json["status"] as? String == "awaiting_acceptance")
    }
}
