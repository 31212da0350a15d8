import Foundation
import PitstopCore
import Testing

@Suite struct APIKeyTextTests {
    @Test(arguments: [[UInt8](), [0], [0xff], [1, 2, 3, 4, 5], Array(0...255)])
    func base32RoundTrips(bytes: [UInt8]) {
        #expect(Base32.decode(Base32.encode(bytes)) == bytes)
    }

    @Test func base32MatchesRFC4648() {
        // RFC 4648 section 10, lower-cased and unpadded.
        #expect(Base32.encode(Array("foobar".utf8)) == "mzxw6ytboi")
        #expect(Base32.encode(Array("f".utf8)) == "my")
        #expect(Base32.decode("MZXW6") == nil)
        #expect(Base32.decode("mz1") == nil)
    }

    @Test func tenantKeysCarryTheirTenant() {
        let tenant = UUID()
        let text = APIKeyText.tenantKey(tenantID: tenant, prefix: "abcdefgh", secret: String(repeating: "k", count: 32))
        #expect(APIKeyText.parse(text) == .tenant(tenantID: tenant, prefix: "abcdefgh"))
    }

    @Test func platformKeysParse() {
        let text = APIKeyText.platformKey(prefix: "abcdefgh", secret: String(repeating: "q", count: 32))
        #expect(APIKeyText.parse(text) == .platform(prefix: "abcdefgh"))
    }

    @Test(arguments: [
        "", "psk_", "Bearer", "psk_a_b_c", "ppk_abcdefgh", "ppk_abcdefg_" + String(repeating: "q", count: 32),
        "ppk_abcdefgh_" + String(repeating: "q", count: 31), "ppk_ABCDEFGH_" + String(repeating: "q", count: 32),
        "psk_" + String(repeating: "a", count: 26) + "_abcdefgh_" + String(repeating: "1", count: 32),
        "xyz_abcdefgh_" + String(repeating: "q", count: 32),
    ])
    func malformedKeysAreRejected(text: String) {
        #expect(APIKeyText.parse(text) == nil)
    }
}

@Suite struct TokenBucketTests {
    @Test func emptiesThenRefillsWithTime() {
        var bucket = TokenBucket(capacity: 3, refillPerSecond: 1, now: 0)
        let taken = [bucket.take(now: 0), bucket.take(now: 0), bucket.take(now: 0), bucket.take(now: 0)]
        #expect(taken == [true, true, true, false])
        #expect(bucket.secondsUntilNextToken(now: 0) == 1)
        let later = [bucket.take(now: 0.5), bucket.take(now: 1.5)]
        #expect(later == [false, true])
        #expect(bucket.isFull(now: 100))
    }

    @Test func failuresFromOneAddressDoNotSlowAnother() {
        var throttle = KeyedTokenBuckets(capacity: 2, refillPerSecond: 0.5)
        for _ in 0..<3 { throttle.take("10.0.0.1", now: 0) }
        #expect(throttle.retryAfter("10.0.0.1", now: 0) > 0)
        #expect(throttle.retryAfter("10.0.0.2", now: 0) == 0)
        #expect(throttle.retryAfter("10.0.0.1", now: 10) == 0)
    }

    @Test func staysBounded() {
        var throttle = KeyedTokenBuckets(capacity: 2, refillPerSecond: 1, maximumEntries: 100)
        for index in 0..<1000 { throttle.take("a\(index)", now: Double(index)) }
        #expect(throttle.trackedKeys <= 100)
    }
}
