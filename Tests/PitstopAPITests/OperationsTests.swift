import Foundation
import HTTPServer
import PitstopAPI
import PitstopStore
import PitstopTesting
import Testing

@Suite struct OperationsTests {
    /// Every query parameter the document constrains (an enum, a UUID, a date, a range) is
    /// refused by the server with a 400 naming it when a client breaks the constraint: the
    /// document promises nothing the server does not hold to.
    @Test func everyConstrainedQueryParameterIsEnforcedAsDocumented() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        // The engineer's app routes (/v1/me/…) answer an engineer key only.
        let engineer = try api.client.send("POST", "/v1/engineers", headers: bearer(tenant.adminKey), json: #"{"name":"陈师傅"}"#)
        let engineerKey = try #require(try api.client.send("POST", "/v1/api-keys", headers: bearer(tenant.adminKey), json: """
            {"name":"陈师傅的手机","role":"engineer","engineer_id":"\(engineer.json["id"] as? String ?? "")"}
            """).json["secret"] as? String)
        let paths = try #require(try api.get("/v1/openapi.json", key: nil).json["paths"] as? [String: [String: Any]])
        var checked = 0
        for (path, operations) in paths.sorted(by: { $0.key < $1.key }) {
            guard let get = operations["get"] as? [String: Any], let parameters = get["parameters"] as? [[String: Any]] else { continue }
            // Paths with ids need records; the report route is exercised by one of its names.
            if path.contains("{") && path != "/v1/reports/{name}" { continue }
            let concrete = path.replacingOccurrences(of: "{name}", with: "orders")
            for parameter in parameters where parameter["in"] as? String == "query" {
                guard let name = parameter["name"] as? String, let schema = parameter["schema"] as? [String: Any] else { continue }
                let bad: String?
                if schema["enum"] != nil { bad = "nonsense" }
                else if schema["format"] as? String == "uuid" { bad = "not-a-uuid" }
                else if schema["format"] as? String == "date" { bad = "2026-13-45" }
                else if schema["format"] as? String == "date-time" { bad = "yesterday" }
                else if let minimum = schema["minimum"] as? Int { bad = String(minimum - 1) }
                else if let maximum = schema["maximum"] as? Int { bad = String(maximum + 1) }
                else { bad = nil }
                guard let bad else { continue }
                let response = try api.get("\(concrete)?\(name)=\(bad)", key: path.hasPrefix("/v1/me/") ? engineerKey : tenant.adminKey)
                #expect(response.status == 400 && response.problemFields.contains(name),
                        "\(path)?\(name)=\(bad) answered \(response.status): \(response.text.prefix(200))")
                checked += 1
            }
        }
        #expect(checked > 30)
    }

    @Test func openAPIDocumentMatchesTheRoutes() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let routes = Set(api.application.router.routes.map { "\($0.method) \($0.pattern)" })
        let documented = APIApplication.documentedOperations
        #expect(routes.subtracting(documented).isEmpty, "routes missing from the document: \(routes.subtracting(documented).sorted())")
        #expect(documented.subtracting(routes).isEmpty, "documented routes that do not exist: \(documented.subtracting(routes).sorted())")

        let served = try api.get("/v1/openapi.json", key: nil)
        #expect(served.status == 200)
        #expect(served.json["openapi"] as? String == "3.1.0")
        #expect((served.json["paths"] as? [String: Any])?.count == Set(routes.map { $0.split(separator: " ")[1] }).count)
    }

    @Test func healthReadinessAndMetrics() throws {
        let api = try TestAPI()
        defer { api.stop() }
        #expect(try api.get("/healthz", key: nil).json["status"] as? String == "ok")
        let ready = try api.get("/readyz", key: nil)
        #expect(ready.status == 200)
        #expect(ready.json["schema_version"] as? Int == Schema.version)
        _ = try api.get("/v1/tenant", key: nil)
        let metrics = try api.get("/metrics", key: nil)
        #expect(metrics.status == 200)
        #expect(metrics.text.contains(#"pitstop_http_requests_total{method="GET",route="/v1/tenant",status="401"} 1"#))
        #expect(metrics.text.contains("pitstop_http_request_duration_seconds_bucket"))
        #expect(metrics.text.contains("pitstop_db_pool_connections{state=\"idle\"}"))
    }
}
