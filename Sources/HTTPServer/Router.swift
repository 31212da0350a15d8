/// A request handler. Runs on a worker thread and may block on the database.
public typealias Handler = @Sendable (HTTPRequest) throws -> HTTPResponse

/// Checks a request's headers on the poll thread, before its body is read (it must not block):
/// a problem refuses the request at once, so a caller without a key never gets to upload.
public typealias Preflight = @Sendable (HTTPHeaders) -> Problem?

/// Decides, from an upload's headers alone, whether to take its body and how many bytes at most;
/// throws (a `Problem`) to refuse before a byte of the body is read. Runs on a worker thread.
public typealias Admission = @Sendable (HTTPRequest) throws -> Int

/// Maps method and path to a handler. Paths are literal segments and `{name}` parameters:
/// `/v1/api-keys/{id}`. An unknown path is a 404; a known path with another method is a 405 that
/// lists the allowed methods.
public final class Router: Sendable {
    public struct Route: Sendable {
        public let method: String
        public let pattern: String
        /// Handlers that never block (no database) run on the poll thread, saving a hand-off.
        public let isInline: Bool
        /// Set for upload routes: the body goes to a spool file, and the handler finds it in
        /// `request.upload`.
        let admission: Admission?
        /// What a body must be declared as; other bodies get 415 before they are read.
        public let body: BodyKind
        let preflight: Preflight?
        let segments: [Segment]
        let handler: Handler
    }

    public enum BodyKind: Sendable {
        /// `application/json` or a `+json` type.
        case json
        /// Whatever the handler reads itself (WeChat's XML).
        case any

        /// Whether a body declared as `contentType` may be sent here.
        func accepts(_ contentType: String?) -> Bool {
            guard self == .json else { return true }
            guard let type = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() else { return false }
            return type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
        }
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    public enum Match {
        case found(Route, parameters: [String: String])
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    public let routes: [Route]

    public init(_ routes: [Route]) {
        self.routes = routes
    }

    public static func route(_ method: String, _ pattern: String, inline: Bool = false, body: BodyKind = .json, preflight: Preflight? = nil,
                             _ handler: @escaping Handler) -> Route {
        Route(method: method, pattern: pattern, isInline: inline, admission: nil, body: body, preflight: preflight, segments: segments(pattern),
              handler: handler)
    }

    /// A route whose body may be large: `admission` sees the headers first and sets the limit; the
    /// body is then streamed to disk, never held in memory.
    public static func upload(_ method: String, _ pattern: String, preflight: Preflight? = nil, admission: @escaping Admission,
                              _ handler: @escaping Handler) -> Route {
        Route(method: method, pattern: pattern, isInline: false, admission: admission, body: .any, preflight: preflight,
              segments: segments(pattern), handler: handler)
    }

    private static func segments(_ pattern: String) -> [Segment] {
        pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part -> Segment in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
    }

    /// `path` is percent-encoded, as sent. It matches segment for segment, each decoded once: a
    /// trailing slash or an empty segment (`/v1/customers/`, `/v1//customers`) is another path,
    /// so each resource has exactly one address.
    ///
    /// Where patterns of several routes fit, the most literal one is the path's resource: a
    /// literal segment outranks a parameter at the first place they differ, so
    /// `PATCH /v1/customers/bulk` is a 405 naming POST, not a PATCH of a customer called "bulk".
    public func match(method: String, path: String) -> Match {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            .map { Substring($0.removingPercentEncoding ?? String($0)) }
        var best: [Bool] = []
        var candidates: [(route: Route, parameters: [String: String])] = []
        for route in routes {
            guard let parameters = Self.bind(route.segments, to: parts) else { continue }
            let literal = route.segments.map { if case .literal = $0 { true } else { false } }
            if candidates.isEmpty || Self.outranks(literal, best) {
                (best, candidates) = (literal, [(route, parameters)])
            } else if literal == best {
                candidates.append((route, parameters))
            }
        }
        if let found = candidates.first(where: { $0.route.method == method || (method == "HEAD" && $0.route.method == "GET") }) {
            return .found(found.route, parameters: found.parameters)
        }
        return candidates.isEmpty ? .notFound : .methodNotAllowed(allowed: candidates.map(\.route.method))
    }

    /// Whether a pattern with literal segments at `a` is more specific than one with them at `b`.
    private static func outranks(_ a: [Bool], _ b: [Bool]) -> Bool {
        guard let difference = zip(a, b).first(where: { $0 != $1 }) else { return false }
        return difference.0
    }

    private static func bind(_ segments: [Segment], to parts: [Substring]) -> [String: String]? {
        guard segments.count == parts.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let literal):
                guard literal == part else { return nil }
            case .parameter(let name):
                guard !part.isEmpty else { return nil }
                parameters[name] = String(part)
            }
        }
        return parameters
    }
}
