#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which network addresses a tenant's URL may make Pitstop call. A URL a tenant supplies (a
/// webhook, a robot, an SMS gateway) is a request the server makes on their behalf, so it must
/// not reach the server's own machine or private network (SSRF): loopback, private ranges,
/// link-local (cloud metadata at 169.254.169.254), and ranges never used on the public internet.
public enum OutboundAddress {
    public enum Refusal: String, Sendable {
        case loopback
        case privateNetwork = "private network"
        case linkLocal = "link-local"
        case unspecified
        case multicast
        case reserved
    }

    /// Why the numeric address `text` (IPv4 dotted or IPv6) must not be called; nil when it may.
    /// Text that is not a numeric address is `nil` too: resolve it first.
    public static func refusal(_ text: String) -> Refusal? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return refusal(ipv4: withUnsafeBytes(of: &v4) { Array($0) })
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return refusal(ipv6: withUnsafeBytes(of: &v6) { Array($0) })
        }
        return nil
    }

    public static func isNumeric(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    /// `bytes`: the four bytes in network order.
    public static func refusal(ipv4 bytes: [UInt8]) -> Refusal? {
        let (a, b) = (bytes[0], bytes[1])
        switch a {
        case 0: return .unspecified
        case 10: return .privateNetwork
        case 127: return .loopback
        case 100 where (64...127).contains(b): return .privateNetwork // shared address space (carrier NAT)
        case 169 where b == 254: return .linkLocal
        case 172 where (16...31).contains(b): return .privateNetwork
        case 192 where b == 168: return .privateNetwork
        case 192 where b == 0 && (bytes[2] == 0 || bytes[2] == 2): return .reserved // protocol assignments, documentation
        case 198 where b == 18 || b == 19: return .reserved // benchmarking
        case 198 where b == 51 && bytes[2] == 100: return .reserved // documentation
        case 203 where b == 0 && bytes[2] == 113: return .reserved // documentation
        case 224...239: return .multicast
        case 240...255: return .reserved // including the broadcast address
        default: return nil
        }
    }

    /// `bytes`: the sixteen bytes in network order.
    public static func refusal(ipv6 bytes: [UInt8]) -> Refusal? {
        if bytes.allSatisfy({ $0 == 0 }) { return .unspecified }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return .loopback }
        // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff
            || bytes[0..<12] == [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0] {
            return refusal(ipv4: Array(bytes[12..<16]))
        }
        if bytes[0] & 0xfe == 0xfc { return .privateNetwork } // unique local fc00::/7
        if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 { return .linkLocal } // fe80::/10
        if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0xc0 { return .privateNetwork } // site-local fec0::/10 (deprecated)
        if bytes[0] == 0xff { return .multicast }
        if bytes[0..<4] == [0x20, 0x01, 0x0d, 0xb8] { return .reserved } // documentation
        return nil
    }
}
