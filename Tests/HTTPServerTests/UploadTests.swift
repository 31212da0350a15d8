import Crypto
import Foundation
import HTTPServer
import Logging
import PitstopTesting
import Testing

/// Upload routes: headers are admitted before the body is read, the body streams to a spool file
/// (never memory), and whatever goes wrong leaves the spool directory empty.
@Suite struct UploadTests {
    /// A server with one upload route at `/files`: the `X-Limit` header sets the limit (a missing
    /// one refuses the upload with 403); the handler answers with what it received, keeps the file
    /// under `kept/` when asked with `?keep`, and fails when asked with `?fail`.
    final class Fixture: @unchecked Sendable {
        let directory: String
        let spool: String
        let server: HTTPServer
        let admissions = Counter()
        /// Requests the server has finished with, and the bytes each received.
        let finished = Recorder()

        init() throws {
            directory = NSTemporaryDirectory() + "pitstop-upload-\(UUID().uuidString)"
            spool = directory + "/spool"
            try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: directory + "/kept", withIntermediateDirectories: true)
            let kept = directory + "/kept"
            let admissions = admissions
            let router = Router([
                Router.upload("POST", "/files", admission: { request in
                    admissions.add()
                    guard let limit = request.headers["X-Limit"].flatMap(Int.init) else { throw Problem.forbidden("no limit given") }
                    return limit
                }) { request in
                    guard let upload = request.upload else { return .text("no upload", status: 500) }
                    if request.queryValue("fail") != nil { throw Problem.conflict("the handler refused it") }
                    if request.queryValue("keep") != nil { try upload.move(to: "\(kept)/\(upload.sha256)") }
                    return .text("\(upload.size) \(upload.sha256) \(upload.head.count) \(request.body.count)", status: 201)
                },
                Router.route("GET", "/kept/{name}") { request in
                    let path = "\(kept)/\(request.pathParameters["name"] ?? "")"
                    var response = HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/octet-stream")]))
                    response.file = try ResponseFile(path: path, range: request.queryValue("from").flatMap(Int.init).map { $0..<($0 + 10) })
                    return response
                },
            ])
            var configuration = HTTPServer.Configuration()
            configuration.port = 0
            configuration.maxBodyBytes = 1024
            configuration.workerThreads = 2
            configuration.spoolDirectory = spool
            // libmicrohttpd notices a client that hung up after sending much of a body only when
            // the idle time-out closes the connection; keep it short so the test need not wait.
            configuration.idleTimeoutSeconds = 2
            let finished = finished
            server = HTTPServer(configuration: configuration, router: router,
                                logger: Logger(component: "test", minimumLevel: .error, sink: { _ in }),
                                onCompleted: { finished.add($0) })
            try server.start()
        }

        var client: RawHTTPClient { RawHTTPClient(port: server.port) }

        /// Files left in the spool directory, waiting briefly for the server to finish the request.
        func spoolFiles() -> [String] {
            for _ in 0..<100 {
                let files = (try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []
                if files.isEmpty { return [] }
                Thread.sleep(forTimeInterval: 0.02)
            }
            return (try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []
        }

        deinit {
            server.shutdown(grace: .seconds(1))
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var requests: [HTTPServer.CompletedRequest] = []
        func add(_ request: HTTPServer.CompletedRequest) { lock.withLock { requests.append(request) } }

        /// The finished requests once there are `count`, or after ten seconds whatever there is.
        func wait(for count: Int) -> [HTTPServer.CompletedRequest] {
            for _ in 0..<500 where lock.withLock({ requests.count }) < count { Thread.sleep(forTimeInterval: 0.02) }
            return lock.withLock { requests }
        }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }

    static func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
    }

    @Test func aBodyFarOverTheMemoryLimitStreamsToDiskWithItsHash() throws {
        let fixture = try Fixture()
        let body = Self.bytes(3 << 20)
        let response = try fixture.client.send("POST", "/files?keep", headers: [("X-Limit", "\(4 << 20)")], body: body)
        #expect(response.status == 201)
        #expect(response.text == "\(body.count) \(Digest.sha256(body).hex) 64 0")
        let kept = try Data(contentsOf: URL(fileURLWithPath: "\(fixture.directory)/kept/\(Digest.sha256(body).hex)"))
        #expect(Array(kept) == body)
        #expect(fixture.spoolFiles().isEmpty)
    }

    @Test func chunkedUploadsStreamToo() throws {
        let fixture = try Fixture()
        let piece = String(repeating: "b", count: 3000)
        let raw = "POST /files HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Limit: 10000\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "bb8\r\n\(piece)\r\nbb8\r\n\(piece)\r\n0\r\n\r\n"
        let response = try fixture.client.sendRaw(Array(raw.utf8))
        #expect(response.status == 201)
        #expect(response.text == "6000 \(Digest.sha256(piece + piece).hex) 64 0")
        #expect(fixture.spoolFiles().isEmpty)
    }

    @Test func aRefusedUploadIsAnsweredBeforeItsBodyIsSent() throws {
        let fixture = try Fixture()
        // Headers announcing a body that never comes: the answer must not wait for it.
        let raw = "POST /files HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n"
        let response = try fixture.client.sendRaw(Array(raw.utf8))
        #expect(response.status == 403)
        #expect(response.json["detail"] as? String == "no limit given")
        #expect(fixture.admissions.value == 1)
        #expect(fixture.spoolFiles().isEmpty)
    }

    @Test func anAnnouncedLengthOverTheLimitIs413WithoutReadingTheBody() throws {
        let fixture = try Fixture()
        let raw = "POST /files HTTP/1.1\r\nHost: x\r\nX-Limit: 1000\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n"
        let response = try fixture.client.sendRaw(Array(raw.utf8))
        #expect(response.status == 413)
        #expect(response.json["detail"] as? String == "the request body exceeds 1000 bytes")
        #expect(fixture.spoolFiles().isEmpty)
    }

    @Test func aChunkedBodyThatOutgrowsTheLimitIs413AndLeavesNothing() throws {
        let fixture = try Fixture()
        let piece = String(repeating: "c", count: 3000)
        let raw = "POST /files HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Limit: 5000\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "bb8\r\n\(piece)\r\nbb8\r\n\(piece)\r\n0\r\n\r\n"
        #expect(try fixture.client.sendRaw(Array(raw.utf8)).status == 413)
        #expect(fixture.spoolFiles().isEmpty)
    }

    @Test func aHandlerThatFailsLeavesNothing() throws {
        let fixture = try Fixture()
        let response = try fixture.client.send("POST", "/files?fail", headers: [("X-Limit", "100000")], body: Self.bytes(50_000))
        #expect(response.status == 409)
        #expect(fixture.spoolFiles().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory + "/kept").isEmpty)
    }

    @Test func aClientThatHangsUpHalfwayLeavesNothing() throws {
        let fixture = try Fixture()
        let head = "POST /files HTTP/1.1\r\nHost: x\r\nX-Limit: 10000000\r\nContent-Length: 5000000\r\n\r\n"
        try fixture.client.sendAndHangUp(Array(head.utf8) + Self.bytes(1 << 20))
        let ended = fixture.finished.wait(for: 1)
        // Part of the body had reached the spool file when the connection went.
        #expect(ended.count == 1 && !ended[0].completed && ended[0].bytesIn > 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.spool).isEmpty)
        // The server is still well.
        #expect(try fixture.client.send("POST", "/files", headers: [("X-Limit", "10")], body: Self.bytes(5)).status == 201)
    }

    @Test func filesAreServedFromDiskWholeOrAsARange() throws {
        let fixture = try Fixture()
        let body = Self.bytes(200_000)
        #expect(try fixture.client.send("POST", "/files?keep", headers: [("X-Limit", "1000000")], body: body).status == 201)
        let whole = try fixture.client.send("GET", "/kept/\(Digest.sha256(body).hex)")
        #expect(whole.status == 200)
        #expect(whole.header("Content-Length") == "200000")
        #expect(whole.body == body)
        let part = try fixture.client.send("GET", "/kept/\(Digest.sha256(body).hex)?from=1000")
        #expect(part.body == Array(body[1000..<1010]))
    }
}

@Suite struct ByteRangeTests {
    @Test(arguments: [
        ("bytes=0-99", ByteRange.part(0..<100)),
        ("bytes=100-", .part(100..<1000)),
        ("bytes=-100", .part(900..<1000)),
        ("bytes=-5000", .part(0..<1000)),
        ("bytes=990-5000", .part(990..<1000)),
        ("bytes=999-999", .part(999..<1000)),
        ("bytes=1000-", .unsatisfiable),
        ("bytes=-0", .unsatisfiable),
        ("bytes=5-2", .whole),
        ("bytes=0-1,5-9", .whole),
        ("items=0-5", .whole),
        ("bytes=a-b", .whole),
        ("bytes=-", .whole),
    ])
    func rangesAgainstAThousandBytes(header: String, expected: ByteRange) {
        #expect(ByteRange.parse(header, size: 1000) == expected)
    }
}
