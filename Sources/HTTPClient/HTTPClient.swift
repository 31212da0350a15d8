import CCurl
import Foundation
import Synchronization

/// Blocking HTTP exchanges for the worker's sends, through libcurl's easy interface on the
/// caller's thread: the only importer of CCurl.
///
/// Why libcurl directly, when FoundationNetworking's URLSession is built on it: URLSession keeps a
/// libdispatch write source armed on every socket waiting for an answer, and its manager thread
/// spins on them (measured: 80% of a core while four requests waited on an endpoint that takes
/// ten seconds). A sender that waits on slow endpoints for a living cannot afford that. Here each
/// exchange sleeps in libcurl's own poll until bytes arrive, gives up at an absolute deadline,
/// and lets go within about a second of being cancelled.
public enum HTTPClient {
    public struct Request: Sendable {
        public var method: String
        public var url: String
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
        /// From the first byte sent to the last received.
        public var timeout: TimeInterval
        /// How much of the answer's body is kept: enough to read any service's verdict, unless
        /// the body itself is wanted (a photo).
        public var bodyLimit: Int

        public init(method: String, url: String, headers: [(name: String, value: String)], body: [UInt8], timeout: TimeInterval,
                    bodyLimit: Int = HTTPClient.bodyLimit) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
            self.timeout = timeout
            self.bodyLimit = bodyLimit
        }
    }

    public struct Answer: Sendable {
        public var status: Int?
        public var retryAfter: String?
        /// The first `bodyLimit` bytes of the answer.
        public var body: [UInt8]
        /// Whether the body was longer than `bodyLimit` (and cut there).
        public var truncated = false
        /// What went wrong before an answer (connect, time-out, cancelled); nil when there is one.
        public var error: String?

        public init(status: Int?, retryAfter: String?, body: [UInt8], error: String?) {
            self.status = status
            self.retryAfter = retryAfter
            self.body = body
            self.error = error
        }

        /// No exchange took place: `error` says why.
        public static func none(_ error: String) -> Answer {
            Answer(status: nil, retryAfter: nil, body: [], error: error)
        }
    }

    public static let bodyLimit = 64 * 1024

    /// Set from any thread to make an exchange under way give up.
    public final class Cancellation: Sendable {
        private let flag = Atomic<Bool>(false)

        public init() {}

        public func cancel() {
            flag.store(true, ordering: .relaxed)
        }

        public var isCancelled: Bool { flag.load(ordering: .relaxed) }
    }

    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Sends `request` and waits for the answer, the deadline or the cancellation.
    public static func perform(_ request: Request, cancellation: Cancellation) -> Answer {
        guard initialized, let handle = curl_easy_init() else {
            return .none("libcurl could not be initialised")
        }
        defer { curl_easy_cleanup(handle) }
        let transfer = Transfer(cancellation: cancellation, limit: request.bodyLimit)
        let context = Unmanaged.passRetained(transfer)
        defer { context.release() }
        var headers: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headers) }
        // No "Expect: 100-continue" wait before a body (libcurl adds it past 1 KiB).
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] { headers = curl_slist_append(headers, line) }
        let milliseconds = max(1, Int(request.timeout * 1000))
        let outcome: CURLcode = request.url.withCString { url in
            request.body.withUnsafeBytes { body in
                _ = pitstop_curl_set_pointer(handle, CURLOPT_URL, url)
                _ = pitstop_curl_set_pointer(handle, CURLOPT_PROTOCOLS_STR, "http,https")
                // Signals cannot time out name lookups on threads: the deadline does it instead.
                _ = pitstop_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
                _ = pitstop_curl_set_long(handle, CURLOPT_TIMEOUT_MS, milliseconds)
                _ = pitstop_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, min(milliseconds, 5000))
                // Redirects are not followed: the address a tenant's URL may reach was checked.
                _ = pitstop_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0)
                _ = pitstop_curl_set_pointer(handle, CURLOPT_USERAGENT, "Pitstop")
                _ = pitstop_curl_set_pointer(handle, CURLOPT_HTTPHEADER, headers)
                switch request.method {
                case "GET":
                    _ = pitstop_curl_set_long(handle, CURLOPT_HTTPGET, 1)
                case "POST":
                    _ = pitstop_curl_set_long(handle, CURLOPT_POST, 1)
                default:
                    _ = request.method.withCString { pitstop_curl_set_pointer(handle, CURLOPT_CUSTOMREQUEST, $0) }
                }
                if request.method != "GET" {
                    _ = pitstop_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
                    _ = pitstop_curl_set_pointer(handle, CURLOPT_POSTFIELDS, body.baseAddress)
                }
                _ = pitstop_curl_set_data_callback(handle, CURLOPT_WRITEFUNCTION, writeBody)
                _ = pitstop_curl_set_pointer(handle, CURLOPT_WRITEDATA, context.toOpaque())
                _ = pitstop_curl_set_data_callback(handle, CURLOPT_HEADERFUNCTION, readHeader)
                _ = pitstop_curl_set_pointer(handle, CURLOPT_HEADERDATA, context.toOpaque())
                _ = pitstop_curl_set_long(handle, CURLOPT_NOPROGRESS, 0)
                _ = pitstop_curl_set_progress_callback(handle, checkCancelled)
                _ = pitstop_curl_set_pointer(handle, CURLOPT_XFERINFODATA, context.toOpaque())
                return curl_easy_perform(handle)
            }
        }
        guard outcome == CURLE_OK else {
            let error = outcome == CURLE_ABORTED_BY_CALLBACK ? "cancelled" : String(cString: curl_easy_strerror(outcome))
            return .none(error)
        }
        var status = 0
        _ = pitstop_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var answer = Answer(status: status, retryAfter: transfer.retryAfter, body: transfer.body, error: nil)
        answer.truncated = transfer.truncated
        return answer
    }

    /// What the callbacks collect; they run on the thread in `perform`.
    private final class Transfer {
        let cancellation: Cancellation
        let limit: Int
        var body: [UInt8] = []
        var truncated = false
        var retryAfter: String?

        init(cancellation: Cancellation, limit: Int) {
            self.cancellation = cancellation
            self.limit = limit
        }
    }

    private static let writeBody: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, context in
        guard let data, let context else { return 0 }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        let room = max(0, transfer.limit - transfer.body.count)
        if size * count > room { transfer.truncated = true }
        data.withMemoryRebound(to: UInt8.self, capacity: size * count) { transfer.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: min(room, size * count))) }
        return size * count
    }

    private static let readHeader: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, context in
        guard let data, let context else { return 0 }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        let line = data.withMemoryRebound(to: UInt8.self, capacity: size * count) { String(decoding: UnsafeBufferPointer(start: $0, count: size * count), as: UTF8.self) }
        // A new status line (after a 100 Continue) starts a new set of headers.
        if line.hasPrefix("HTTP/") { transfer.retryAfter = nil }
        if let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "retry-after" {
            transfer.retryAfter = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return size * count
    }

    /// Called by libcurl often while bytes move and about once a second while none do.
    private static let checkCancelled: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> Int32 = { context, _, _, _, _ in
        guard let context else { return 0 }
        return Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue().cancellation.isCancelled ? 1 : 0
    }
}
