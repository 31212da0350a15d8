import Crypto
import Foundation
import PitstopCore
import PitstopTesting
import Postgres
import Synchronization
import Testing

@Suite struct PublicIntakeAPITests {
    /// A tenant with a job type, a shop, and an existing customer with a car.
    struct Fixture {
        var adminKey: String
        var tenantID: String
        var typeID: String
        var shopID: String
        var customerID: String
        var vehicleID: String
    }

    func fixture(_ api: TestAPI) throws -> Fixture {
        let tenant = try api.makeTenant(name: "扫码维修连锁")
        func create(_ path: String, _ json: String) throws -> String {
            let response = try api.client.send("POST", path, headers: bearer(tenant.adminKey), json: json)
            guard response.status == 201, let id = response.json["id"] as? String else {
                throw RawHTTPError("\(path) answered \(response.status): \(response.text)")
            }
            return id
        }
        let type = try create("/v1/work-order-types", #"""
            {"code":"diagnosis","name":"故障检测","template":{"fields":[
              {"key":"mileage","label":"里程","kind":"integer","required":false,"minimum":0}]}}
            """#)
        let shop = try create("/v1/shops", #"{"name":"西湖店","address":"杭州市西湖区文三路 1 号","phone":"0571-88888888"}"#)
        let customer = try create("/v1/customers", #"{"name":"王先生","phones":["13800138000"]}"#)
        let vehicle = try create("/v1/vehicles", #"{"customer_id":"\#(customer)","plate":"浙A12345"}"#)
        return Fixture(adminKey: tenant.adminKey, tenantID: tenant.id, typeID: type, shopID: shop, customerID: customer, vehicleID: vehicle)
    }

    /// Creates a link and returns its token, taken from the URL to print.
    func link(_ api: TestAPI, _ f: Fixture, extra: String = "") throws -> (id: String, token: String) {
        let response = try api.client.send("POST", "/v1/intake-links", headers: bearer(f.adminKey),
                                           json: #"{"name":"前台二维码","channel":"qr","type_id":"\#(f.typeID)","shop_id":"\#(f.shopID)"\#(extra)}"#)
        guard response.status == 201, let id = response.json["id"] as? String, let url = response.json["url"] as? String,
              let token = response.json["token"] as? String else {
            throw RawHTTPError("link creation answered \(response.status): \(response.text)")
        }
        #expect(url.hasSuffix("/v1/public/intake/\(token)"))
        #expect(token.hasPrefix("pin_"))
        return (id, token)
    }

    func report(name: String = "李女士", phone: String = "+86 139-0013-9000", plate: String? = "浙B·D12345",
                description: String = "发动机故障灯亮, 怠速抖动") -> String {
        let plateField = plate.map { #","plate":"\#($0)""# } ?? ""
        return #"{"name":"\#(name)","phone":"\#(phone)"\#(plateField),"description":"\#(description)","custom_fields":{"mileage":52000}}"#
    }

    @Test func aReportThroughAQRCodeOpensAnOrderTheCustomerCanFollow() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let (_, token) = try link(api, f)

        let form = try api.client.send("GET", "/v1/public/intake/\(token)")
        #expect(form.status == 200, "\(form.text)")
        #expect(form.json["tenant_name"] as? String == "扫码维修连锁")
        #expect((form.json["shop"] as? [String: Any])?["name"] as? String == "西湖店")
        #expect(form.json["vehicle_fixed"] as? Bool == false)
        #expect((form.json["fields"] as? [[String: Any]])?.first?["key"] as? String == "mileage")

        // A phone that scans the code gets the form page, locked down to its own script.
        let page = try api.client.send("GET", "/v1/public/intake/\(token)", headers: [("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")])
        #expect(page.status == 200)
        #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(page.text.contains("<form"))
        #expect(page.header("Content-Security-Policy")?.contains("script-src 'sha256-") == true)

        let receipt = try api.client.send("POST", "/v1/public/intake/\(token)", json: report())
        #expect(receipt.status == 201, "\(receipt.text)")
        // Only the order's number and how to follow it: nothing about customers or ids.
        #expect(Set(receipt.json.keys) == ["number", "status", "status_label", "tracking_token", "tracking_url"])
        let number = try #require(receipt.json["number"] as? String)
        let tracking = try #require(receipt.json["tracking_token"] as? String)
        #expect(tracking.hasPrefix("ptr_"))
        #expect(receipt.json["status_label"] as? String == "已受理")

        // Staff see a QR-channel order at the link's shop, with a new customer and car.
        let listed = try api.client.send("GET", "/v1/work-orders?channel=qr", headers: bearer(f.adminKey))
        let order = try #require((listed.json["items"] as? [[String: Any]])?.first)
        #expect(order["number"] as? String == number)
        #expect(order["shop_id"] as? String == f.shopID)
        // Only the link's hash is kept: staff read no token back, and make another when needed.
        #expect(order["tracking_token"] == nil)
        let owner = try Connection(TestDatabase.shared.ownerConfiguration)
        let secret = String(tracking.split(separator: "_").last ?? "")
        #expect(try owner.query("SELECT count(*)::int AS n FROM tracking_links WHERE secret_sha256 = \(Digest.sha256(secret).hex)").rows[0]
                    .decode("n", as: Int.self) == 1)
        #expect(try owner.query("SELECT count(*)::int AS n FROM idempotency_keys WHERE strpos(response_body, \(secret)) > 0").rows[0]
                    .decode("n", as: Int.self) == 0)
        let another = try api.client.send("POST", "/v1/work-orders/\(order["id"] as? String ?? "")/tracking-link", headers: bearer(f.adminKey))
        #expect(another.status == 201)
        let again = try #require(another.json["token"] as? String)
        #expect(again != tracking)
        for token in [tracking, again] {
            #expect(try api.client.send("GET", "/v1/public/track/\(token)").json["number"] as? String == number)
        }
        #expect((order["custom_fields"] as? [String: Any])?["mileage"] as? Int == 52000)
        let customer = try api.client.send("GET", "/v1/customers/\(order["customer_id"] as? String ?? "")", headers: bearer(f.adminKey))
        #expect(customer.json["phones"] as? [String] == ["13900139000"])
        let vehicle = try api.client.send("GET", "/v1/vehicles/\(order["vehicle_id"] as? String ?? "")", headers: bearer(f.adminKey))
        #expect(vehicle.json["plate"] as? String == "浙BD12345")

        // The customer follows it; the history grows as staff move it.
        let first = try api.client.send("GET", "/v1/public/track/\(tracking)")
        #expect(first.status == 200)
        let trackingPage = try api.client.send("GET", "/v1/public/track/\(tracking)", headers: [("Accept", "text/html")])
        #expect(trackingPage.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(trackingPage.text.contains("工单 \(number)"), "rendered on the server, for phones without JavaScript too")
        #expect(first.json["number"] as? String == number)
        #expect((first.json["history"] as? [Any])?.count == 1)
        #expect((first.json["shop"] as? [String: Any])?["phone"] as? String == "0571-88888888")
        let id = try #require(order["id"] as? String)
        let cancelled = try api.client.send("POST", "/v1/work-orders/\(id)/transitions", headers: bearer(f.adminKey, [("If-Match", "\"1\"")]),
                                            json: #"{"to":"cancelled","reason":"客户自行修好"}"#)
        #expect(cancelled.status == 200, "\(cancelled.text)")
        let later = try api.client.send("GET", "/v1/public/track/\(tracking)")
        #expect(later.json["status"] as? String == "cancelled")
        #expect(later.json["status_label"] as? String == "已取消")
        #expect((later.json["history"] as? [[String: Any]])?.map { $0["status"] as? String } == ["new", "cancelled"])
        #expect(!later.text.contains("客户自行修好"))
    }

    @Test func aSecondReportOfTheSameCarJoinsTheOpenOrder() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let (_, token) = try link(api, f)
        let first = try api.client.send("POST", "/v1/public/intake/\(token)", json: report())
        #expect(first.status == 201)
        let again = try api.client.send("POST", "/v1/public/intake/\(token)", json: report(description: "又熄火了一次"))
        #expect(again.status == 200, "\(again.text)")
        #expect(again.json["number"] as? String == first.json["number"] as? String)
        let listed = try api.client.send("GET", "/v1/work-orders?channel=qr", headers: bearer(f.adminKey))
        #expect((listed.json["items"] as? [Any])?.count == 1)
    }

    /// Someone new to the chain scans the code on two phones and a tablet and sends the same
    /// car's report from each at the same moment, no key: one customer, one car, one order,
    /// the other reports joining it.
    @Test func reportsOfOneNewCustomerAtTheSameMomentMakeOneCustomerCarAndOrder() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let (_, token) = try link(api, f)
        let statuses = Mutex<[Int]>([])
        let port = api.server.port
        DispatchQueue.concurrentPerform(iterations: 6) { index in
            let body = report(name: "钱女士", phone: "13300133000", plate: "浙C55555", description: "第 \(index) 次报修：刹车异响")
            let status = (try? RawHTTPClient(port: port).send("POST", "/v1/public/intake/\(token)", json: body))?.status ?? 0
            statuses.withLock { $0.append(status) }
        }
        #expect(statuses.withLock { $0.sorted() } == [200, 200, 200, 200, 200, 201], "one opened, the rest joined")
        let owner = try Connection(TestDatabase.shared.ownerConfiguration)
        let tenant = try #require(UUID(uuidString: f.tenantID))
        let made = try owner.query("""
            SELECT (SELECT count(*)::int FROM customers WHERE tenant_id = \(tenant) AND '13300133000' = ANY (phones)) AS customers,
                   (SELECT count(*)::int FROM vehicles WHERE tenant_id = \(tenant) AND plate = '浙C55555') AS vehicles,
                   (SELECT count(*)::int FROM work_orders WHERE tenant_id = \(tenant) AND channel = 'qr') AS orders
            """).rows[0]
        #expect(try [made.decode("customers", as: Int.self), made.decode("vehicles", as: Int.self), made.decode("orders", as: Int.self)] == [1, 1, 1])
    }

    @Test func anotherCustomersPlateIsNeitherAttachedNorRevealed() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let (_, token) = try link(api, f)
        // 浙A12345 is 王先生's car; a stranger reports it.
        let receipt = try api.client.send("POST", "/v1/public/intake/\(token)", json: report(plate: "浙A12345"))
        #expect(receipt.status == 201, "\(receipt.text)")
        #expect(Set(receipt.json.keys) == ["number", "status", "status_label", "tracking_token", "tracking_url"])
        let order = try #require((try api.client.send("GET", "/v1/work-orders?channel=qr", headers: bearer(f.adminKey))
            .json["items"] as? [[String: Any]])?.first)
        #expect(order["vehicle_id"] == nil)
        #expect(order["customer_id"] as? String != f.customerID)
        let timeline = try api.client.send("GET", "/v1/work-orders/\(order["id"] as? String ?? "")/timeline", headers: bearer(f.adminKey))
        let note = (timeline.json["items"] as? [[String: Any]])?.first?["note"] as? String
        #expect(note?.contains("registered to another customer") == true)
    }

    @Test func aStickerInOneCarReportsForItsOwner() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let (_, token) = try link(api, f, extra: #","vehicle_id":"\#(f.vehicleID)""#)
        #expect(try api.client.send("GET", "/v1/public/intake/\(token)").json["vehicle_fixed"] as? Bool == true)
        let receipt = try api.client.send("POST", "/v1/public/intake/\(token)", json: report(name: "王太太", phone: "13700137000", plate: nil))
        #expect(receipt.status == 201, "\(receipt.text)")
        let order = try #require((try api.client.send("GET", "/v1/work-orders?channel=qr", headers: bearer(f.adminKey))
            .json["items"] as? [[String: Any]])?.first)
        #expect(order["vehicle_id"] as? String == f.vehicleID)
        #expect(order["customer_id"] as? String == f.customerID)
        let timeline = try api.client.send("GET", "/v1/work-orders/\(order["id"] as? String ?? "")/timeline", headers: bearer(f.adminKey))
        #expect(((timeline.json["items"] as? [[String: Any]])?.first?["note"] as? String)?.contains("13700137000") == true)
    }

    @Test func badReportsAreRefusedNamingTheField() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let (id, token) = try link(api, f)
        let path = "/v1/public/intake/\(token)"

        let badPhone = try api.client.send("POST", path, json: report(phone: "12345"))
        #expect(badPhone.status == 422)
        #expect(badPhone.problemFields == ["phone"])
        let badPlate = try api.client.send("POST", path, json: report(plate: "ABC"))
        #expect(badPlate.problemFields == ["plate"])
        let missing = try api.client.send("POST", path, json: #"{"name":"李女士","description":"异响"}"#)
        #expect(missing.status == 422)
        #expect(missing.problemFields == ["phone"])
        let unknown = try api.client.send("POST", path, json: #"{"name":"李女士","phone":"13900139000","description":"异响","customer_id":"x"}"#)
        #expect(unknown.status == 400)
        #expect(unknown.problemFields == ["customer_id"])
        let badField = try api.client.send("POST", path, json: #"{"name":"李女士","phone":"13900139000","description":"异响","custom_fields":{"mileage":-5}}"#)
        #expect(badField.status == 422)
        #expect(badField.problemFields == ["custom_fields.mileage"])
        // Everything wrong at once is named at once: the job's fields with the contact details.
        let everything = try api.client.send("POST", path, json: #"{"name":"李女士","phone":"12345","description":"异响","custom_fields":{"mileage":-5}}"#)
        #expect(everything.status == 422 && Set(everything.problemFields) == ["phone", "custom_fields.mileage"], "\(everything.text)")
        let huge = try api.client.send("POST", path, json: report(description: String(repeating: "长", count: 6000)))
        #expect(huge.status == 413)
        #expect(try api.client.send("POST", "/v1/public/intake/pin_nonsense", json: report()).status == 404)
        #expect(try api.client.send("GET", "/v1/public/track/ptr_nonsense").status == 404)

        // Nothing was half-written by any of that.
        let listed = try api.client.send("GET", "/v1/work-orders?channel=qr", headers: bearer(f.adminKey))
        #expect((listed.json["items"] as? [Any])?.isEmpty == true)

        #expect(try api.client.send("DELETE", "/v1/intake-links/\(id)", headers: bearer(f.adminKey)).status == 204)
        #expect(try api.client.send("POST", path, json: report()).status == 404)
        #expect(try api.client.send("GET", path).status == 404)
        let shown = try api.client.send("GET", "/v1/intake-links/\(id)", headers: bearer(f.adminKey))
        #expect(shown.json["revoked_at"] is String)
    }

    @Test func reportsAreLimitedPerAddressAndPerLink() throws {
        let perAddress = try TestAPI { $0.intakeReportsPerAddressPerHour = 2 }
        defer { perAddress.stop() }
        let f = try fixture(perAddress)
        let (_, token) = try link(perAddress, f)
        let statuses = try (1...3).map { index in
            try perAddress.client.send("POST", "/v1/public/intake/\(token)", json: report(phone: "1390013900\(index)", plate: nil)).status
        }
        #expect(statuses == [201, 201, 429])
        let refused = try perAddress.client.send("POST", "/v1/public/intake/\(token)", json: report())
        #expect(Int(refused.header("Retry-After") ?? "") ?? 0 > 0)

        let perLink = try TestAPI { $0.intakeReportsPerLinkPerHour = 1 }
        defer { perLink.stop() }
        let g = try fixture(perLink)
        let (_, busy) = try link(perLink, g)
        let (_, quiet) = try link(perLink, g)
        #expect(try perLink.client.send("POST", "/v1/public/intake/\(busy)", json: report(plate: nil)).status == 201)
        #expect(try perLink.client.send("POST", "/v1/public/intake/\(busy)", json: report(phone: "13600136000", plate: nil)).status == 429)
        // Another link of the same shop still takes reports.
        #expect(try perLink.client.send("POST", "/v1/public/intake/\(quiet)", json: report(phone: "13600136000", plate: nil)).status == 201)
    }

    @Test func behindATrustedProxyEachClientHasItsOwnLimit() throws {
        let api = try TestAPI {
            $0.intakeReportsPerAddressPerHour = 1
            $0.trustedProxies = ["127.0.0.1"]
        }
        defer { api.stop() }
        let f = try fixture(api)
        let (_, token) = try link(api, f)
        func post(from client: String, phone: String) throws -> Int {
            try api.client.send("POST", "/v1/public/intake/\(token)", headers: [("X-Forwarded-For", "203.0.113.9, \(client)")],
                                json: report(phone: phone, plate: nil)).status
        }
        #expect(try post(from: "198.51.100.1", phone: "13500135001") == 201)
        #expect(try post(from: "198.51.100.2", phone: "13500135002") == 201)
        #expect(try post(from: "198.51.100.1", phone: "13500135003") == 429)
    }

    @Test func aRetriedReportWithItsIdempotencyKeyOpensOneOrder() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try fixture(api)
        let (_, token) = try link(api, f)
        let first = try api.client.send("POST", "/v1/public/intake/\(token)", headers: [("Idempotency-Key", "form-42")], json: report(plate: nil))
        let retry = try api.client.send("POST", "/v1/public/intake/\(token)", headers: [("Idempotency-Key", "form-42")], json: report(plate: nil))
        #expect(first.status == 201)
        #expect(retry.status == 201)
        #expect(retry.header("Idempotent-Replayed") == "true")
        #expect(retry.json["number"] as? String == first.json["number"] as? String)
    }

    @Test func tokensNeverCrossTenants() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let a = try fixture(api)
        let b = try fixture(api)
        let (linkA, tokenA) = try link(api, a)
        let receipt = try api.client.send("POST", "/v1/public/intake/\(tokenA)", json: report())
        let tracking = try #require(receipt.json["tracking_token"] as? String)

        // The same secret under tenant B's id finds nothing.
        let tenantPartB = Base32.encode(try #require(UUID(uuidString: b.tenantID)))
        func swapped(_ token: String) -> String {
            let parts = token.split(separator: "_")
            return "\(parts[0])_\(tenantPartB)_\(parts[2])"
        }
        #expect(try api.client.send("GET", "/v1/public/intake/\(swapped(tokenA))").status == 404)
        #expect(try api.client.send("POST", "/v1/public/intake/\(swapped(tokenA))", json: report()).status == 404)
        #expect(try api.client.send("GET", "/v1/public/track/\(swapped(tracking))").status == 404)
        // Tenant B's admin cannot see or revoke tenant A's link.
        #expect(try api.client.send("GET", "/v1/intake-links/\(linkA)", headers: bearer(b.adminKey)).status == 404)
        #expect(try api.client.send("DELETE", "/v1/intake-links/\(linkA)", headers: bearer(b.adminKey)).status == 404)
        #expect(try api.client.send("GET", "/v1/public/intake/\(tokenA)").status == 200)
        // A tracking token is not an intake token, nor the other way round.
        #expect(try api.client.send("GET", "/v1/public/track/\(tokenA)").status == 404)
        #expect(try api.client.send("GET", "/v1/public/intake/\(tracking)").status == 404)
    }
}
