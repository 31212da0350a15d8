import Foundation

/// timestamptz in the text form the server prints with `DateStyle=ISO` and `TimeZone=UTC`
/// (set on every connection): `2026-11-26 03:56:02.123456+00`.
enum PostgresTimestamp {
    static func format(_ date: Date) -> String {
        // Microseconds, the server's precision; rounding keeps a round trip exact.
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let seconds = Int64((micros / 1_000_000).rounded(.down))
        let fraction = Int64(micros) - seconds * 1_000_000
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
                      Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), fraction)
    }

    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for _ in 0..<digits {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
                index += 1
            }
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == character else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
              expect(32) || expect(84), let hour = number(2), expect(58), let minute = number(2), expect(58),
              let second = number(2) else { return nil }
        var micros = 0
        if expect(46) {
            var scale = 100_000
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                micros += Int(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < bytes.count {
            let sign: Int
            if expect(43) { sign = 1 } else if expect(45) { sign = -1 } else if expect(90) { sign = 0 } else { return nil }
            if sign != 0 {
                guard let hours = number(2) else { return nil }
                var minutes = 0
                var secs = 0
                if expect(58) { guard let m = number(2) else { return nil }; minutes = m }
                if expect(58) { guard let s = number(2) else { return nil }; secs = s }
                offsetSeconds = sign * (hours * 3600 + minutes * 60 + secs)
            }
        }
        guard index == bytes.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let epoch = timegm(&parts)
        return Date(timeIntervalSince1970: TimeInterval(epoch - offsetSeconds) + TimeInterval(micros) / 1_000_000)
    }
}

/// One-dimensional arrays in the server's text form: `{a,"b c",NULL}`.
enum PostgresArray {
    /// Works on UTF-8 bytes: walking Characters (grapheme clusters) showed in dispatch profiles,
    /// where arrays of a few hundred ids are sent per decision.
    static func format(_ items: [String?]) -> String {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(items.count * 40 + 2)
        for (offset, item) in items.enumerated() {
            if offset > 0 { out.append(UInt8(ascii: ",")) }
            guard let item else { out += Array("NULL".utf8); continue }
            out.append(quote)
            for byte in item.utf8 {
                if byte == quote || byte == backslash { out.append(backslash) }
                out.append(byte)
            }
            out.append(quote)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    static func parse(_ text: String) -> [String?]? {
        let characters = Array(text)
        guard characters.first == "{", characters.last == "}" else { return nil }
        var items: [String?] = []
        var index = 1
        let end = characters.count - 1
        if index == end { return [] }
        while index <= end {
            var item = ""
            var quoted = false
            if characters[index] == "\"" {
                quoted = true
                index += 1
                while index < end, characters[index] != "\"" {
                    if characters[index] == "\\" { index += 1 }
                    guard index < end else { return nil }
                    item.append(characters[index])
                    index += 1
                }
                index += 1
            } else {
                while index < end, characters[index] != "," {
                    item.append(characters[index])
                    index += 1
                }
            }
            items.append(!quoted && item == "NULL" ? nil : item)
            guard index == end || characters[index] == "," else { return nil }
            index += 1
        }
        return items
    }
}
