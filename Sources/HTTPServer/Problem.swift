import Foundation

/// An error that knows its HTTP status, rendered as `application/problem+json` (RFC 9457):
/// `type`, `title`, `status`, `detail`, and `errors[]` naming each invalid field. Anything thrown
/// that is not a Problem becomes a 500 with no internals.
public struct Problem: Error, Sendable, Equatable {
    public struct FieldIssue: Sendable, Equatable, Codable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var status: Int
    /// A short slug that becomes the `type` URI: `validation-failed`.
    public var type: String
    public var title: String
    public var detail: String
    public var errors: [FieldIssue]
    public var headers: [(name: String, value: String)]

    public init(status: Int, type: String, title: String, detail: String, errors: [FieldIssue] = [],
                headers: [(name: String, value: String)] = []) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    public static func == (lhs: Problem, rhs: Problem) -> Bool {
        lhs.status == rhs.status && lhs.type == rhs.type && lhs.detail == rhs.detail && lhs.errors == rhs.errors
    }

    public static func badRequest(_ detail: String, field: String? = nil) -> Problem {
        Problem(status: 400, type: "bad-request", title: "Bad request", detail: detail,
                errors: field.map { [FieldIssue(field: $0, message: detail)] } ?? [])
    }

    public static func validation(_ errors: [FieldIssue]) -> Problem {
        Problem(status: 422, type: "validation-failed", title: "Validation failed",
                detail: errors.map { "\($0.field) \($0.message)" }.joined(separator: "; "), errors: errors)
    }

    public static func notFound(_ what: String) -> Problem {
        Problem(status: 404, type: "not-found", title: "Not found", detail: "\(what) not found")
    }

    public static func unauthorized(_ detail: String) -> Problem {
        Problem(status: 401, type: "unauthorized", title: "Unauthorized", detail: detail,
                headers: [("WWW-Authenticate", "Bearer realm=\"pitstop\"")])
    }

    public static func forbidden(_ detail: String) -> Problem {
        Problem(status: 403, type: "forbidden", title: "Forbidden", detail: detail)
    }

    public static func conflict(_ detail: String) -> Problem {
        Problem(status: 409, type: "conflict", title: "Conflict", detail: detail)
    }

    public static func tooManyRequests(retryAfter seconds: Int, _ detail: String) -> Problem {
        Problem(status: 429, type: "too-many-requests", title: "Too many requests", detail: detail,
                headers: [("Retry-After", String(max(1, seconds)))])
    }

    public static func serviceUnavailable(retryAfter seconds: Int, _ detail: String) -> Problem {
        Problem(status: 503, type: "unavailable", title: "Service unavailable", detail: detail,
                headers: [("Retry-After", String(max(1, seconds)))])
    }

    public static func `internal`(requestID: String) -> Problem {
        Problem(status: 500, type: "internal", title: "Internal server error",
                detail: "the server failed to handle this request; quote request id \(requestID) when reporting it")
    }

    private struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var errors: [FieldIssue]?
        var requestId: String
    }

    public func response(requestID: String) -> HTTPResponse {
        let body = Body(type: "https://pitstop.dev/problems/\(type)", title: title, status: status, detail: detail,
                        errors: errors.isEmpty ? nil : errors, requestId: requestID)
        var headers = HTTPHeaders([("Content-Type", "application/problem+json")])
        for header in self.headers { headers.add(header.name, header.value) }
        // Encoding this fixed shape cannot fail.
        return HTTPResponse(status: status, headers: headers, body: (try? JSONCoding.encode(body)) ?? [])
    }
}
