import Foundation
import PitstopTesting
import Testing

/// The API's HTTP edge as a hostile client meets it: encoded control characters, trailing
/// slashes, bodies of the wrong type, lengths that disagree, and keyless uploads that would hold
/// a connection open.
@Suite struct HTTPEdgeTests {
    @Test func encodedNulAndOtherControlCharactersAreRefusedBeforeRouting() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try DispatchAPITests().fixture(api)
        let order = try DispatchAPITests().order(api, f)
        // Once the NUL cut the path: the timeline address answered the order, /metrics%00… the metrics.
        for path in ["/v1/work-orders/\(order)%00/timeline", "/metrics%00zzz", "/v1/work-orders/\(order)%0A", "/v1/customers%7F",
                     "/v1/work-orders/\(order)%zz"] {
            let response = try api.get(path, key: f.adminKey)
            #expect(response.status == 400, "\(path): \(response.status) \(response.text)")
            #expect(!response.text.contains(order) && !response.text.contains("pitstop_http"), "\(path)")
        }
        let query = try api.get("/v1/work-orders?q=%00abc", key: f.adminKey)
        #expect(query.status == 400 && query.problemFields == ["q"])
        // Escapes that decode to text still work, once: a parameter's %2D is a dash.
        #expect(try api.get("/v1/work-orders/\(order.replacingOccurrences(of: "-", with: "%2D"))", key: f.adminKey).status == 200)
    }

    @Test func eachResourceHasOneAddressWithoutATrailingSlash() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        #expect(try api.get("/v1/customers", key: tenant.adminKey).status == 200)
        let slash = try api.get("/v1/customers/", key: tenant.adminKey)
        #expect(slash.status == 404 && slash.text.contains("do not end in a slash (/v1/customers)"), "\(slash.text)")
        #expect(try api.get("/v1//customers", key: tenant.adminKey).status == 404)
        #expect(try api.get("/metrics/", key: nil).status == 404)
    }

    @Test func jsonRoutesRefuseBodiesDeclaredAsAnythingElseAndWriteNothing() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let body = Array(#"{"name":"王先生","phones":["13800138000"]}"#.utf8)
        for type in ["image/png", "text/plain", "application/x-www-form-urlencoded", nil] {
            let response = try api.client.send("POST", "/v1/customers",
                                               headers: bearer(tenant.adminKey, type.map { [("Content-Type", $0)] } ?? []), body: body)
            #expect(response.status == 415 && response.problemFields == ["Content-Type"], "\(type ?? "no type"): \(response.status)")
        }
        #expect((try api.get("/v1/customers", key: tenant.adminKey).json["items"] as? [Any])?.isEmpty == true)
        for type in ["application/json", "application/json; charset=utf-8", "application/merge-patch+json"] {
            let response = try api.client.send("POST", "/v1/customers", headers: bearer(tenant.adminKey, [("Content-Type", type)]), body: body)
            #expect(response.status == 201, "\(type): \(response.text)")
        }
    }

    @Test func contentLengthsThatDisagreeAreABadRequest() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let body = #"{"name":"王先生"}"#
        func raw(_ lengths: [Int]) -> [UInt8] {
            var head = "POST /v1/customers HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer \(tenant.adminKey)\r\n"
                + "Content-Type: application/json\r\n"
            for length in lengths { head += "Content-Length: \(length)\r\n" }
            return Array((head + "\r\n" + body).utf8)
        }
        let size = Array(body.utf8).count
        let smuggled = try api.client.sendRaw(raw([size, 3]))
        #expect(smuggled.status == 400 && smuggled.text.contains("Content-Length"), "\(smuggled.status) \(smuggled.text)")
        #expect((try api.get("/v1/customers", key: tenant.adminKey).json["items"] as? [Any])?.isEmpty == true)
        // The same length twice says one thing (RFC 9112 §6.3 lets a recipient take it).
        #expect(try api.client.sendRaw(raw([size, size])).status == 201)
    }

    @Test func aKeylessUploadIsRefusedFromItsHeadersWithoutWaitingForItsBody() throws {
        let api = try TestAPI()
        defer { api.stop() }
        // Headers that promise 900 KB, and no body at all: the answer must come from the headers
        // alone (waiting for the body would end only at the idle time-out, with no answer).
        for (path, type) in [("/v1/customers", "application/json"), ("/v1/customers/bulk", "application/x-ndjson"),
                             ("/v1/me/work-orders/\(UUID().uuidString.lowercased())/media", "image/jpeg")] {
            let head = "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: \(type)\r\nContent-Length: 900000\r\n\r\n"
            let started = Date()
            let response = try api.client.sendRaw(Array(head.utf8))
            #expect(response.status == 401 && response.header("WWW-Authenticate") != nil, "\(path): \(response.status)")
            #expect(Date().timeIntervalSince(started) < 10, "\(path) waited for the body")
        }
    }

    /// A property a body may leave out must be left out, not sent as null: the document does not
    /// allow null there, so neither does the server (schemathesis found engineer_id and tags
    /// accepting it). Partial updates, where null clears a field, still take it.
    @Test func nullIsRefusedWhereTheDocumentDoesNotAllowIt() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try DispatchAPITests().fixture(api)
        let refused: [(path: String, json: String, field: String)] = [
            ("/v1/api-keys", #"{"name":"前台","role":"dispatcher","engineer_id":null}"#, "engineer_id"),
            ("/v1/customers", #"{"name":"王先生","tags":null}"#, "tags"),
            ("/v1/work-orders", #"{"type_id":"\#(f.typeID)","customer_id":"\#(f.customerID)","description":"刹车异响","shop_id":null}"#, "shop_id"),
            ("/v1/knowledge-articles", #"{"title":"点火线圈故障","body":"更换线圈","tags":null}"#, "tags"),
        ]
        for (path, json, field) in refused {
            let response = try api.client.send("POST", path, headers: bearer(f.adminKey), json: json)
            #expect(response.status == 400 && response.problemFields == [field], "\(path): \(response.status) \(response.text)")
        }
        #expect((try api.get("/v1/knowledge-articles", key: f.adminKey).json["items"] as? [Any])?.isEmpty == true)
        // schemathesis sent `"quiet_hours": null` in a customer-message policy because the input
        // schema shared the answer's nullable one: the server refuses it, so the input says so.
        let policy = try api.client.send("PUT", "/v1/customer-messages", headers: bearer(f.adminKey), json: #"{"moments":{},"quiet_hours":null}"#)
        #expect(policy.status == 400 && policy.problemFields == ["quiet_hours"], "\(policy.text)")
        let document = try api.get("/v1/openapi.json", key: nil).json
        let inputs = ((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?["CustomerMessagePolicyInput"] as? [String: Any]
        #expect(((inputs?["properties"] as? [String: Any])?["quiet_hours"] as? [String: Any])?["type"] as? String == "object")
        // A partial update clears with null.
        let customer = try api.get("/v1/customers/\(f.customerID)", key: f.adminKey)
        let cleared = try api.client.send("PATCH", "/v1/customers/\(f.customerID)",
                                          headers: bearer(f.adminKey, [("If-Match", customer.header("ETag") ?? "")]), json: #"{"email":null}"#)
        #expect(cleared.status == 200, "\(cleared.text)")
    }

    /// schemathesis sent `If-Match: W/"9648720085903"`: versions are int4 in the database, and
    /// the comparison failed there with a 500. A version no record can have is a bad ETag.
    @Test func anETagBeyondAnyVersionIsABadRequestNotAServerError() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let shop = try api.client.send("POST", "/v1/shops", headers: bearer(tenant.adminKey), json: #"{"name":"西湖店"}"#)
        let id = try #require(shop.json["id"] as? String)
        for etag in [#"W/"9648720085903""#, #""2147483648""#, #""99999999999999999999999""#] {
            let changed = try api.client.send("PATCH", "/v1/shops/\(id)", headers: bearer(tenant.adminKey, [("If-Match", etag)]),
                                              json: #"{"name":"西湖二店"}"#)
            #expect(changed.status == 400 && changed.problemFields == ["If-Match"], "\(etag): \(changed.status) \(changed.text)")
        }
        let stale = try api.client.send("PATCH", "/v1/shops/\(id)", headers: bearer(tenant.adminKey, [("If-Match", #""2147483647""#)]),
                                        json: #"{"name":"西湖二店"}"#)
        #expect(stale.status == 412)
        #expect(try api.get("/v1/shops/\(id)", key: tenant.adminKey).json["name"] as? String == "西湖店")
    }

    /// schemathesis sent `PATCH /v1/customers/bulk` and got "customer not found": the `{id}` route
    /// took a path that is another resource's. A literal path is its own resource.
    @Test func aMethodOnALiteralPathIsA405NamingItsMethodsEvenWhereAnIDRouteFits() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        for (method, path, allowed) in [("PATCH", "/v1/customers/bulk", "POST"), ("GET", "/v1/engineers/bulk", "POST"),
                                        ("GET", "/v1/vehicles/by-external-id/history", "PUT")] {
            let answer = try api.client.send(method, path, headers: bearer(tenant.adminKey))
            #expect(answer.status == 405 && answer.header("Allow") == allowed, "\(method) \(path): \(answer.status) \(answer.header("Allow") ?? "")")
        }
        let customer = try api.client.send("POST", "/v1/customers", headers: bearer(tenant.adminKey), json: #"{"name":"李明"}"#)
        let id = try #require(customer.json["id"] as? String)
        #expect(try api.get("/v1/customers/\(id)", key: tenant.adminKey).status == 200)
        #expect(try api.get("/v1/vehicles/\(UUID().uuidString.lowercased())/history", key: tenant.adminKey).status == 404)
    }
}
