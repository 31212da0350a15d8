import Foundation

/// The request target as the client sent it, checked and percent-decoded exactly once.
///
/// libmicrohttpd is told not to decode (its decoder turned "%00" into a NUL that cut the path
/// short: `/v1/work-orders/{id}%00/timeline` answered the order, `/metrics%00zzz` the metrics).
/// A path or query carrying a control character, raw or encoded, or a broken escape, is refused
/// with a 400 before routing: no handler, log line or SQL parameter sees one.
enum RequestTarget {
    /// Why the target cannot be served, naming the query parameter at fault; nil when it can.
    static func problem(path: String, query: [(name: String, value: String)]) -> Problem? {
        if !path.hasPrefix("/") || decode(path) == nil {
            return Problem.badRequest("the path must be a percent-encoded path without control characters (such as %00)")
        }
        for (name, value) in query where decode(name) == nil || decode(value) == nil {
            let field = decode(name) ?? "query"
            return Problem(status: 400, type: "bad-query", title: "Bad query parameter",
                           detail: "the query parameter \(field) has a control character (such as %00) or a broken percent-escape",
                           errors: [.init(field: field, message: "must be percent-encoded text without control characters")])
        }
        return nil
    }

    /// `text` with its %HH escapes decoded; nil when an escape is broken, the bytes are not
    /// UTF-8, or the result holds a control character (U+0000–U+001F, U+007F).
    static func decode(_ text: String) -> String? {
        guard let decoded = text.removingPercentEncoding else { return nil }
        guard !decoded.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        return decoded
    }
}
