import CMicroHTTPD
import Foundation
import Logging
import Synchronization

/// The HTTP server: libmicrohttpd's epoll poll threads parse requests; handlers that may block
/// run on a fixed worker pool while their connection is suspended, so a slow query never stalls
/// the other connections of a poll thread. When the pool's queue is full the server answers 503
/// with Retry-After at once.
public final class HTTPServer: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        public var pollThreads = max(1, ProcessInfo.processInfo.activeProcessorCount)
        /// Size it like the database pool: more threads would only wait for connections.
        public var workerThreads = 8
        /// Requests that may wait for a worker before new ones get 503.
        public var queueLimit = 512
        public var maxBodyBytes = 1 << 20
        /// Closes a connection that sends or reads nothing for this long.
        public var idleTimeoutSeconds = 30
        /// Closes a connection whose request body is still arriving after this long.
        public var requestDeadline: Duration = .seconds(60)
        /// The same for upload routes, whose bodies (a video over a phone link) take longer.
        public var uploadDeadline: Duration = .seconds(1800)
        /// Where upload routes stream their bodies; on the file system handlers move them to.
        /// Without one, upload routes answer 503.
        public var spoolDirectory: String?
        public var connectionLimit = 4096
        /// Addresses of reverse proxies whose `X-Forwarded-For` is believed: for requests from them
        /// the client is the address the proxy appended (rate limits and logs need the real one).
        public var trustedProxies: Set<String> = []

        public init() {}
    }

    /// Passed to `onCompleted` for access logs and metrics.
    public struct CompletedRequest: Sendable {
        public var method: String
        public var path: String
        /// The matched route pattern (`/v1/api-keys/{id}`), nil when nothing matched.
        public var route: String?
        public var status: Int
        public var duration: Duration
        public var requestID: String
        public var clientAddress: String
        public var bytesIn: Int
        public var bytesOut: Int
        /// False when the connection ended before the response was sent.
        public var completed: Bool
    }

    public let configuration: Configuration
    private let router: Router
    private let logger: Logger
    private let onCompleted: @Sendable (CompletedRequest) -> Void
    private let workers: WorkerPool
    private var daemon: OpaquePointer?
    private let suspended = Atomic<Int>(0)
    private let draining = Atomic<Bool>(false)

    public init(configuration: Configuration, router: Router, logger: Logger,
                onCompleted: @escaping @Sendable (CompletedRequest) -> Void = { _ in }) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
        self.onCompleted = onCompleted
        workers = WorkerPool(threads: configuration.workerThreads, queueLimit: configuration.queueLimit, name: "http-worker")
    }

    /// The port actually bound (useful with port 0 in tests).
    public private(set) var port = 0

    public func start() throws {
        var storage = sockaddr_storage()
        try Self.fill(&storage, host: configuration.host, port: configuration.port)
        let context = Unmanaged.passUnretained(self).toOpaque()
        let access: MHD_AccessHandlerCallback = { context, connection, url, method, _, data, size, slot in
            guard let context, let connection, let url, let method, let size, let slot else { return .NO }
            let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
            return server.access(connection: connection, url: url, method: method, data: data, size: size, slot: slot)
        }
        let completed: MHD_RequestCompletedCallback = { context, _, slot, termination in
            guard let context, let slot, let raw = slot.pointee else { return }
            slot.pointee = nil
            let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
            let state = Unmanaged<RequestState>.fromOpaque(raw).takeRetainedValue()
            server.finish(state, completed: termination == .REQUEST_TERMINATED_COMPLETED_OK)
        }
        // The path and query reach the access handler as sent: libmicrohttpd's own unescaping
        // turned "%00" into a NUL that cut the path short before routing ("/v1/work-orders/{id}%00/
        // timeline" answered the order). `RequestTarget` decodes once, and refuses control characters.
        let unescape: pitstop_mhd_unescape = { _, _, text in
            guard let text else { return 0 }
            return strlen(text)
        }
        daemon = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                pitstop_mhd_start(address, UInt32(configuration.pollThreads), UInt32(configuration.idleTimeoutSeconds),
                                  UInt32(configuration.connectionLimit), 64 * 1024, access, completed, unescape, context)
            }
        }
        guard let daemon else {
            throw HTTPServerError("cannot listen on \(configuration.host):\(configuration.port): the address is in use or not available")
        }
        port = Int(pitstop_mhd_bound_port(daemon))
    }

    /// Stops accepting connections, answers 503 to requests that arrive meanwhile on open
    /// connections, waits up to `grace` for handlers in flight to finish and their responses to
    /// go out, then stops. libmicrohttpd aborts if stopped with a suspended connection, so the
    /// daemon is only stopped once none is.
    public func shutdown(grace: Duration) {
        guard let daemon else { return }
        draining.store(true, ordering: .sequentiallyConsistent)
        let listener = MHD_quiesce_daemon(daemon)
        let deadline = ContinuousClock.now + grace
        while suspended.load(ordering: .sequentiallyConsistent) > 0 && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        if suspended.load(ordering: .sequentiallyConsistent) > 0 {
            logger.warning("handlers still running after the shutdown grace period; waiting for them",
                           ["in_flight": .int(suspended.load(ordering: .sequentiallyConsistent))])
            while suspended.load(ordering: .sequentiallyConsistent) > 0 { Thread.sleep(forTimeInterval: 0.05) }
        }
        // Let the last responses leave the socket buffers of their poll threads.
        Thread.sleep(forTimeInterval: 0.05)
        workers.stop()
        MHD_stop_daemon(daemon)
        if listener >= 0 { close(listener) }
        self.daemon = nil
    }

    public var inFlight: Int { suspended.load(ordering: .relaxed) }

    // MARK: - libmicrohttpd callbacks

    private func access(connection: OpaquePointer, url: UnsafePointer<CChar>, method: UnsafePointer<CChar>,
                        data: UnsafePointer<CChar>?, size: UnsafeMutablePointer<Int>,
                        slot: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> MHD_Result {
        guard let raw = slot.pointee else {
            let state = RequestState.read(connection: connection, method: String(cString: method), path: String(cString: url),
                                          trustedProxies: configuration.trustedProxies)
            slot.pointee = Unmanaged.passRetained(state).toOpaque()
            return begin(state, connection: connection)
        }
        let state = Unmanaged<RequestState>.fromOpaque(raw).takeUnretainedValue()
        if size.pointee > 0 {
            defer { size.pointee = 0 }
            if state.responded { return .YES }
            let deadline = state.receiver == nil ? configuration.requestDeadline : configuration.uploadDeadline
            if ContinuousClock.now - state.startedAt > deadline { return .NO }
            guard !state.bodyTooLarge, let data else { return .YES }
            let piece = UnsafeRawBufferPointer(start: data, count: size.pointee)
            if let receiver = state.receiver {
                // Over the limit: the spool file is gone; read and drop the rest, answer 413 at the end.
                if !receiver.append(piece) { state.bodyTooLarge = true }
            } else if state.body.count + piece.count > configuration.maxBodyBytes {
                // Chunked bodies have no length up front: read and drop the rest, answer 413 at the end.
                state.bodyTooLarge = true
                state.body = []
            } else {
                state.body.append(contentsOf: piece)
            }
            return .YES
        }
        switch state.takeHandoff() {
        case .response(let response)?:
            return queue(response, state: state, connection: connection)
        case .admitted(let limit)?:
            return receive(state, limit: limit, connection: connection)
        case nil:
            break
        }
        if state.responded || state.dispatched { return .YES }
        if state.bodyTooLarge { return queue(tooLarge(state), state: state, connection: connection) }
        if let receiver = state.receiver {
            guard let upload = receiver.complete() else {
                logger.error("an upload could not be written to the spool directory",
                             ["request_id": .string(state.requestID), "error": .string(receiver.failure ?? "unknown")])
                return queue(Problem.serviceUnavailable(retryAfter: 60, "the upload could not be stored; try again later")
                    .response(requestID: state.requestID), state: state, connection: connection)
            }
            state.upload = upload
        }
        return dispatch(state, connection: connection)
    }

    /// The first call, with headers only: refuse what can be refused before reading a body.
    private func begin(_ state: RequestState, connection: OpaquePointer) -> MHD_Result {
        if draining.load(ordering: .relaxed) {
            var response = Problem.serviceUnavailable(retryAfter: 1, "the server is shutting down").response(requestID: state.requestID)
            response.headers.add("Connection", "close")
            return queue(response, state: state, connection: connection)
        }
        if let problem = state.targetProblem { return refuse(problem, state: state, connection: connection) }
        let lengths = Set(state.headers.values("Content-Length").map { $0.trimmingCharacters(in: .whitespaces) })
        if lengths.count > 1 {
            // RFC 9112 §6.3: differing lengths leave the message's end unknown; a proxy and this
            // server could each take another end, which is how requests are smuggled.
            return refuse(.badRequest("the request has Content-Length headers that disagree (\(lengths.sorted().joined(separator: ", "))); send one"),
                          state: state, connection: connection, close: true)
        }
        let length = lengths.first
        if let encoding = state.headers["Transfer-Encoding"], encoding.lowercased().contains("chunked"), length != nil {
            // Both framings at once is how requests are smuggled past proxies.
            return refuse(.badRequest("send either Content-Length or Transfer-Encoding: chunked, not both"), state: state, connection: connection,
                          close: true)
        }
        let hasBody = length.map { $0 != "0" } ?? (state.headers["Transfer-Encoding"] != nil)
        state.match = router.match(method: state.method, path: state.path)
        if case .found(let route, let parameters)? = state.match {
            state.routePattern = route.pattern
            // Before a byte of the body: who is asking, then how much and what they send.
            if let preflight = route.preflight, let problem = preflight(state.headers) {
                return refuse(problem, state: state, connection: connection, close: hasBody)
            }
            if state.method != "GET", state.method != "HEAD", let admission = route.admission {
                return admit(state, route: route, admission: admission, parameters: parameters, connection: connection)
            }
            if let length, let bytes = Int(length), bytes > configuration.maxBodyBytes {
                return queue(tooLarge(state), state: state, connection: connection)
            }
            if hasBody, state.method != "GET", state.method != "HEAD", !route.body.accepts(state.headers["Content-Type"]) {
                return refuse(Problem(status: 415, type: "unsupported-media-type", title: "Unsupported media type",
                                      detail: "send the body as JSON with Content-Type: application/json",
                                      errors: [.init(field: "Content-Type", message: "must be application/json")]),
                              state: state, connection: connection, close: true)
            }
        } else if let length, let bytes = Int(length), bytes > configuration.maxBodyBytes {
            return queue(tooLarge(state), state: state, connection: connection)
        }
        return .YES
    }

    /// Answers `problem` at once; `close` when a body may follow that will not be read.
    private func refuse(_ problem: Problem, state: RequestState, connection: OpaquePointer, close: Bool = false) -> MHD_Result {
        var response = problem.response(requestID: state.requestID)
        if close { response.headers.add("Connection", "close") }
        return queue(response, state: state, connection: connection)
    }

    /// Asks an upload route, on a worker, whether to take this body. The connection stays
    /// suspended meanwhile; a client that sent `Expect: 100-continue` hears nothing until then,
    /// so a refused upload is never sent at all.
    private func admit(_ state: RequestState, route: Router.Route, admission: @escaping Admission,
                       parameters: [String: String], connection: OpaquePointer) -> MHD_Result {
        state.routePattern = route.pattern
        guard configuration.spoolDirectory != nil else {
            logger.error("an upload route was called but the server has no spool directory", ["route": .string(route.pattern)])
            return queue(Problem.serviceUnavailable(retryAfter: 60, "uploads are not available on this server")
                .response(requestID: state.requestID), state: state, connection: connection)
        }
        guard workers.reserve() else {
            return queue(Problem.serviceUnavailable(retryAfter: 1, "the server is busy; retry shortly").response(requestID: state.requestID),
                         state: state, connection: connection)
        }
        suspended.add(1, ordering: .sequentiallyConsistent)
        MHD_suspend_connection(connection)
        let resumable = SuspendedConnection(pointer: connection)
        let request = state.makeRequest(parameters: parameters)
        workers.submit { [self] in
            let handoff = respond(to: request, route: route.pattern) { .admitted(limit: try admission(request)) }
            state.setHandoff(handoff)
            resume(resumable)
        }
        return .YES
    }

    /// Back on the poll thread after an admitted upload: check the announced length, then open
    /// the spool file the body will stream into.
    private func receive(_ state: RequestState, limit: Int, connection: OpaquePointer) -> MHD_Result {
        if let length = state.headers["Content-Length"], let bytes = Int(length), bytes > limit {
            return queue(tooLarge(state, limit: limit), state: state, connection: connection)
        }
        do {
            state.receiver = try UploadReceiver(spoolDirectory: configuration.spoolDirectory ?? ".", limit: limit)
            return .YES
        } catch {
            logger.error("cannot receive an upload", ["request_id": .string(state.requestID), "error": .string(String(describing: error))])
            return queue(Problem.serviceUnavailable(retryAfter: 60, "the upload could not be stored; try again later")
                .response(requestID: state.requestID), state: state, connection: connection)
        }
    }

    private func tooLarge(_ state: RequestState, limit: Int? = nil) -> HTTPResponse {
        let limit = limit ?? state.receiver?.limit ?? configuration.maxBodyBytes
        var response = Problem(status: 413, type: "body-too-large", title: "Request body too large",
                               detail: "the request body exceeds \(limit) bytes").response(requestID: state.requestID)
        response.headers.add("Connection", "close")
        return response
    }

    private func dispatch(_ state: RequestState, connection: OpaquePointer) -> MHD_Result {
        switch state.match ?? router.match(method: state.method, path: state.path) {
        case .notFound:
            var problem = Problem.notFound("route \(state.method) \(state.path)")
            if state.path.count > 1, state.path.hasSuffix("/") {
                problem.detail += "; paths do not end in a slash (\(state.path.dropLast()))"
            }
            return queue(problem.response(requestID: state.requestID), state: state, connection: connection)
        case .methodNotAllowed(let allowed):
            var problem = Problem(status: 405, type: "method-not-allowed", title: "Method not allowed",
                                  detail: "\(state.path) allows \(allowed.joined(separator: ", "))")
            problem.headers = [("Allow", allowed.joined(separator: ", "))]
            return queue(problem.response(requestID: state.requestID), state: state, connection: connection)
        case .found(let route, let parameters):
            state.routePattern = route.pattern
            let request = state.makeRequest(parameters: parameters)
            if route.isInline {
                return queue(run(route, request), state: state, connection: connection)
            }
            guard workers.reserve() else {
                return queue(Problem.serviceUnavailable(retryAfter: 1, "the server is busy; retry shortly").response(requestID: state.requestID),
                             state: state, connection: connection)
            }
            state.dispatched = true
            suspended.add(1, ordering: .sequentiallyConsistent)
            MHD_suspend_connection(connection)
            let resumable = SuspendedConnection(pointer: connection)
            workers.submit { [self] in
                var response = run(route, request)
                guard let producer = response.producer else {
                    state.setHandoff(.response(response))
                    resume(resumable)
                    return
                }
                // Headers go out now; the body follows as the producer writes it. The request
                // stays in flight (shutdown waits for it) until the producer is done.
                let stream = ResponseStream(connection: resumable.pointer)
                response.stream = stream
                state.setHandoff(.response(response))
                MHD_resume_connection(resumable.pointer)
                do {
                    try producer(stream)
                    stream.end(failed: false)
                } catch {
                    if !(error is ResponseStreamClosed) {
                        logger.error("a streamed response failed midway", ["request_id": .string(request.requestID), "route": .string(route.pattern),
                                                                           "error": .string(String(reflecting: error))])
                    }
                    stream.end(failed: true)
                }
                suspended.subtract(1, ordering: .sequentiallyConsistent)
            }
            return .YES
        }
    }

    private func resume(_ connection: SuspendedConnection) {
        MHD_resume_connection(connection.pointer)
        suspended.subtract(1, ordering: .sequentiallyConsistent)
    }

    private func run(_ route: Router.Route, _ request: HTTPRequest) -> HTTPResponse {
        let handoff = respond(to: request, route: route.pattern) { .response(try route.handler(request)) }
        guard case .response(let response) = handoff else { preconditionFailure("a handler answers with a response") }
        return response
    }

    /// Runs a handler's or an admission's work; a thrown `Problem` is the answer, anything else a
    /// logged 500.
    private func respond(to request: HTTPRequest, route: String,
                         _ work: () throws -> RequestState.Handoff) -> RequestState.Handoff {
        do {
            return try work()
        } catch let problem as Problem {
            return .response(problem.response(requestID: request.requestID))
        } catch {
            logger.error("handler failed", ["request_id": .string(request.requestID), "route": .string(route),
                                            "error": .string(String(reflecting: error))])
            return .response(Problem.internal(requestID: request.requestID).response(requestID: request.requestID))
        }
    }

    private func queue(_ response: HTTPResponse, state: RequestState, connection: OpaquePointer) -> MHD_Result {
        state.responded = true
        state.status = response.status
        let handle: OpaquePointer?
        assert(response.producer == nil || response.stream != nil, "streamed responses are for worker routes")
        if let stream = response.stream {
            state.stream = stream
            handle = stream.makeResponse()
        } else if let file = response.file {
            // libmicrohttpd owns the descriptor from here and closes it.
            state.bytesOut = file.length
            handle = MHD_create_response_from_fd_at_offset64(UInt64(file.length), file.take(), UInt64(file.offset))
        } else {
            state.bytesOut = response.body.count
            handle = response.body.withUnsafeBytes { bytes in
                MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
            }
        }
        guard let handle else { return .NO }
        defer { MHD_destroy_response(handle) }
        for header in response.headers {
            _ = MHD_add_response_header(handle, header.name, header.value)
        }
        _ = MHD_add_response_header(handle, "X-Request-Id", state.requestID)
        return MHD_queue_response(connection, UInt32(response.status), handle)
    }

    private func finish(_ state: RequestState, completed: Bool) {
        // Whatever became of the request, an upload the handler did not keep is removed.
        state.receiver?.abandon()
        state.upload?.discard()
        onCompleted(CompletedRequest(method: state.method, path: state.path, route: state.routePattern, status: state.status,
                                     duration: ContinuousClock.now - state.startedAt, requestID: state.requestID,
                                     clientAddress: state.clientAddress, bytesIn: state.bytesIn, bytesOut: state.stream?.bytesSent ?? state.bytesOut,
                                     completed: completed && state.responded))
    }

    private static func fill(_ storage: inout sockaddr_storage, host: String, port: Int) throws {
        guard (0...65535).contains(port) else { throw HTTPServerError("port \(port) is out of range") }
        let name = host == "localhost" ? "127.0.0.1" : host
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        if inet_pton(AF_INET, name, &ipv4) == 1 {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    $0.pointee.sin_family = sa_family_t(AF_INET)
                    $0.pointee.sin_port = in_port_t(UInt16(port).bigEndian)
                    $0.pointee.sin_addr = ipv4
                }
            }
        } else if inet_pton(AF_INET6, name.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), &ipv6) == 1 {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    $0.pointee.sin6_family = sa_family_t(AF_INET6)
                    $0.pointee.sin6_port = in_port_t(UInt16(port).bigEndian)
                    $0.pointee.sin6_addr = ipv6
                }
            }
        } else {
            throw HTTPServerError("listen address \(host) is not an IP address (use 127.0.0.1, 0.0.0.0 or [::1])")
        }
    }
}

/// A suspended connection handed to a worker; only used to resume it.
private struct SuspendedConnection: @unchecked Sendable {
    let pointer: OpaquePointer
}

public struct HTTPServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
