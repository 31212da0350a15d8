import Foundation

/// Header fields in arrival order with repeats kept; names compare case-insensitively.
public struct HTTPHeaders: Sendable, Sequence {
    public private(set) var fields: [(name: String, value: String)] = []

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        fields.first { Self.sameName($0.name, name) }?.value
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    /// Header names are ASCII tokens: compare them byte by byte, ignoring ASCII case. (Foundation's
    /// caseInsensitiveCompare goes through CFString and showed up in profiles.)
    static func sameName(_ a: String, _ b: String) -> Bool {
        var left = a.utf8.makeIterator()
        var right = b.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return true
            case (let x?, let y?):
                if x != y && (x | 0x20) != (y | 0x20) { return false }
                if x != y && !((x | 0x20) >= 97 && (x | 0x20) <= 122) { return false }
            default: return false
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }
}

/// A complete request as handlers see it: the body has been read to its limit already.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The path without the query string, as sent (percent-encoding kept).
    public var path: String
    /// Query arguments, decoded, repeats kept.
    public var query: [(name: String, value: String)]
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var clientAddress: String
    public var requestID: String
    /// Values of `{name}` segments of the matched route.
    public var pathParameters: [String: String] = [:]
    /// The body of an upload route, on disk; `body` is then empty.
    public var upload: UploadedFile?

    public init(method: String, path: String, query: [(name: String, value: String)] = [], headers: HTTPHeaders = HTTPHeaders(),
                body: [UInt8] = [], clientAddress: String = "127.0.0.1", requestID: String = "test") {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.clientAddress = clientAddress
        self.requestID = requestID
    }

    /// The first value of a query argument.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }
}

/// What a handler returns.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Sent instead of `body` when set: a file's bytes, streamed from disk.
    public var file: ResponseFile?
    /// Sent instead of `body` when set: what this writes, on the handler's worker after the
    /// status and headers have gone out, as the client reads. Throwing cuts the body short.
    public var producer: (@Sendable (ResponseStream) throws -> Void)?
    /// The stream `producer` writes to, once the server has opened it.
    var stream: ResponseStream?

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response whose body `producer` writes while it is being sent (worker routes only).
    public static func streamed(status: Int = 200, headers: HTTPHeaders,
                                _ producer: @escaping @Sendable (ResponseStream) throws -> Void) -> HTTPResponse {
        var response = HTTPResponse(status: status, headers: headers)
        response.producer = producer
        return response
    }

    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", contentType)]), body: Array(text.utf8))
    }

    public static func json(_ value: some Encodable, status: Int = 200) throws -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: try JSONCoding.encode(value))
    }

    public static func noContent() -> HTTPResponse {
        HTTPResponse(status: 204)
    }
}
