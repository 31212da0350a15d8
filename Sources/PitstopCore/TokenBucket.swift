/// A token bucket: `capacity` tokens, refilled at `refillPerSecond`; each event takes one.
/// Time is passed in, so the rule is tested without clocks.
public struct TokenBucket: Sendable, Equatable {
    public let capacity: Double
    public let refillPerSecond: Double
    public private(set) var tokens: Double
    public private(set) var updatedAt: Double

    public init(capacity: Double, refillPerSecond: Double, now: Double) {
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
        tokens = capacity
        updatedAt = now
    }

    /// Takes a token if one is there; false means the caller should be slowed down.
    public mutating func take(now: Double) -> Bool {
        refill(now: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Seconds until a token will be there again.
    public func secondsUntilNextToken(now: Double) -> Double {
        var copy = self
        copy.refill(now: now)
        return copy.tokens >= 1 ? 0 : (1 - copy.tokens) / refillPerSecond
    }

    /// Whether the bucket has refilled completely, so forgetting it changes nothing.
    public func isFull(now: Double) -> Bool {
        var copy = self
        copy.refill(now: now)
        return copy.tokens >= capacity
    }

    private mutating func refill(now: Double) {
        let elapsed = max(0, now - updatedAt)
        tokens = min(capacity, tokens + elapsed * refillPerSecond)
        updatedAt = max(updatedAt, now)
    }
}

/// Token buckets by key (a client address, a link): for slowing down repeated failures (wrong
/// API keys, where only failures take tokens, so a client with a valid key is never held back by
/// someone guessing from another address) and for plain rate limits (every event takes one).
/// Bounded: full buckets are forgotten first.
public struct KeyedTokenBuckets: Sendable {
    public let capacity: Double
    public let refillPerSecond: Double
    public let maximumEntries: Int
    private var buckets: [String: TokenBucket] = [:]

    public init(capacity: Double = 10, refillPerSecond: Double = 1, maximumEntries: Int = 10_000) {
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
        self.maximumEntries = maximumEntries
    }

    /// Seconds `key` must wait before its next event would find a token; 0 when it may go on.
    public func retryAfter(_ key: String, now: Double) -> Double {
        buckets[key]?.secondsUntilNextToken(now: now) ?? 0
    }

    /// Records an event of `key`; false when its bucket was already empty.
    @discardableResult
    public mutating func take(_ key: String, now: Double) -> Bool {
        if buckets[key] == nil && buckets.count >= maximumEntries {
            buckets = buckets.filter { !$0.value.isFull(now: now) }
            if buckets.count >= maximumEntries { buckets.removeAll() }
        }
        var bucket = buckets[key] ?? TokenBucket(capacity: capacity, refillPerSecond: refillPerSecond, now: now)
        let taken = bucket.take(now: now)
        buckets[key] = bucket
        return taken
    }

    public var trackedKeys: Int { buckets.count }
}
