import Foundation

/// A customer's signature image as the phone sends it. PNG is checked by its signature bytes;
/// SVG must be an `<svg>` document with nothing active in it (no scripts, event handlers,
/// external references), because it may be shown back to staff.
public struct Signature: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case png = "image/png"
        case svg = "image/svg+xml"
    }

    public static let maximumBytes = 256 * 1024

    public var kind: Kind
    public var bytes: [UInt8]

    public init(kind: Kind, bytes: [UInt8]) {
        self.kind = kind
        self.bytes = bytes
    }

    /// What is wrong with the image, if anything.
    public var problem: String? {
        guard !bytes.isEmpty, bytes.count <= Self.maximumBytes else { return "must be 1 byte to 256 KiB" }
        switch kind {
        case .png:
            return bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) ? nil : "is not a PNG image"
        case .svg:
            let text = String(decoding: bytes, as: UTF8.self).lowercased()
            guard text.contains("<svg") else { return "is not an SVG image" }
            let active = ["<script", "javascript:", "<foreignobject", "<iframe", "<!entity", "xlink:href=\"http", "href=\"http"]
            if active.contains(where: text.contains) || text.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) != nil {
                return "must not contain scripts, event handlers or external references"
            }
            return nil
        }
    }
}
