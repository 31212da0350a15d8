import Foundation
import PitstopTesting
import Synchronization
import Testing

/// A customer's own data access request (PIPL) from a fleet: a company account whose cars have
/// had 1,200 orders and who owns 30 vehicles. The export must hold every one of them, not the
/// first page of a list.
@Suite struct CustomerExportTests {
    @Test func aFleetsExportHoldsEveryOneOfItsTwelveHundredOrders() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant(name: "车队服务")
        func create(_ path: String, _ json: String) throws -> String {
            let response = try api.client.send("POST", path, headers: bearer(tenant.adminKey), json: json)
            return try #require(response.json["id"] as? String, "\(path): \(response.text)")
        }
        let type = try create("/v1/work-order-types", #"{"code":"fleet","name":"车队保养"}"#)
        let customer = try create("/v1/customers", #"{"name":"杭州顺风物流有限公司","phones":["13712345678"]}"#)
        for car in 0..<30 {
            _ = try create("/v1/vehicles", #"{"customer_id":"\#(customer)","plate":"浙A\#(String(format: "%05d", 10000 + car))"}"#)
        }
        let failures = Mutex(0)
        let port = api.server.port
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            let client = RawHTTPClient(port: port)
            for index in stride(from: worker, to: 1200, by: 4) {
                let status = (try? client.send("POST", "/v1/work-orders", headers: bearer(tenant.adminKey),
                                               json: #"{"type_id":"\#(type)","customer_id":"\#(customer)","description":"第 \#(index) 单保养"}"#))?.status
                if status != 201 { failures.withLock { $0 += 1 } }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        let export = try api.get("/v1/customers/\(customer)/export", key: tenant.adminKey)
        #expect(export.status == 200)
        let orders = export.json["work_orders"] as? [[String: Any]] ?? []
        let numbers = Set(orders.compactMap { ($0["work_order"] as? [String: Any])?["number"] as? String })
        #expect(orders.count == 1200 && numbers.count == 1200, "every order once: \(orders.count) listed, \(numbers.count) distinct")
        #expect((export.json["vehicles"] as? [Any])?.count == 30)
    }
}
