import Foundation

/// Writes one JSON object per line to standard output: `time`, `level`, `msg`, then the fields.
/// Passed to whatever needs it; there is no global logger.
public struct Logger: Sendable {
    public enum Level: Int, Comparable, Sendable, CaseIterable {
        case debug, info, warning, error

        public var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }

        public init?(name: String) {
            guard let level = Self.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
            self = level
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public let minimumLevel: Level
    public let component: String
    private let sink: @Sendable (String) -> Void

    public init(component: String, minimumLevel: Level = .info, sink: @escaping @Sendable (String) -> Void = Logger.standardOutput) {
        self.component = component
        self.minimumLevel = minimumLevel
        self.sink = sink
    }

    public static let standardOutput: @Sendable (String) -> Void = { line in
        // One write(2) a line, unbuffered, so lines from several threads never interleave and
        // nothing is lost when the process is killed.
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { buffer in _ = write(STDOUT_FILENO, buffer.baseAddress, buffer.count) }
    }

    public func log(_ level: Level, _ message: String, _ fields: [String: LogValue] = [:]) {
        guard level >= minimumLevel else { return }
        // Built by hand: this runs once per request, and JSONSerialization with a date formatter
        // cost more than the request itself.
        var line = "{\"time\":\""
        line += Timestamp.now()
        line += "\",\"level\":\"\(level.name)\",\"component\":"
        JSONText.appendString(component, to: &line)
        line += ",\"msg\":"
        JSONText.appendString(message, to: &line)
        for key in fields.keys.sorted() {
            line += ","
            JSONText.appendString(key, to: &line)
            line += ":"
            fields[key]!.append(to: &line)
        }
        line += "}"
        sink(line)
    }

    public func debug(_ message: String, _ fields: [String: LogValue] = [:]) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: [String: LogValue] = [:]) { log(.info, message, fields) }
    public func warning(_ message: String, _ fields: [String: LogValue] = [:]) { log(.warning, message, fields) }
    public func error(_ message: String, _ fields: [String: LogValue] = [:]) { log(.error, message, fields) }
}

/// A value in a log line.
public enum LogValue: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }

    func append(to line: inout String) {
        switch self {
        case .string(let value): JSONText.appendString(value, to: &line)
        case .int(let value): line += String(value)
        case .double(let value): if value.isFinite { line += String(value) } else { JSONText.appendString(String(value), to: &line) }
        case .bool(let value): line += value ? "true" : "false"
        }
    }
}

/// JSON string literals (RFC 8259): quotes, backslashes and control characters escaped.
enum JSONText {
    static func appendString(_ value: String, to line: inout String) {
        line += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                line += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}
