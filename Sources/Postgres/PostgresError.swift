/// A five-character SQLSTATE code, with names for the ones Pitstop reacts to.
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The two-character class ("23" for integrity constraint violations).
    public var errorClass: String { String(rawValue.prefix(2)) }

    public static let uniqueViolation = SQLState(rawValue: "23505")
    public static let foreignKeyViolation = SQLState(rawValue: "23503")
    public static let notNullViolation = SQLState(rawValue: "23502")
    public static let checkViolation = SQLState(rawValue: "23514")
    public static let invalidTextRepresentation = SQLState(rawValue: "22P02")
    public static let numericValueOutOfRange = SQLState(rawValue: "22003")
    public static let serializationFailure = SQLState(rawValue: "40001")
    public static let deadlockDetected = SQLState(rawValue: "40P01")
    public static let insufficientPrivilege = SQLState(rawValue: "42501")
    public static let undefinedTable = SQLState(rawValue: "42P01")
    public static let queryCanceled = SQLState(rawValue: "57014")
}

/// Every failure of the Postgres module. `description` is safe to show anyone: it names the kind
/// of failure and the SQLSTATE, never the statement or its values. `debugDescription` carries the
/// server's fields for logs.
public struct PostgresError: Error, CustomStringConvertible, CustomDebugStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The server refused a statement; `sqlState` says why.
        case server
        /// No connection could be opened.
        case connectionFailed
        /// The connection broke while in use (server restart, network).
        case connectionLost
        /// No pooled connection became free within the acquire time-out.
        case poolTimeout
        /// The pool was closed.
        case poolClosed
        /// A column could not be decoded as the requested Swift type.
        case decoding
        /// A parameter cannot be sent: text with a NUL character, which libpq would cut short.
        case invalidParameter
    }

    public var kind: Kind
    public var sqlState: SQLState?
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var table: String?
    public var column: String?
    /// Set when the failure happened at BEGIN, so nothing of the transaction ran.
    var beganNothing = false

    public init(kind: Kind, sqlState: SQLState? = nil, message: String, detail: String? = nil, hint: String? = nil,
                constraint: String? = nil, table: String? = nil, column: String? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
    }

    public var description: String {
        switch kind {
        case .server: "database error \(sqlState?.rawValue ?? "?????")"
        case .connectionFailed: "database connection failed"
        case .connectionLost: "database connection lost"
        case .poolTimeout: "no database connection available"
        case .poolClosed: "database pool closed"
        case .decoding: "database result could not be decoded"
        case .invalidParameter: "a statement parameter cannot be sent"
        }
    }

    public var debugDescription: String {
        var parts = ["\(description): \(message)"]
        if let detail { parts.append("detail: \(detail)") }
        if let hint { parts.append("hint: \(hint)") }
        if let constraint { parts.append("constraint: \(constraint)") }
        if let table { parts.append("table: \(table)") }
        if let column { parts.append("column: \(column)") }
        return parts.joined(separator: "; ")
    }

    /// Whether the failed transaction may simply be run again.
    public var isTransient: Bool {
        sqlState == .serializationFailure || sqlState == .deadlockDetected
    }
}
