/// How many waits took each whole number of minutes: enough to give the count, the average and
/// exact percentiles, while the database only counts (a hash aggregate) instead of sorting every
/// wait of a year.
public struct MinuteDistribution: Sendable, Equatable {
    /// Waits by their length in minutes.
    public private(set) var counts: [Int: Int] = [:]

    public init() {}

    public mutating func add(_ minutes: Int, count: Int = 1) {
        counts[minutes, default: 0] += count
    }

    public mutating func merge(_ other: MinuteDistribution) {
        counts.merge(other.counts, uniquingKeysWith: +)
    }

    public var count: Int { counts.values.reduce(0, +) }

    public var average: Double? {
        let count = count
        guard count > 0 else { return nil }
        return Double(counts.reduce(0) { $0 + $1.key * $1.value }) / Double(count)
    }

    /// The `fraction` percentile interpolated between the two nearest waits, as PostgreSQL's
    /// `percentile_cont` computes it: the value at position `fraction × (count − 1)` of the sorted
    /// waits.
    public func percentile(_ fraction: Double) -> Double? {
        let count = count
        guard count > 0 else { return nil }
        let position = fraction * Double(count - 1)
        let below = Int(position.rounded(.down))
        let sorted = counts.sorted { $0.key < $1.key }
        func value(at rank: Int) -> Int {
            var seen = 0
            for (minutes, times) in sorted {
                seen += times
                if rank < seen { return minutes }
            }
            return sorted.last?.key ?? 0
        }
        let low = Double(value(at: below))
        let high = Double(value(at: min(below + 1, count - 1)))
        return low + (high - low) * (position - Double(below))
    }
}
