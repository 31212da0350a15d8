import Crypto
import Foundation
import PitstopCore

/// Short-lived links to a report's photos, for the customer's signing page: the page is opened
/// with the signing link and holds no key, so each photo gets a URL of its own that names the
/// tenant and the photo, when it stops working, and an HMAC-SHA256 over all three. Any API
/// instance with the same PITSTOP_SECRET_KEY opens a link another made; nothing is stored.
///
///     /v1/public/photos/pph_<tenant>_<photo>_<expiry, Unix seconds>_<HMAC, 32 hex>
struct PhotoLinks {
    /// Long enough to read the report; the page makes fresh links each time it is opened.
    static let lifetime: TimeInterval = 30 * 60

    /// Derived from the sealing key, so a leaked link key says nothing about sealed secrets.
    private let key: [UInt8]

    init(secretKey: [UInt8]) {
        key = Digest.hmacSHA256(key: secretKey, message: Array("pitstop photo links v1".utf8))
    }

    func path(tenant: UUID, photo: UUID, now: Date) -> String {
        let expires = Int(now.addingTimeInterval(Self.lifetime).timeIntervalSince1970)
        let signed = "pph_\(Base32.encode(tenant))_\(Base32.encode(photo))_\(expires)"
        return "/v1/public/photos/\(signed)_\(mac(signed))"
    }

    /// The tenant and photo a link names, if it is one of ours and has not expired.
    func open(_ token: String, now: Date) -> (tenant: UUID, photo: UUID, expires: Date)? {
        let parts = token.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "pph", let tenant = Base32.decodeUUID(parts[1]), let photo = Base32.decodeUUID(parts[2]),
              let seconds = Int(parts[3]) else { return nil }
        let signed = parts[0...3].joined(separator: "_")
        guard Digest.constantTimeEquals(Array(mac(signed).utf8), Array(parts[4].utf8)) else { return nil }
        let expires = Date(timeIntervalSince1970: TimeInterval(seconds))
        return expires > now ? (tenant, photo, expires) : nil
    }

    private func mac(_ text: String) -> String {
        String(Digest.hmacSHA256(key: key, message: Array(text.utf8)).hex.prefix(32))
    }
}
