import CMicroHTTPD
import Foundation
import Synchronization

/// Everything known about one request while libmicrohttpd calls the access handler for it
/// several times (headers, body chunks, final call, and again after a resume). Lives in the
/// connection's `con_cls` slot, retained there until the completion callback releases it.
final class RequestState: @unchecked Sendable {
    let method: String
    let path: String
    let headers: HTTPHeaders
    let query: [(name: String, value: String)]
    let clientAddress: String
    let requestID: String
    /// Set when the path or query cannot be served (`RequestTarget`): answered before routing.
    let targetProblem: Problem?
    let startedAt = ContinuousClock.now
    var body: [UInt8] = []
    var bodyTooLarge = false
    /// Set once a response has been queued with libmicrohttpd.
    var responded = false
    /// Set while a worker runs the handler and the connection is suspended.
    var dispatched = false
    var status = 0
    var routePattern: String?
    /// The route, looked up once from the headers.
    var match: Router.Match?
    var bytesOut = 0
    /// A streamed response's body, which counts its own bytes.
    var stream: ResponseStream?
    /// An upload route's body on its way to disk, once admitted.
    var receiver: UploadReceiver?
    /// The finished upload, handed to the handler and removed when the request ends.
    var upload: UploadedFile?

    /// What a worker hands back to the poll thread across suspend/resume.
    enum Handoff {
        case response(HTTPResponse)
        /// An upload route's headers were accepted: read a body of at most this many bytes.
        case admitted(limit: Int)
    }

    private let lock = NSLock()
    private var handoff: Handoff?

    /// `path` and `query` as the client sent them (percent-encoded); the query is kept decoded.
    init(method: String, path: String, headers: HTTPHeaders, query: [(name: String, value: String)],
         clientAddress: String, requestID: String) {
        self.method = method
        self.path = path
        self.headers = headers
        targetProblem = RequestTarget.problem(path: path, query: query)
        self.query = targetProblem == nil ? query.map { (RequestTarget.decode($0.name) ?? $0.name, RequestTarget.decode($0.value) ?? $0.value) } : []
        self.clientAddress = clientAddress
        self.requestID = requestID
    }

    func setHandoff(_ value: Handoff) {
        lock.withLock { handoff = value }
    }

    func takeHandoff() -> Handoff? {
        lock.withLock {
            defer { handoff = nil }
            return handoff
        }
    }

    func makeRequest(parameters: [String: String]) -> HTTPRequest {
        var request = HTTPRequest(method: method, path: path, query: query, headers: headers, body: body,
                                  clientAddress: clientAddress, requestID: requestID)
        request.pathParameters = parameters
        request.upload = upload
        return request
    }

    /// Bytes of body received, in memory or on disk.
    var bytesIn: Int { receiver?.received ?? body.count }

    /// Reads what libmicrohttpd parsed of the request line and header block.
    static func read(connection: OpaquePointer, method: String, path: String, trustedProxies: Set<String>) -> RequestState {
        final class Collector {
            var fields: [(name: String, value: String)] = []
        }
        let headers = Collector()
        let query = Collector()
        let collect: MHD_KeyValueIterator = { context, _, key, value in
            guard let context, let key else { return .YES }
            let collector = Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
            collector.fields.append((String(cString: key), value.map { String(cString: $0) } ?? ""))
            return .YES
        }
        MHD_get_connection_values(connection, .HEADER_KIND, collect, Unmanaged.passUnretained(headers).toOpaque())
        MHD_get_connection_values(connection, .GET_ARGUMENT_KIND, collect, Unmanaged.passUnretained(query).toOpaque())
        let headerFields = HTTPHeaders(headers.fields)
        return RequestState(method: method, path: path, headers: headerFields, query: query.fields,
                            clientAddress: client(peer: clientAddress(of: connection), forwardedFor: headerFields.values("X-Forwarded-For"),
                                                  trustedProxies: trustedProxies),
                            requestID: acceptedRequestID(headerFields["X-Request-Id"]) ?? newRequestID())
    }

    /// The client's address: the peer's, or, when the peer is a trusted proxy, the last address in
    /// `X-Forwarded-For` (the one the proxy itself appended; earlier ones are the client's word).
    static func client(peer: String, forwardedFor: [String], trustedProxies: Set<String>) -> String {
        guard trustedProxies.contains(peer),
              let last = forwardedFor.joined(separator: ",").split(separator: ",").last?.trimmingCharacters(in: .whitespaces),
              !last.isEmpty, last.count <= 64 else { return peer }
        return last
    }

    /// A caller's request id is kept when it is short and plain, so it can be logged safely.
    static func acceptedRequestID(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count),
              value.utf8.allSatisfy({ $0 < 128 && (isalnum(Int32($0)) != 0 || "-_.:".utf8.contains($0)) }) else { return nil }
        return value
    }

    /// A random per-process prefix and a counter: unique, and without a getrandom(2) call per
    /// request (which showed in syscall counts).
    static func newRequestID() -> String {
        requestIDPrefix + String(requestCounter.add(1, ordering: .relaxed).newValue, radix: 16)
    }

    private static let requestIDPrefix = String(UInt32.random(in: 0...UInt32.max), radix: 16) + "-"
    private static let requestCounter = Atomic<Int>(0)

    private static func clientAddress(of connection: OpaquePointer) -> String {
        guard let address = pitstop_mhd_client_address(connection) else { return "unknown" }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            var ipv4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            inet_ntop(AF_INET, &ipv4, &buffer, socklen_t(buffer.count))
        case AF_INET6:
            var ipv6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            inet_ntop(AF_INET6, &ipv6, &buffer, socklen_t(buffer.count))
        default:
            return "unknown"
        }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
