import Foundation

/// A mainland China mobile number, normalised to its 11 digits (`13800138000`): starts with 1,
/// second digit 3–9. A `+86`, `0086` or `86` prefix and spaces, hyphens and brackets are dropped.
public struct MobileNumber: Hashable, Sendable, CustomStringConvertible {
    public let value: String
    public var description: String { value }

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case notAMainlandMobile

        public var description: String {
            "must be a mainland China mobile number: 11 digits starting with 13–19, optionally after +86"
        }
    }

    public init(_ text: String) throws(Problem) {
        // A Chinese keyboard in full-width mode types １３８… and ＋８６: read as plates and VINs are.
        let halfWidth = text.applyingTransform(.fullwidthToHalfwidth, reverse: false) ?? text
        var digits = halfWidth.filter { !" -()\t".contains($0) }
        if digits.hasPrefix("+86") { digits.removeFirst(3) } else if digits.hasPrefix("0086") { digits.removeFirst(4) } else if digits.hasPrefix("86") && digits.count == 13 { digits.removeFirst(2) }
        let bytes = Array(digits.utf8)
        guard bytes.count == 11, bytes.allSatisfy({ (48...57).contains($0) }), bytes[0] == 49, (51...57).contains(bytes[1]) else {
            throw .notAMainlandMobile
        }
        value = digits
    }
}
