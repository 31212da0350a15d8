import Foundation

/// A deliberately small HTTP/1.1 client over a plain socket, so tests control every byte sent
/// (both framings at once, oversized or chunked bodies) and see exactly what the server answers.
public struct RawHTTPClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }

        public var text: String { String(decoding: body, as: UTF8.self) }

        /// The body as a JSON object (empty when it is not one).
        public var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        }
    }

    public let port: Int

    public init(port: Int) {
        self.port = port
    }

    /// Sends a request built from parts; adds Host, Content-Length and Connection: close.
    public func send(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) throws -> Response {
        try sendRaw(Self.request(method, path, headers: headers, body: body))
    }

    /// Sends a request and returns at once, to read the answer as it arrives.
    public func open(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) throws -> OpenResponse {
        let fd = try connected()
        sendAll(Self.request(method, path, headers: headers, body: body), on: fd)
        return OpenResponse(fd: fd)
    }

    static func request(_ method: String, _ path: String, headers: [(String, String)], body: [UInt8]?) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (body ?? [])
    }

    public func send(_ method: String, _ path: String, headers: [(String, String)] = [], json: String) throws -> Response {
        try send(method, path, headers: headers + [("Content-Type", "application/json")], body: Array(json.utf8))
    }

    /// Sends the bytes as they are and reads the response until the server closes.
    public func sendRaw(_ bytes: [UInt8]) throws -> Response {
        let fd = try connected()
        defer { close(fd) }
        sendAll(bytes, on: fd)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return try Self.parse(received)
    }

    /// Sends the start of a request and closes the connection without waiting: a client that
    /// went away mid-upload.
    public func sendAndHangUp(_ bytes: [UInt8]) throws {
        let fd = try connected()
        sendAll(bytes, on: fd)
        close(fd)
    }

    private func sendAll(_ bytes: [UInt8], on fd: Int32) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // The server may answer and close before reading everything (413); read what it said.
            if sent <= 0 { break }
            offset += sent
        }
    }

    private func connected() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawHTTPError("socket() failed") }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw RawHTTPError("cannot connect to 127.0.0.1:\(port)")
        }
        return fd
    }

    static func parse(_ bytes: [UInt8]) throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else {
            throw RawHTTPError("no complete response (\(bytes.count) bytes received)")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw RawHTTPError("bad status line \(lines[0])") }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(bytes[(end + 4)...])
        if let length = headers.first(where: { $0.name.lowercased() == "content-length" }).flatMap({ Int($0.value) }) {
            body = Array(body.prefix(length))
        } else if headers.contains(where: { $0.name.lowercased() == "transfer-encoding" && $0.value.lowercased() == "chunked" }) {
            body = dechunk(body).body
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// The data of a chunked body received so far (a chunk cut short gives what has arrived),
    /// and whether the final empty chunk has come.
    static func dechunk(_ bytes: [UInt8]) -> (body: [UInt8], complete: Bool) {
        var body: [UInt8] = []
        var index = 0
        while let lineEnd = bytes[index...].firstIndex(of: 10) {
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else { break }
            if size == 0 { return (body, true) }
            let start = lineEnd + 1
            body += bytes[start..<min(start + size, bytes.count)]
            index = start + size + 2
            if index >= bytes.count { break }
        }
        return (body, false)
    }
}

/// A response being read as it arrives (see `RawHTTPClient.open`).
public final class OpenResponse {
    private var fd: Int32
    private var received: [UInt8] = []
    private var closed = false

    init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// The body so far (unchunked), and whether all of it has come.
    public var bodySoFar: (body: [UInt8], complete: Bool) {
        guard let end = received.indices.first(where: { received[$0...].starts(with: [13, 10, 13, 10]) }) else { return ([], false) }
        return RawHTTPClient.dechunk(Array(received[(end + 4)...]))
    }

    /// Reads until `enough` holds for the body so far, the server closes, or `seconds` pass;
    /// whether `enough` held.
    public func read(until enough: ([UInt8]) -> Bool, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !enough(bodySoFar.body) {
            let left = deadline.timeIntervalSinceNow
            guard left > 0, !closed, readOnce(waitingMilliseconds: Int32(left * 1000)) else { return enough(bodySoFar.body) }
        }
        return true
    }

    /// Closes the connection without reading on: a client that went away mid-answer.
    public func hangUp() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        closed = true
    }

    /// Reads to the end and parses the whole response.
    public func finish() throws -> RawHTTPClient.Response {
        while !closed && readOnce(waitingMilliseconds: 30_000) {}
        return try RawHTTPClient.parse(received)
    }

    /// One receive of whatever has arrived within the wait; false on time-out or close.
    private func readOnce(waitingMilliseconds wait: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, wait) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else {
            closed = true
            return false
        }
        received.append(contentsOf: buffer[0..<count])
        return true
    }
}

public struct RawHTTPError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension RawHTTPClient.Response {
    /// The `field` of each entry in a problem's `errors[]`.
    public var problemFields: [String] {
        (json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
    }
}

/// `Authorization: Bearer <key>` and any further headers, for `RawHTTPClient.send`.
public func bearer(_ key: String, _ extra: [(String, String)] = []) -> [(String, String)] {
    [("Authorization", "Bearer \(key)")] + extra
}
