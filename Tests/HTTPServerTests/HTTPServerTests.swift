import Foundation
import HTTPServer
import Logging
import PitstopTesting
import Testing

@Suite struct HTTPServerTests {
    struct Echo: Codable { var name: String; var count: Int }

    static func makeServer(maxBody: Int = 1024, workers: Int = 2, queueLimit: Int = 64,
                           extra: [Router.Route] = []) throws -> HTTPServer {
        let router = Router([
            Router.route("GET", "/ping", inline: true) { _ in .text("pong") },
            Router.route("GET", "/items/{id}") { request in .text("item \(request.pathParameters["id"] ?? "")") },
            Router.route("DELETE", "/items/{id}") { _ in .noContent() },
            Router.route("POST", "/echo") { request in
                try .json(JSONCoding.decode(Echo.self, from: request.body, allowedFields: ["name", "count"]), status: 201)
            },
            Router.route("GET", "/headers") { request in .text(request.headers.values("X-Tag").joined(separator: "|")) },
            Router.route("GET", "/boom") { _ in throw CocoaError(.fileNoSuchFile) },
        ] + extra)
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.maxBodyBytes = maxBody
        configuration.workerThreads = workers
        configuration.queueLimit = queueLimit
        let server = HTTPServer(configuration: configuration, router: router, logger: Logger(component: "test", minimumLevel: .error, sink: { _ in }))
        try server.start()
        return server
    }

    @Test func routesMethodsAndParameters() throws {
        let server = try Self.makeServer()
        defer { server.shutdown(grace: .seconds(1)) }
        let client = RawHTTPClient(port: server.port)
        #expect(try client.send("GET", "/ping").text == "pong")
        #expect(try client.send("GET", "/items/%E6%B1%BD").text == "item 汽")
        let missing = try client.send("GET", "/nowhere")
        #expect(missing.status == 404)
        #expect(missing.header("Content-Type") == "application/problem+json")
        let wrongMethod = try client.send("PUT", "/items/1")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") == "GET, DELETE")
    }

    @Test func requestIDIsEchoedOrGenerated() throws {
        let server = try Self.makeServer()
        defer { server.shutdown(grace: .seconds(1)) }
        let client = RawHTTPClient(port: server.port)
        #expect(try client.send("GET", "/ping", headers: [("X-Request-Id", "abc-123")]).header("X-Request-Id") == "abc-123")
        let generated = try client.send("GET", "/ping", headers: [("X-Request-Id", "bad value with spaces")]).header("X-Request-Id")
        #expect(generated != nil && generated != "bad value with spaces")
    }

    @Test func repeatedHeadersAreKept() throws {
        let server = try Self.makeServer()
        defer { server.shutdown(grace: .seconds(1)) }
        let response = try RawHTTPClient(port: server.port).send("GET", "/headers", headers: [("X-Tag", "a"), ("X-Tag", "b")])
        #expect(response.text == "a|b")
    }

    @Test func jsonBodiesDecodeAndBadOnesAreProblemsNamingTheField() throws {
        let server = try Self.makeServer()
        defer { server.shutdown(grace: .seconds(1)) }
        let client = RawHTTPClient(port: server.port)
        let ok = try client.send("POST", "/echo", json: #"{"name":"x","count":2}"#)
        #expect(ok.status == 201)
        #expect(ok.json["count"] as? Int == 2)

        let malformed = try client.send("POST", "/echo", json: #"{"name":"#)
        #expect(malformed.status == 400)
        #expect(malformed.json["detail"] as? String == "the request body is not valid JSON")

        let wrongType = try client.send("POST", "/echo", json: #"{"name":"x","count":"two"}"#)
        #expect(wrongType.status == 400)
        #expect((wrongType.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "count")

        let unknown = try client.send("POST", "/echo", json: #"{"name":"x","count":1,"colour":"red"}"#)
        #expect(unknown.status == 400)
        #expect((unknown.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "colour")

        let missing = try client.send("POST", "/echo", json: #"{"count":1}"#)
        #expect(missing.status == 422)
        #expect((missing.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "name")
    }

    @Test func unexpectedErrorsAre500WithoutInternals() throws {
        let server = try Self.makeServer()
        defer { server.shutdown(grace: .seconds(1)) }
        let response = try RawHTTPClient(port: server.port).send("GET", "/boom")
        #expect(response.status == 500)
        #expect(!response.text.contains("CocoaError"))
        #expect(response.text.contains(response.header("X-Request-Id") ?? "missing"))
    }

    @Test func oversizedBodiesAre413() throws {
        let server = try Self.makeServer(maxBody: 100)
        defer { server.shutdown(grace: .seconds(1)) }
        let client = RawHTTPClient(port: server.port)
        let declared = try client.send("POST", "/echo", body: [UInt8](repeating: 65, count: 500))
        #expect(declared.status == 413)

        // Chunked: no length up front; the server reads past the limit, drops it, answers 413.
        let chunk = String(repeating: "a", count: 80)
        let raw = "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "50\r\n\(chunk)\r\n50\r\n\(chunk)\r\n0\r\n\r\n"
        #expect(try client.sendRaw(Array(raw.utf8)).status == 413)
    }

    @Test func bothFramingsAtOnceAreRefused() throws {
        let server = try Self.makeServer()
        defer { server.shutdown(grace: .seconds(1)) }
        let raw = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        let response = try RawHTTPClient(port: server.port).sendRaw(Array(raw.utf8))
        #expect(response.status == 400)
    }

    @Test func aFullQueueAnswers503WithRetryAfter() throws {
        let entered = DispatchSemaphore(value: 0)
        let gate = DispatchSemaphore(value: 0)
        let slow = Router.route("GET", "/slow") { _ in
            entered.signal()
            gate.wait()
            return .text("done")
        }
        let server = try Self.makeServer(workers: 1, queueLimit: 1, extra: [slow])
        defer { server.shutdown(grace: .seconds(5)) }
        let client = RawHTTPClient(port: server.port)
        let group = DispatchGroup()
        let statuses = StatusBox()
        // Plain threads: the clients block in recv, which GCD's small pool would serialise.
        func sendInBackground() {
            group.enter()
            Thread.detachNewThread {
                statuses.add((try? client.send("GET", "/slow"))?.status ?? 0)
                group.leave()
            }
        }
        // The first request occupies the only worker; the second waits in the one queue place.
        sendInBackground()
        #expect(entered.wait(timeout: .now() + 5) == .success)
        sendInBackground()
        for _ in 0..<500 where server.inFlight < 2 { Thread.sleep(forTimeInterval: 0.01) }
        #expect(server.inFlight == 2)

        // Further requests are turned away at once, while inline routes keep answering.
        let turnedAway = try (0..<2).map { _ in try client.send("GET", "/slow") }
        #expect(turnedAway.map(\.status) == [503, 503])
        #expect(turnedAway.map { $0.header("Retry-After") } == ["1", "1"])
        #expect(try client.send("GET", "/ping").status == 200)

        gate.signal()
        #expect(entered.wait(timeout: .now() + 5) == .success)
        gate.signal()
        group.wait()
        #expect(statuses.values == [200, 200])
    }
}

final class StatusBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int] = []
    func add(_ value: Int) { lock.withLock { stored.append(value) } }
    var values: [Int] { lock.withLock { stored } }
}

@Suite struct ShutdownTests {
    @Test func shutdownFinishesRequestsInFlightAndStopsListening() throws {
        let entered = DispatchSemaphore(value: 0)
        let slow = Router.route("GET", "/slow") { _ in
            entered.signal()
            Thread.sleep(forTimeInterval: 0.3)
            return .text("finished")
        }
        let server = try HTTPServerTests.makeServer(extra: [slow])
        let client = RawHTTPClient(port: server.port)
        let result = StatusBox()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            result.add((try? client.send("GET", "/slow"))?.status ?? 0)
            done.signal()
        }
        #expect(entered.wait(timeout: .now() + 5) == .success)
        server.shutdown(grace: .seconds(5))
        // shutdown returned only after the request in flight was answered.
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(result.values == [200])
        #expect(throws: RawHTTPError.self) { try client.send("GET", "/ping") }
    }
}
