import Foundation

/// UUIDs in the text form PostgreSQL prints and the API shows: lower-case, hyphenated. Parsed and
/// printed by hand because Foundation's `UUID(uuidString:)` and `uuidString` go through sscanf
/// and sprintf, which showed up in profiles of list routes (several ids a row, fifty rows a page).
extension UUID {
    public var lowercasedText: String {
        let digits = UUIDText.digits
        var out = [UInt8]()
        out.reserveCapacity(36)
        withUnsafeBytes(of: uuid) { bytes in
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { out.append(0x2D) }
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses the hyphenated form in either case; nil for anything else.
    public init?(text: some StringProtocol) {
        var bytes = (UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0),
                     UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0))
        let parsed: Bool = text.utf8.withContiguousStorageIfAvailable { UUIDText.parse($0, into: &bytes) }
            ?? Array(text.utf8).withUnsafeBufferPointer { UUIDText.parse($0, into: &bytes) }
        guard parsed else { return nil }
        self.init(uuid: bytes)
    }
}

enum UUIDText {
    static let digits = Array("0123456789abcdef".utf8)

    static func parse(_ text: UnsafeBufferPointer<UInt8>, into uuid: inout uuid_t) -> Bool {
        guard text.count == 36, text[8] == 0x2D, text[13] == 0x2D, text[18] == 0x2D, text[23] == 0x2D else { return false }
        return withUnsafeMutableBytes(of: &uuid) { out in
            var position = 0
            for index in 0..<16 {
                if position == 8 || position == 13 || position == 18 || position == 23 { position += 1 }
                guard let high = value(text[position]), let low = value(text[position + 1]) else { return false }
                out[index] = high << 4 | low
                position += 2
            }
            return true
        }
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x61...0x66: digit - 0x61 + 10
        case 0x41...0x46: digit - 0x41 + 10
        default: nil
        }
    }
}
