import Foundation
import PitstopAPI
import PitstopJobs
import PitstopStore
import PitstopTesting
import Postgres
import Testing

/// Photos past each chain's media retention: 3,000 old records of a closed order (more than one
/// batch) are purged by the worker, and the API's sweep removes the files no live record names.
/// The adversaries: the same photo also on an open order (its file must stay), a chain keeping
/// the default year, an upload whose record is not committed yet, and a client asking for a
/// purged photo.
@Suite struct MediaRetentionTests {
    let housekeeping = HousekeepingTests()
    let pages = TrackingPageTests()

    @Test func mediaOfClosedOrdersPastTheirChainsRetentionArePurgedAndTheirFilesSweptWhileSharedAndYoungFilesStay() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let owner = try Connection(TestDatabase.shared.ownerConfiguration)
        struct Chain { var tenant: UUID; var admin: String; var closed: String; var open: String; var key: String; var order: TrackingPageTests.Order }
        func chain(retention: Int?) throws -> Chain {
            let o = try pages.order(api)
            if let retention {
                let patched = try api.client.send("PATCH", "/v1/tenant", headers: bearer(o.admin, [("If-Match", "\"1\"")]),
                                                  json: #"{"media_retention_days":\#(retention)}"#)
                #expect(patched.status == 200 && patched.json["media_retention_days"] as? Int == retention, "\(patched.text)")
            }
            try pages.step(api, o, "assigned", #","assignee_id":"\#(o.engineer)","override":true"#)
            #expect(try api.client.send("POST", "/v1/work-orders/\(o.id)/accept", headers: bearer(o.engineerKey)).status == 200)
            let tenant = try #require(try api.get("/v1/tenant", key: o.admin).json["id"] as? String)
            let second = try api.client.send("POST", "/v1/work-orders", headers: bearer(o.admin), json: """
                {"type_id":"\(try #require(try api.get("/v1/work-orders/\(o.id)", key: o.admin).json["type_id"] as? String))","description":"复查",
                 "customer":{"name":"李女士","phones":["13912345678"]},"insist":true}
                """)
            let open = try #require(second.json["id"] as? String, "\(second.text)")
            return Chain(tenant: UUID(uuidString: tenant)!, admin: o.admin, closed: o.id, open: open, key: o.engineerKey, order: o)
        }
        let brief = try chain(retention: 30)
        let standard = try chain(retention: nil)
        let shared = MediaAPITests.jpeg(3000, seed: 5)
        var photos: [String: (id: String, path: String)] = [:]
        for (name, c) in [("brief", brief), ("standard", standard)] {
            for (label, bytes) in [("only", MediaAPITests.jpeg(2000, seed: name == "brief" ? 1 : 2)), ("shared", shared)] {
                let uploaded = try MediaAPITests.upload(api, c.closed, key: c.key, type: "image/jpeg", bytes)
                let id = try #require(uploaded.json["id"] as? String, "\(uploaded.text)")
                let sha = try #require(uploaded.json["sha256"] as? String)
                photos["\(name)-\(label)"] = (id, "\(api.dataDirectory)/media/\(c.tenant.uuidString.lowercased())/\(sha.prefix(2))/\(sha)")
            }
            // The shared photo also belongs to the chain's open order, uploaded today.
            _ = try owner.query("""
                INSERT INTO work_order_media (tenant_id, id, work_order_id, content_type, size_bytes, sha256, created_at)
                SELECT tenant_id, gen_random_uuid(), \(UUID(uuidString: c.open)!), content_type, size_bytes, sha256, now()
                FROM work_order_media WHERE tenant_id = \(c.tenant) AND id = \(UUID(uuidString: photos["\(name)-shared"]!.id)!)
                """)
            // 3,000 more records two months old on the closed order, and the order closed.
            _ = try owner.query("""
                INSERT INTO work_order_media (tenant_id, id, work_order_id, content_type, size_bytes, sha256, created_at)
                SELECT \(c.tenant)::uuid, gen_random_uuid(), \(UUID(uuidString: c.closed)!)::uuid, 'image/jpeg', 100, md5(n::text) || md5(n::text),
                       now() - interval '60 days'
                FROM generate_series(1, 3000) n
                """)
            _ = try owner.query("""
                UPDATE work_order_media SET created_at = now() - interval '60 days'
                WHERE tenant_id = \(c.tenant) AND work_order_id = \(UUID(uuidString: c.closed)!)
                """)
            try pages.step(api, c.order, "cancelled", #","reason":"客户改约""#)
        }
        let lease = "housekeeping_test_" + String(UUID().uuidString.lowercased().filter(\.isLetter).prefix(12))
        #expect(try housekeeping.housekeeping(lease, holder: "worker-1").run(now: Date()))
        func purged(_ c: Chain) throws -> (closed: Int, open: Int) {
            let rows = try owner.query("""
                SELECT count(*) FILTER (WHERE work_order_id = \(UUID(uuidString: c.closed)!)) AS closed,
                       count(*) FILTER (WHERE work_order_id = \(UUID(uuidString: c.open)!)) AS open
                FROM work_order_media WHERE tenant_id = \(c.tenant) AND purged_at IS NOT NULL
                """)[0]
            return (try rows.decode("closed"), try rows.decode("open"))
        }
        #expect(try purged(brief) == (3002, 0), "every old record of the closed order, none of the open one")
        #expect(try purged(standard) == (0, 0), "the default year has not passed")

        // An upload in flight: its file is on disk, its record not yet committed.
        let young = "\(api.dataDirectory)/media/\(brief.tenant.uuidString.lowercased())/ab/" + String(repeating: "ab", count: 32)
        try FileManager.default.createDirectory(atPath: (young as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: young))
        #expect(try api.application.sweepMedia(now: Date()) == 0, "nothing is an hour old yet")
        #expect(try api.application.sweepMedia(now: Date().addingTimeInterval(7200)) == 2, "the purged photo and the orphan go")
        let exists = { FileManager.default.fileExists(atPath: $0) }
        #expect(!exists(photos["brief-only"]!.path) && !exists(young))
        #expect(exists(photos["brief-shared"]!.path), "the open order still shows the same bytes")
        #expect(exists(photos["standard-only"]!.path) && exists(photos["standard-shared"]!.path))
        let gone = try api.client.send("GET", "/v1/media/\(photos["brief-only"]!.id)/content", headers: bearer(brief.admin))
        #expect(gone.status == 410 && gone.text.contains("media_retention_days"), "\(gone.text)")
        #expect(try api.client.send("GET", "/v1/media/\(photos["standard-only"]!.id)/content", headers: bearer(standard.admin)).status == 200)
        let refused = try api.client.send("PATCH", "/v1/tenant", headers: bearer(brief.admin, [("If-Match", "\"2\"")]), json: #"{"media_retention_days":7}"#)
        #expect(refused.status == 422 && refused.problemFields == ["media_retention_days"], "\(refused.text)")
    }
}
