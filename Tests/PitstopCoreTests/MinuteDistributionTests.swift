import PitstopCore
import Testing

@Suite struct MinuteDistributionTests {
    func distribution(_ waits: [Int]) -> MinuteDistribution {
        var distribution = MinuteDistribution()
        for wait in waits { distribution.add(wait) }
        return distribution
    }

    /// Expected values are PostgreSQL's: `SELECT percentile_cont(f) WITHIN GROUP (ORDER BY m)
    /// FROM unnest(ARRAY[…]) m`.
    @Test(arguments: [
        ([30, 90], 0.5, 60.0), ([30, 90], 0.9, 84.0),
        ([5], 0.5, 5.0), ([5], 0.9, 5.0),
        ([1, 2, 3, 4], 0.5, 2.5), ([1, 2, 3, 4], 0.9, 3.7),
        ([10, 10, 10, 40], 0.5, 10.0), ([10, 10, 10, 40], 0.9, 31.0),
        ([0, 0, 7, 7, 7, 100], 0.5, 7.0), ([0, 0, 7, 7, 7, 100], 0.9, 53.5),
    ])
    func percentilesMatchPostgres(waits: [Int], fraction: Double, expected: Double) {
        let result = distribution(waits).percentile(fraction) ?? -1
        #expect(abs(result - expected) < 1e-9, "\(waits) at \(fraction): \(result)")
    }

    @Test func countAverageAndMergingAgreeWithTheWaitsThemselves() {
        var morning = distribution([30, 90, 90])
        let afternoon = distribution([90, 15])
        morning.merge(afternoon)
        #expect(morning == distribution([15, 30, 90, 90, 90]))
        #expect(morning.count == 5 && morning.average == 63)
        #expect(morning.percentile(0.5) == 90)
        #expect(MinuteDistribution().average == nil && MinuteDistribution().percentile(0.5) == nil)
    }
}
