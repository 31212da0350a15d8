import Foundation
import HTTPServer
import PitstopAPI
import PitstopStore
import PitstopTesting
import Testing

@Suite struct OperationsTests {
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
