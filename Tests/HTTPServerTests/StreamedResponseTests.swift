import Foundation
import HTTPServer
import PitstopTesting
import Synchronization
import Testing

/// Responses whose body is written while it is sent.
@Suite struct StreamedResponseTests {
    /// 3 MiB in 64 KiB pieces: three times what a stream holds unsent, so the producer has to
    /// wait for the client along the way.
    static let pieces = (0..<48).map { index in [UInt8](repeating: UInt8(index), count: 64 * 1024) }

    @Test func aLargeBodyArrivesWholeAndInOrderAsItIsWritten() throws {
        let server = try HTTPServerTests.makeServer(extra: [
            Router.route("GET", "/stream") { _ in
                .streamed(headers: HTTPHeaders([("Content-Type", "application/octet-stream")])) { stream in
                    for piece in Self.pieces { try stream.write(piece) }
                }
            },
        ])
        defer { server.shutdown(grace: .seconds(1)) }
        let response = try RawHTTPClient(port: server.port).send("GET", "/stream")
        #expect(response.status == 200 && response.header("Transfer-Encoding") == "chunked")
        #expect(response.body == Self.pieces.flatMap { $0 })
    }

    @Test func aProducerLearnsTheClientHungUpAndStops() throws {
        let outcome = Mutex<String?>(nil)
        let server = try HTTPServerTests.makeServer(extra: [
            Router.route("GET", "/endless") { _ in
                .streamed(headers: HTTPHeaders([("Content-Type", "application/octet-stream")])) { stream in
                    let deadline = Date().addingTimeInterval(20)
                    do {
                        while Date() < deadline { try stream.write(Self.pieces[0]) }
                        outcome.withLock { $0 = "still writing after 20 s" }
                    } catch {
                        outcome.withLock { $0 = "\(type(of: error))" }
                        throw error
                    }
                }
            },
        ])
        defer { server.shutdown(grace: .seconds(1)) }
        let open = try RawHTTPClient(port: server.port).open("GET", "/endless")
        #expect(open.read(until: { $0.count >= 100_000 }, seconds: 10))
        open.hangUp()
        let deadline = Date().addingTimeInterval(25)
        while outcome.withLock({ $0 }) == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(outcome.withLock { $0 } == "ResponseStreamClosed")
        // The worker is free again.
        #expect(try RawHTTPClient(port: server.port).send("GET", "/items/1").text == "item 1")
    }

    @Test func aProducerThatFailsMidwayCutsTheBodyShort() throws {
        let server = try HTTPServerTests.makeServer(extra: [
            Router.route("GET", "/broken") { _ in
                .streamed(headers: HTTPHeaders([("Content-Type", "text/plain")])) { stream in
                    try stream.write(Array("first line\n".utf8))
                    throw CocoaError(.fileReadCorruptFile)
                }
            },
        ])
        defer { server.shutdown(grace: .seconds(1)) }
        let open = try RawHTTPClient(port: server.port).open("GET", "/broken")
        _ = try open.finish()
        let body = open.bodySoFar
        #expect(String(decoding: body.body, as: UTF8.self) == "first line\n")
        #expect(!body.complete)
    }
}
