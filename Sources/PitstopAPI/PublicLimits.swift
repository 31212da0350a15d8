import Foundation
import HTTPServer
import PitstopCore
import Synchronization

/// Rate limits for the routes anyone may call without a key. Reports are limited per intake link
/// (a leaked QR code cannot flood a shop) and per client address (one client cannot flood many
/// links); lookups (a link's form, an order's status) only per address, generously.
///
/// Limits are per API process: with several processes behind a balancer each allows its share.
final class PublicLimits: Sendable {
    private let reportsPerLink: Mutex<KeyedTokenBuckets>
    private let reportsPerAddress: Mutex<KeyedTokenBuckets>
    private let lookupsPerAddress: Mutex<KeyedTokenBuckets>

    init(reportsPerLinkPerHour: Int, reportsPerAddressPerHour: Int, lookupsPerAddressPerMinute: Int) {
        reportsPerLink = Mutex(KeyedTokenBuckets(capacity: Double(reportsPerLinkPerHour),
                                                 refillPerSecond: Double(reportsPerLinkPerHour) / 3600))
        reportsPerAddress = Mutex(KeyedTokenBuckets(capacity: Double(reportsPerAddressPerHour),
                                                    refillPerSecond: Double(reportsPerAddressPerHour) / 3600))
        lookupsPerAddress = Mutex(KeyedTokenBuckets(capacity: Double(lookupsPerAddressPerMinute),
                                                    refillPerSecond: Double(lookupsPerAddressPerMinute) / 60))
    }

    /// Counts a report through `link` from `address`, or throws 429 with the wait. A refused
    /// report uses up nothing of the other limit.
    func admitReport(link: String, address: String) throws {
        let now = Self.now()
        let addressWait = reportsPerAddress.withLock { $0.retryAfter(address, now: now) }
        if addressWait > 0 { throw Self.refusal(addressWait, "too many reports from this address") }
        let linkWait = reportsPerLink.withLock { $0.retryAfter(link, now: now) }
        if linkWait > 0 { throw Self.refusal(linkWait, "this link has taken too many reports; try again later or call the shop") }
        reportsPerAddress.withLock { _ = $0.take(address, now: now) }
        reportsPerLink.withLock { _ = $0.take(link, now: now) }
    }

    func admitLookup(address: String) throws {
        let now = Self.now()
        let wait = lookupsPerAddress.withLock { $0.take(address, now: now) ? 0 : $0.retryAfter(address, now: now) }
        if wait > 0 { throw Self.refusal(wait, "too many requests from this address") }
    }

    private static func refusal(_ seconds: Double, _ detail: String) -> Problem {
        Problem.tooManyRequests(retryAfter: max(1, Int(seconds.rounded(.up))), detail)
    }

    private static func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
