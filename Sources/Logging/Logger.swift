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
        var object: [String: Any] = [:]
        for (key, value) in fields { object[key] = value.json }
        object["time"] = Self.timestamp(Date())
        object["level"] = level.name
        object["msg"] = message
        object["component"] = component
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        sink(String(decoding: data, as: UTF8.self))
    }

    public func debug(_ message: String, _ fields: [String: LogValue] = [:]) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: [String: LogValue] = [:]) { log(.info, message, fields) }
    public func warning(_ message: String, _ fields: [String: LogValue] = [:]) { log(.warning, message, fields) }
    public func error(_ message: String, _ fields: [String: LogValue] = [:]) { log(.error, message, fields) }

    private static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
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

    var json: Any {
        switch self {
        case .string(let value): value
        case .int(let value): value
        case .double(let value): value.isFinite ? value : String(value)
        case .bool(let value): value
        }
    }
}
