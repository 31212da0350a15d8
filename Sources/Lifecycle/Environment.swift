import Foundation
import Logging

/// Reads settings from environment variables, collecting every problem so a misconfigured
/// process says everything that is wrong at once and exits.
public struct Environment {
    public let values: [String: String]
    public private(set) var problems: [String] = []

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    public func string(_ name: String) -> String? {
        values[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    public mutating func required(_ name: String, hint: String) -> String {
        guard let value = string(name) else {
            problems.append("\(name) is not set: \(hint)")
            return ""
        }
        return value
    }

    public mutating func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
        guard let text = string(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            problems.append("\(name)=\(text) is not a whole number from \(range.lowerBound) to \(range.upperBound)")
            return fallback
        }
        return value
    }

    /// true or false (also 1/0, yes/no).
    public mutating func flag(_ name: String, default fallback: Bool) -> Bool {
        guard let text = string(name) else { return fallback }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default:
            problems.append("\(name)=\(text) is not true or false")
            return fallback
        }
    }

    /// `host:port`, with `[v6]:port` for IPv6.
    public mutating func hostPort(_ name: String, default fallback: (String, Int)) -> (host: String, port: Int) {
        guard let text = string(name) else { return fallback }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            problems.append("\(name)=\(text) is not host:port (for example 127.0.0.1:8080)")
            return fallback
        }
        return (String(text[..<colon]), port)
    }

    /// `PITSTOP_LOG_LEVEL`-style settings: debug, info, warning or error.
    public mutating func logLevel(_ name: String, default fallback: Logger.Level = .info) -> Logger.Level {
        guard let text = string(name) else { return fallback }
        guard let level = Logger.Level(name: text) else {
            problems.append("\(name)=\(text) is not one of debug, info, warning, error")
            return fallback
        }
        return level
    }

    /// A 32-byte key given in Base64 (`openssl rand -base64 32`); nil when unset.
    public mutating func key(_ name: String) -> [UInt8]? {
        guard let text = string(name) else { return nil }
        guard let data = Data(base64Encoded: text), data.count == 32 else {
            report("\(name) must be 32 random bytes in Base64; make one with: openssl rand -base64 32")
            return nil
        }
        return Array(data)
    }

    /// An http(s) base URL such as `https://pitstop.example.com`, without a trailing slash.
    public mutating func baseURL(_ name: String) -> String? {
        guard let value = string(name).map({ $0.hasSuffix("/") ? String($0.dropLast()) : $0 }) else { return nil }
        guard value.hasPrefix("https://") || value.hasPrefix("http://"), URL(string: value)?.host != nil else {
            report("\(name) must be an http(s) URL such as https://pitstop.example.com")
            return nil
        }
        return value
    }

    public mutating func report(_ problem: String) {
        problems.append(problem)
    }

    /// Throws every problem found so far, if any.
    public func validate() throws {
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public var problems: [String]
    public var description: String { "configuration error:\n" + problems.map { "  - \($0)" }.joined(separator: "\n") }
}
