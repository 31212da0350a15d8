/// One `Range: bytes=…` request (RFC 9110 §14.1.2) against a body of known size, so video
/// players can seek. Several ranges in one header are answered with the whole body, which the
/// RFC allows and which spares a multipart encoder.
public enum ByteRange: Equatable, Sendable {
    /// No usable range: send the whole body (200).
    case whole
    /// Send these bytes (206).
    case part(Range<Int>)
    /// The range starts past the end (416).
    case unsatisfiable

    public static func parse(_ header: String, size: Int) -> ByteRange {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return .whole }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash]
        let last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            // A suffix: the last n bytes.
            guard let count = Int(last), count >= 0 else { return .whole }
            guard count > 0, size > 0 else { return .unsatisfiable }
            return .part(max(0, size - count)..<size)
        }
        guard let start = Int(first), start >= 0 else { return .whole }
        guard start < size else { return .unsatisfiable }
        if last.isEmpty { return .part(start..<size) }
        guard let end = Int(last), end >= start else { return .whole }
        return .part(start..<min(end + 1, size))
    }
}
