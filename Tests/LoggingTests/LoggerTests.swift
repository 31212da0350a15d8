import Foundation
import Logging
import Testing

@Suite struct LoggerTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [String] = []
        func add(_ line: String) { lock.withLock { stored.append(line) } }
        var all: [String] { lock.withLock { stored } }
    }

    @Test func linesAreValidJSONWithEveryFieldEscaped() throws {
        let lines = Lines()
        let logger = Logger(component: "test", minimumLevel: .debug, sink: { lines.add($0) })
        let tricky = "quote \" backslash \\ newline \n tab \t bell \u{7} 汽修 🚗"
        logger.info(tricky, ["text": .string(tricky), "count": 3, "ratio": 0.5, "ok": true, "nan": .double(.nan)])
        let line = try #require(lines.all.first)
        #expect(!line.contains("\n"))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["msg"] as? String == tricky)
        #expect(object["text"] as? String == tricky)
        #expect(object["count"] as? Int == 3)
        #expect(object["ratio"] as? Double == 0.5)
        #expect(object["ok"] as? Bool == true)
        #expect(object["nan"] as? String == "nan")
        #expect(object["level"] as? String == "info")
        #expect(object["component"] as? String == "test")
        let time = try #require(object["time"] as? String)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let parsed = try #require(formatter.date(from: time))
        #expect(abs(parsed.timeIntervalSinceNow) < 60)
    }

    @Test func levelsBelowTheMinimumAreDropped() {
        let lines = Lines()
        let logger = Logger(component: "test", minimumLevel: .warning, sink: { lines.add($0) })
        logger.debug("no")
        logger.info("no")
        logger.warning("yes")
        logger.error("yes")
        #expect(lines.all.count == 2)
    }
}

@Suite struct TimestampTests {
    @Test(arguments: [0.0, 1_795_000_000.123, 1_795_000_000.999_9, 951_782_400.5, -1.5])
    func matchesFoundationsFormatter(seconds: Double) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = Date(timeIntervalSince1970: seconds)
        // Foundation rounds to the millisecond where we truncate; compare at whole seconds and
        // check the fraction separately.
        let ours = Timestamp.iso8601(date)
        #expect(ours.prefix(19) == formatter.string(from: Date(timeIntervalSince1970: (seconds).rounded(.down))).prefix(19))
        let millis = (Int((seconds * 1000).rounded(.down)) % 1000 + 1000) % 1000
        #expect(ours.hasSuffix(String(format: ".%03dZ", millis)))
    }
}
