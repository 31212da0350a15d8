import Foundation

/// A datagram socket standing in for systemd's NOTIFY_SOCKET, to see what a service tells it.
public final class NotifySocketListener {
    public let path: String
    private let fd: Int32

    public init() throws {
        path = NSTemporaryDirectory() + "pitstop-notify-\(UUID().uuidString.prefix(8))"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, bound == 0 else { throw RawHTTPError("cannot bind a notify socket at \(path)") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// Reads datagrams until one equals `message`; false when none did within the time-out.
    public func waitFor(_ message: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return false }
            if String(decoding: buffer[0..<count], as: UTF8.self) == message { return true }
        }
    }

    /// Every datagram that arrives before `deadline`, with when it arrived.
    public func received(until deadline: Date) -> [(message: String, at: Date)] {
        var messages: [(message: String, at: Date)] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return messages }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(min(left, 1) * 1000) + 1) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 { messages.append((String(decoding: buffer[0..<count], as: UTF8.self), Date())) }
        }
    }
}
