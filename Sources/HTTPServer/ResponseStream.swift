import CMicroHTTPD
import Foundation

/// The body of a response sent while its handler is still producing it (chunked transfer
/// encoding): the handler's worker writes, the connection's poll thread reads whatever is there.
/// When the poll thread finds nothing to send it parks the connection (suspends it) instead of
/// spinning, and the next write or the end wakes it.
public final class ResponseStream: @unchecked Sendable {
    /// Unsent bytes past which `write` waits for the client to read: a slow reader slows the
    /// producer down instead of filling memory.
    static let highWater = 1 << 20

    private let condition = NSCondition()
    private let connection: OpaquePointer
    private var pending: [UInt8] = []
    private var sentFromPending = 0
    private var ended = false
    private var failed = false
    /// The response was destroyed: the client went away (or the request ended).
    private var closed = false
    /// The poll thread found nothing to send and suspended the connection.
    private var parked = false
    private var sent = 0

    init(connection: OpaquePointer) {
        self.connection = connection
    }

    /// Appends to the body. Throws `ResponseStreamClosed` once the client is gone, so the
    /// producer can stop doing work nobody will hear about.
    public func write(_ bytes: [UInt8]) throws {
        condition.lock()
        defer { condition.unlock() }
        while !closed && pending.count - sentFromPending >= Self.highWater { condition.wait() }
        guard !closed else { throw ResponseStreamClosed() }
        // Drop what was sent once it is most of the buffer, so a long stream that the reader
        // never quite catches up with does not keep every byte it ever sent.
        if sentFromPending > 0 && sentFromPending >= pending.count / 2 {
            pending.removeFirst(sentFromPending)
            sentFromPending = 0
        }
        pending.append(contentsOf: bytes)
        wake()
    }

    /// Bytes handed to libmicrohttpd so far (for the access log).
    var bytesSent: Int { condition.withLock { sent } }

    /// The producer is done: the body ends normally, or, when it `failed`, the connection is cut
    /// without the final chunk so the client knows the answer is incomplete.
    func end(failed: Bool) {
        condition.withLock {
            ended = true
            self.failed = failed
            wake()
        }
    }

    /// Resumes a parked connection; called with the lock held. A connection is only parked from
    /// `read`, and libmicrohttpd never closes a suspended connection, so it is still there.
    private func wake() {
        guard parked else { return }
        parked = false
        MHD_resume_connection(connection)
    }

    /// On the poll thread: the next bytes into `buffer`, or the end of the body, or 0 after
    /// parking the connection until there is more.
    fileprivate func read(into buffer: UnsafeMutablePointer<CChar>, max: Int) -> Int {
        condition.lock()
        defer { condition.unlock() }
        let available = pending.count - sentFromPending
        if available > 0 {
            let count = min(available, max)
            pending.withUnsafeBytes { bytes in
                UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + sentFromPending, byteCount: count)
            }
            sentFromPending += count
            sent += count
            if sentFromPending == pending.count {
                pending.removeAll(keepingCapacity: true)
                sentFromPending = 0
            }
            condition.broadcast()
            return count
        }
        if ended && !failed { return -1 }  // MHD_CONTENT_READER_END_OF_STREAM
        if ended {
            // The client must learn at once that the body is cut short. libmicrohttpd closes the
            // connection after END_WITH_ERROR, but when that happens while it handles a resumed
            // connection the socket may stay open until its next wake-up (up to the idle
            // time-out); shutting it down here tells the client now, and libmicrohttpd still
            // closes the descriptor itself.
            let socket = pitstop_mhd_connection_fd(connection)
            if socket >= 0 { shutdown(socket, Int32(SHUT_RDWR)) }
            return -2  // MHD_CONTENT_READER_END_WITH_ERROR
        }
        parked = true
        MHD_suspend_connection(connection)
        return 0
    }

    fileprivate func close() {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
    }

    /// A libmicrohttpd response reading from this stream; the response keeps the stream alive
    /// until it is destroyed.
    func makeResponse() -> OpaquePointer? {
        let reader: MHD_ContentReaderCallback = { context, _, buffer, max in
            guard let context, let buffer else { return -2 }
            return Unmanaged<ResponseStream>.fromOpaque(context).takeUnretainedValue().read(into: buffer, max: max)
        }
        let release: MHD_ContentReaderFreeCallback = { context in
            guard let context else { return }
            let stream = Unmanaged<ResponseStream>.fromOpaque(context).takeRetainedValue()
            stream.close()
        }
        let context = Unmanaged.passRetained(self)
        let response = MHD_create_response_from_callback(UInt64.max, 32 * 1024, reader, context.toOpaque(), release)
        if response == nil { context.release() }
        return response
    }
}

/// Thrown by `ResponseStream.write` when the client has gone away.
public struct ResponseStreamClosed: Error, CustomStringConvertible {
    public var description: String { "the client closed the connection before the response was complete" }
}
