import Foundation
import Postgres

/// Where a page of a listing ended: the creation time and id of its last row, and for lists
/// sorted by something else first, that row's value of it (`sortKey`). Clients see it only as an
/// opaque string; `encoded` and `init?(encoded:)` convert.
public struct PageCursor: Sendable, Equatable {
    public var createdAt: Date
    public var id: UUID
    public var sortKey: String?

    /// The sort key of a row whose sort value is NULL.
    public static let noValue = "none"

    public init(createdAt: Date, id: UUID, sortKey: String? = nil) {
        self.createdAt = createdAt
        self.id = id
        self.sortKey = sortKey
    }

    /// base64url of `microseconds:uuid[:key]`: microseconds keep the database's precision.
    public var encoded: String {
        let micros = Int64((createdAt.timeIntervalSince1970 * 1_000_000).rounded())
        return Data("\(micros):\(id.lowercasedText)\(sortKey.map { ":" + $0 } ?? "")".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public init?(encoded: String) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard encoded.count <= 128, let data = Data(base64Encoded: base64) else { return nil }
        let parts = String(decoding: data, as: UTF8.self).split(separator: ":")
        guard parts.count == 2 || parts.count == 3, let micros = Int64(parts[0]), let id = UUID(text: parts[1]) else { return nil }
        if parts.count == 3 {
            guard (1...24).contains(parts[2].count), parts[2].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                return nil
            }
            sortKey = String(parts[2])
        }
        createdAt = Date(timeIntervalSince1970: TimeInterval(micros) / 1_000_000)
        self.id = id
    }
}
