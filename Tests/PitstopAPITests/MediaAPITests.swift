import Crypto
import Foundation
import PitstopCore
import PitstopTesting
import Testing

/// Photos and videos from the engineer's app: streamed in, checked by their bytes, stored by
/// their hash, and downloaded only inside the tenant.
@Suite struct MediaAPITests {
    let dispatch = DispatchAPITests()
    let mobile = MobileAPITests()

    /// A JPEG-looking file: the JFIF header, then `count` bytes that make each file distinct.
    static func jpeg(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
        [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) }
    }

    static func mp4(_ count: Int) -> [UInt8] {
        [0, 0, 0, 24] + Array("ftypmp42".utf8) + [0, 0, 0, 0] + Array("mp42isom".utf8) + [UInt8](repeating: 9, count: count)
    }

    /// An order the fixture's 陈师傅 has accepted, and his key.
    func acceptedByChen(_ api: TestAPI, _ f: DispatchAPITests.Fixture) throws -> (id: String, key: String) {
        let (id, key) = try mobile.assignedToChen(api, f)
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/accept", headers: bearer(key)).status == 200)
        return (id, key)
    }

    static func upload(_ api: TestAPI, _ order: String, key: String, type: String?, _ bytes: [UInt8],
                       extra: [(String, String)] = []) throws -> RawHTTPClient.Response {
        try api.client.send("POST", "/v1/me/work-orders/\(order)/media",
                            headers: bearer(key, (type.map { [("Content-Type", $0)] } ?? []) + extra), body: bytes)
    }

    /// Every file under the API's media store, spool included.
    static func storedFiles(_ api: TestAPI) -> [String] {
        let root = api.dataDirectory + "/media"
        return (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter {
            var directory: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + $0, isDirectory: &directory) && !directory.boolValue
        }
    }

    @Test func photosAndVideosAreStoredByTheirHashAndServedBack() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let tenant = try #require(try api.get("/v1/tenant", key: f.adminKey).json["id"] as? String)
        let (id, key) = try acceptedByChen(api, f)

        let photo = Self.jpeg(300_000)
        let sent = try Self.upload(api, id, key: key, type: "image/jpeg", photo)
        #expect(sent.status == 201, "\(sent.text)")
        let sha = Digest.sha256(photo).hex
        #expect(sent.json["sha256"] as? String == sha)
        #expect(sent.json["kind"] as? String == "photo")
        #expect(sent.json["size_bytes"] as? Int == photo.count)
        #expect(sent.json["engineer_id"] as? String == f.engineers["陈师傅"])
        let location = try #require(sent.header("Location"))
        #expect(location == sent.json["content_url"] as? String)
        // Content-addressed, per tenant.
        #expect(Self.storedFiles(api) == ["\(tenant)/\(sha.prefix(2))/\(sha)"])

        let video = Self.mp4(50_000)
        let clip = try Self.upload(api, id, key: key, type: "video/mp4", video)
        #expect(clip.status == 201, "\(clip.text)")
        #expect(clip.json["kind"] as? String == "video")
        // The same photo again is a second record of one file.
        #expect(try Self.upload(api, id, key: key, type: "image/jpeg", photo).status == 201)
        #expect(Self.storedFiles(api).count == 2)

        let listed = try api.get("/v1/work-orders/\(id)/media", key: f.adminKey)
        #expect((listed.json["items"] as? [[String: Any]])?.compactMap { $0["content_type"] as? String } == ["image/jpeg", "video/mp4", "image/jpeg"])
        #expect((try api.get("/v1/me/work-orders/\(id)", key: key).json["media"] as? [Any])?.count == 3)

        let whole = try api.get(location, key: f.adminKey)
        #expect(whole.status == 200)
        #expect(whole.body == photo)
        #expect(whole.header("Content-Type") == "image/jpeg")
        #expect(whole.header("ETag") == "\"\(sha)\"")
        #expect(whole.header("X-Content-Type-Options") == "nosniff")
        // The engineer's own order: his key downloads too; a video player seeks with a range.
        let part = try api.client.send("GET", clip.json["content_url"] as? String ?? "", headers: bearer(key, [("Range", "bytes=100-199")]))
        #expect(part.status == 206)
        #expect(part.body == Array(video[100..<200]))
        #expect(part.header("Content-Range") == "bytes 100-199/\(video.count)")
        let past = try api.client.send("GET", location, headers: bearer(key, [("Range", "bytes=\(photo.count)-")]))
        #expect(past.status == 416)
        #expect(past.header("Content-Range") == "bytes */\(photo.count)")
        #expect(try api.client.send("GET", location, headers: bearer(key, [("If-None-Match", "\"\(sha)\"")])).status == 304)
    }

    @Test func spoofedOversizedAndEmptyUploadsAreRefusedAndLeaveNothing() throws {
        let api = try TestAPI { $0.mediaLimits = MediaLimits(photoBytes: 100_000, videoBytes: 400_000) }
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let (id, key) = try acceptedByChen(api, f)

        // A text file called a JPEG.
        let text = try Self.upload(api, id, key: key, type: "image/jpeg", Array("definitely a photo of the engine, trust me".utf8))
        #expect(text.status == 415)
        #expect(text.problemFields == ["body"])
        // A real PNG declared as a JPEG is refused too: the declared type is checked, not trusted.
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 1, count: 100)
        let mislabelled = try Self.upload(api, id, key: key, type: "image/jpeg", png)
        #expect(mislabelled.status == 415)
        #expect((mislabelled.json["detail"] as? String)?.contains("a PNG image") == true)
        let untyped = try Self.upload(api, id, key: key, type: nil, Self.jpeg(100))
        #expect(untyped.status == 415)
        #expect(untyped.problemFields == ["Content-Type"])
        #expect(try Self.upload(api, id, key: key, type: "application/pdf", Array("%PDF-1.7".utf8)).status == 415)
        let empty = try Self.upload(api, id, key: key, type: "image/png", [])
        #expect(empty.status == 422)
        #expect(empty.problemFields == ["body"])

        // Limits per kind: a 200 kB photo is too large, a 200 kB video is not.
        let big = try Self.upload(api, id, key: key, type: "image/jpeg", Self.jpeg(200_000))
        #expect(big.status == 413)
        #expect(big.json["detail"] as? String == "the request body exceeds 100000 bytes")
        #expect(try Self.upload(api, id, key: key, type: "video/mp4", Self.mp4(200_000)).status == 201)
        // Without a length up front the limit is enforced as the bytes arrive.
        let chunked = "POST /v1/me/work-orders/\(id)/media HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer \(key)\r\n"
            + "Content-Type: image/jpeg\r\nTransfer-Encoding: chunked\r\n\r\n"
        var raw = Array(chunked.utf8)
        for _ in 0..<3 { raw += Array("D000\r\n".utf8) + Self.jpeg(0xD000 - 10) + Array("\r\n".utf8) }
        raw += Array("0\r\n\r\n".utf8)
        #expect(try api.client.sendRaw(raw).status == 413)

        // Only the video was kept: one row, one file, nothing left in the spool.
        #expect((try api.get("/v1/work-orders/\(id)/media", key: f.adminKey).json["items"] as? [Any])?.count == 1)
        #expect(Self.storedFiles(api).count == 1)
    }

    @Test func onlyTheOrdersEngineerUploadsAndOnlyTheTenantDownloads() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let (id, key) = try mobile.assignedToChen(api, f)
        // Not accepted yet; a desk key is not the engineer's app.
        #expect(try Self.upload(api, id, key: key, type: "image/jpeg", Self.jpeg(100)).status == 409)
        #expect(try Self.upload(api, id, key: f.adminKey, type: "image/jpeg", Self.jpeg(100)).status == 403)
        #expect(try Self.upload(api, id, key: "psk_bad", type: "image/jpeg", Self.jpeg(100)).status == 401)
        #expect(try api.client.send("POST", "/v1/work-orders/\(id)/accept", headers: bearer(key)).status == 200)
        let li = try PoolAndTransferAPITests().engineerKey(api, f, "李师傅")
        #expect(try Self.upload(api, id, key: li, type: "image/jpeg", Self.jpeg(100)).status == 404)
        #expect(Self.storedFiles(api).isEmpty)

        let sent = try Self.upload(api, id, key: key, type: "image/jpeg", Self.jpeg(1000))
        let url = try #require(sent.json["content_url"] as? String)
        let mediaID = try #require(sent.json["id"] as? String)
        #expect(try api.get(url, key: f.adminKey).status == 200)
        // Another engineer of the tenant, and another tenant's admin, find nothing there.
        #expect(try api.get(url, key: li).status == 404)
        #expect(try api.get("/v1/work-orders/\(id)/media", key: li).status == 404)
        let other = try api.makeTenant(name: "别家连锁")
        #expect(try api.get(url, key: other.adminKey).status == 404)
        #expect(try api.get("/v1/work-orders/\(id)/media", key: other.adminKey).status == 404)
        // Paths are never built from what a client sends.
        for path in ["/v1/media/..%2F..%2F..%2Fetc%2Fpasswd/content", "/v1/media/../../etc/passwd/content",
                     "/v1/media/\(mediaID)%2F..%2F..%2Fetc/content"] {
            let response = try api.get(path, key: f.adminKey)
            #expect(response.status == 404, "\(path): \(response.status)")
        }
    }

    @Test func theReportShowsBeforeAndAfterPhotosOfItsOwnOrder() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let f = try dispatch.fixture(api)
        let (id, key) = try acceptedByChen(api, f)
        func mediaID(_ type: String, _ bytes: [UInt8], order: String? = nil) throws -> String {
            let sent = try Self.upload(api, order ?? id, key: key, type: type, bytes)
            return try #require(sent.json["id"] as? String, "\(sent.text)")
        }
        let before = try mediaID("image/jpeg", Self.jpeg(500, seed: 1))
        let after = try mediaID("image/jpeg", Self.jpeg(500, seed: 2))
        let clip = try mediaID("video/mp4", Self.mp4(500))
        let (otherOrder, _) = try acceptedByChen(api, f)
        let elsewhere = try mediaID("image/jpeg", Self.jpeg(500, seed: 3), order: otherOrder)

        let path = "/v1/me/work-orders/\(id)/report"
        let bad = try api.client.send("PUT", path, headers: bearer(key), json: """
            {"diagnosis":"刹车片磨损","before_photos":["\(before)","\(elsewhere)"],"after_photos":["\(clip)","\(after)","\(after)"]}
            """)
        #expect(bad.status == 422)
        #expect(Set(bad.problemFields) == ["before_photos[1]", "after_photos[0]", "after_photos[2]"])
        let saved = try api.client.send("PUT", path, headers: bearer(key), json: """
            {"diagnosis":"刹车片磨损","work_performed":"更换前刹车片","before_photos":["\(before)"],"after_photos":["\(after)"]}
            """)
        #expect(saved.status == 201, "\(saved.text)")
        let shown = try #require((api.get("/v1/work-orders/\(id)/report", key: f.adminKey).json["versions"] as? [[String: Any]])?.first)
        #expect((shown["before_photos"] as? [[String: Any]])?.compactMap { $0["media_id"] as? String } == [before])
        #expect((shown["after_photos"] as? [[String: Any]])?.first?["sha256"] as? String == Digest.sha256(Self.jpeg(500, seed: 2)).hex)
        // The next version starts from what it names: none here.
        let next = try api.client.send("PUT", path, headers: bearer(key, [("If-Match", "\"1\"")]), json: #"{"diagnosis":"刹车片磨损"}"#)
        #expect((next.json["before_photos"] as? [Any])?.isEmpty == true)
    }
}
