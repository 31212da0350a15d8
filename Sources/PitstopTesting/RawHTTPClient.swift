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
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return try sendRaw(Array(head.utf8) + (body ?? []))
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
        }
        return Response(status: status, headers: headers, body: body)
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
