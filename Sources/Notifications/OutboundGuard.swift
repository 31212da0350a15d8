import Foundation
import PitstopCore
#if canImport(Glibc)
import Glibc
#endif

/// Checks a tenant's URL before Pitstop calls it: the host, and every address a name resolves
/// to, must be one the public internet could route (see `OutboundAddress`). The API checks when a
/// URL is saved and the worker again before each send, since a name may point elsewhere by then.
/// Operators whose receivers or proxy live on a private network turn the check off
/// (`PITSTOP_ALLOW_PRIVATE_URLS`); tests do, to reach receivers on 127.0.0.1.
public struct OutboundGuard: Sendable {
    public let allowPrivate: Bool

    public init(allowPrivate: Bool) {
        self.allowPrivate = allowPrivate
    }

    /// Why `url` must not be called; nil when it may.
    public func refusal(_ url: String) -> String? {
        guard !allowPrivate else { return nil }
        guard var host = URL(string: url)?.host, !host.isEmpty else { return "the URL has no host" }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let addresses = OutboundAddress.isNumeric(String(host.prefix { $0 != "%" })) ? [host] : Self.resolve(host)
        guard !addresses.isEmpty else { return "the host \(host) does not resolve to an address" }
        for address in addresses {
            // A scope (fe80::1%eth0) names an interface: the address before it decides.
            let bare = String(address.prefix { $0 != "%" })
            guard OutboundAddress.isNumeric(bare) else { return "the host \(host) has an address that cannot be read (\(address))" }
            if let refusal = OutboundAddress.refusal(bare) {
                return "the host \(host) is \(bare == host ? "" : "at \(bare), ")a \(refusal.rawValue) address, which tenants' URLs may not reach"
            }
        }
        return nil
    }

    /// Every address `host` resolves to, as numeric text.
    static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var entry = list
        while let current = entry {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(current.pointee.ai_addr, current.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                addresses.append(String(decoding: text.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self))
            }
            entry = current.pointee.ai_next
        }
        return addresses
    }
}
