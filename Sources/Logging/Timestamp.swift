import Foundation

/// RFC 3339 timestamps in UTC with milliseconds (`2026-11-26T04:35:16.415Z`), formatted by hand:
/// Foundation's ISO8601DateFormatter goes through ICU and cost more than a whole API request.
public enum Timestamp {
    public static func iso8601(_ date: Date) -> String {
        let millisecondsSinceEpoch = (date.timeIntervalSince1970 * 1000).rounded(.down)
        let seconds = Int((millisecondsSinceEpoch / 1000).rounded(.down))
        return format(seconds: seconds, milliseconds: Int(millisecondsSinceEpoch) - seconds * 1000)
    }

    static func now() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return format(seconds: now.tv_sec, milliseconds: now.tv_nsec / 1_000_000)
    }

    private static func format(seconds: Int, milliseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(48 + (rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        out.append(45)
        digits(Int(parts.tm_mon) + 1, 2)
        out.append(45)
        digits(Int(parts.tm_mday), 2)
        out.append(84)
        digits(Int(parts.tm_hour), 2)
        out.append(58)
        digits(Int(parts.tm_min), 2)
        out.append(58)
        digits(Int(parts.tm_sec), 2)
        out.append(46)
        digits(milliseconds, 3)
        out.append(90)
        return String(decoding: out, as: UTF8.self)
    }
}
