import CLibPQ
import Foundation

/// One libpq connection. Not thread-safe: a connection is used by one thread at a time, which the
/// pool guarantees. The `PGconn` is finished exactly once, in `deinit`.
public final class Connection {
    public struct Configuration: Sendable {
        /// A libpq connection URI or keyword/value string (`postgresql://user@host/db`).
        public var url: String
        public var applicationName: String
        /// libpq keywords that replace what `url` says (`user`, `dbname`, `password`), so one URL
        /// can serve several roles or databases without editing its text.
        public var overrides: [String: String]
        /// Cancels any statement running longer than this (`statement_timeout`), so a runaway
        /// query cannot hold a connection and the thread waiting on it indefinitely.
        public var statementTimeout: Duration?
        /// Receives server notices (RAISE NOTICE, warnings) instead of libpq printing them to stderr.
        public var onNotice: (@Sendable (String) -> Void)?

        public init(url: String, applicationName: String = "pitstop", overrides: [String: String] = [:],
                    onNotice: (@Sendable (String) -> Void)? = nil) {
            self.url = url
            self.applicationName = applicationName
            self.overrides = overrides
            self.onNotice = onNotice
        }
    }

    private final class NoticeSink {
        let handler: (@Sendable (String) -> Void)?
        init(_ handler: (@Sendable (String) -> Void)?) { self.handler = handler }
    }

    private let handle: OpaquePointer
    private let noticeSink: NoticeSink
    private var preparedStatements: [String: String] = [:]
    /// A COMMIT sent by `sendCommit` whose answer has not been read yet.
    private var commitInFlight = false
    /// Above this many cached statements the cache is dropped; statements come from code, so
    /// reaching it means something builds SQL text dynamically.
    private static let preparedStatementLimit = 500

    public init(_ configuration: Configuration) throws {
        // With expand_dbname, later keywords override what the URL in "dbname" says.
        let overrides = configuration.overrides.sorted { $0.key < $1.key }
        let keywords = ["dbname", "application_name", "connect_timeout"] + overrides.map(\.key)
        let values = [configuration.url, configuration.applicationName, "10"] + overrides.map(\.value)
        handle = try Self.connect(keywords: keywords, values: values)
        noticeSink = NoticeSink(configuration.onNotice)
        PQsetNoticeProcessor(handle, { context, message in
            guard let context, let message else { return }
            let sink = Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue()
            let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
            sink.handler?(text)
        }, Unmanaged.passUnretained(noticeSink).toOpaque())
        // Decoding relies on ISO timestamps in UTC; set once per connection. JIT compilation is
        // off: it pays for itself only on long analytical queries, and a misestimated OLTP
        // statement (dispatch's candidate query) spent 15–40 ms compiling to run for 3.
        try simple("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3; SET jit = off")
        if let timeout = configuration.statementTimeout {
            let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
            try query("SELECT set_config('statement_timeout', \(String(milliseconds)), false)")
        }
    }

    private static func connect(keywords: [String], values: [String]) throws -> OpaquePointer {
        let keywordPointers = keywords.map { strdup($0) } + [nil]
        let valuePointers = values.map { strdup($0) } + [nil]
        defer {
            keywordPointers.forEach { free($0) }
            valuePointers.forEach { free($0) }
        }
        let connection = keywordPointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { k in
            valuePointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { v in
                PQconnectdbParams(k.baseAddress, v.baseAddress, 1)
            }
        }
        guard let connection else {
            throw PostgresError(kind: .connectionFailed, message: "libpq could not allocate a connection")
        }
        if PQstatus(connection) != CONNECTION_OK {
            let message = String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(connection)
            throw PostgresError(kind: .connectionFailed, message: message,
                                hint: "check DATABASE_URL and that PostgreSQL is running and reachable")
        }
        return connection
    }

    deinit { PQfinish(handle) }

    /// Whether the connection is still usable. Cheap: an idle connection has nothing to read,
    /// so anything on the socket (a FATAL from a restart or terminate, EOF, or a rare status
    /// report) means it should be replaced, which a zero-time poll sees.
    public var isAlive: Bool {
        guard PQstatus(handle) == CONNECTION_OK else { return false }
        let socket = PQsocket(handle)
        guard socket >= 0 else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }

    var isIdleOutsideTransaction: Bool { PQtransactionStatus(handle) == PQTRANS_IDLE }

    /// Whether the pool may hand the connection out again: healthy as far as libpq knows, and
    /// either outside a transaction or with only a read-only COMMIT's answer still to read.
    var isReusable: Bool {
        PQstatus(handle) == CONNECTION_OK && (commitInFlight || isIdleOutsideTransaction)
    }

    /// Sends COMMIT and returns without waiting for its answer, which `settle` reads before the
    /// connection's next use. Only for read-only transactions: they wrote nothing, so whether
    /// the COMMIT succeeds changes nothing the caller could act on, and the response need not
    /// wait a round trip for it.
    func sendCommit() throws {
        guard PQsendQuery(handle, "COMMIT") == 1 else { throw lostInPipeline() }
        commitInFlight = true
    }

    /// Reads the answer of a COMMIT sent by `sendCommit`. A failure there leaves the connection
    /// broken (then `isAlive` is false) or idle; either way there is nothing to report.
    func settle() {
        guard commitInFlight else { return }
        commitInFlight = false
        while let result = PQgetResult(handle) { PQclear(result) }
    }

    /// Runs a parameterised statement through the per-connection prepared-statement cache.
    @discardableResult
    public func query(_ sql: SQL) throws -> QueryResult {
        try Self.checkParameters(sql)
        let name = try prepare(sql.text, parameterCount: sql.parameters.count)
        let pointers = sql.parameters.map { $0.map { strdup($0) } ?? nil }
        defer { pointers.forEach { free($0) } }
        let result = pointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { values in
            PQexecPrepared(handle, name, Int32(values.count), values.baseAddress, nil, nil, 0)
        }
        return try check(result)
    }

    /// Sends several statements in one round trip (libpq pipeline mode) and returns their results
    /// in order. The first failure is thrown; statements after it in the pipeline did not run.
    /// A transaction's BEGIN and settings travel with its first statement this way.
    func pipeline(_ statements: [SQL]) throws -> [QueryResult] {
        for sql in statements { try Self.checkParameters(sql) }
        guard PQenterPipelineMode(handle) == 1 else { throw error(from: nil) }
        enum Step { case prepare(text: String, name: String), execute }
        var steps: [Step] = []
        var newNames: [String: String] = [:]
        for sql in statements {
            var name = preparedStatements[sql.text] ?? newNames[sql.text]
            if name == nil {
                let fresh = "p\(preparedStatements.count + newNames.count)"
                guard PQsendPrepare(handle, fresh, sql.text, Int32(sql.parameters.count), nil) == 1 else { throw lostInPipeline() }
                steps.append(.prepare(text: sql.text, name: fresh))
                newNames[sql.text] = fresh
                name = fresh
            }
            // libpq copies the parameters into its send buffer, so they can be freed at once.
            let pointers = sql.parameters.map { $0.map { strdup($0) } ?? nil }
            defer { pointers.forEach { free($0) } }
            let sent = pointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { values in
                PQsendQueryPrepared(handle, name, Int32(values.count), values.baseAddress, nil, nil, 0)
            }
            guard sent == 1 else { throw lostInPipeline() }
            steps.append(.execute)
        }
        guard PQpipelineSync(handle) == 1 else { throw lostInPipeline() }

        var results: [QueryResult] = []
        var failure: PostgresError?
        for step in steps {
            guard let result = PQgetResult(handle) else { throw lostInPipeline() }
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
                if case .prepare(let text, let name) = step {
                    preparedStatements[text] = name
                    PQclear(result)
                } else {
                    results.append(QueryResult(taking: result))
                }
            case PGRES_PIPELINE_ABORTED:
                PQclear(result)
            default:
                if failure == nil { failure = error(from: result) }
                PQclear(result)
            }
            // Each command's results end with a NULL.
            while let extra = PQgetResult(handle) { PQclear(extra) }
        }
        guard let sync = PQgetResult(handle) else { throw lostInPipeline() }
        PQclear(sync)
        PQexitPipelineMode(handle)
        if let failure { throw failure }
        return results
    }

    /// The connection broke mid-pipeline: it is unusable, so only the error matters.
    private func lostInPipeline() -> PostgresError {
        let failure = error(from: nil)
        return PostgresError(kind: .connectionLost, sqlState: failure.sqlState, message: failure.message)
    }

    /// Parameters travel as C strings: one with a NUL would be silently cut short, so refuse it.
    private static func checkParameters(_ sql: SQL) throws {
        for (index, parameter) in sql.parameters.enumerated() where parameter?.utf8.contains(0) == true {
            throw PostgresError(kind: .invalidParameter, message: "parameter $\(index + 1) contains a NUL character")
        }
    }

    /// Runs fixed text with the simple protocol (several statements allowed, no parameters):
    /// BEGIN, COMMIT, migration files.
    @discardableResult
    public func simple(_ text: String) throws -> QueryResult {
        try check(PQexec(handle, text))
    }

    /// Quotes an identifier (a role or channel name) with the server's own rules.
    public func escapeIdentifier(_ identifier: String) throws -> String {
        guard let escaped = PQescapeIdentifier(handle, identifier, identifier.utf8.count) else {
            throw error(from: nil)
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }

    private func prepare(_ text: String, parameterCount: Int) throws -> String {
        if let name = preparedStatements[text] { return name }
        if preparedStatements.count >= Self.preparedStatementLimit {
            try simple("DEALLOCATE ALL")
            preparedStatements.removeAll()
        }
        let name = "p\(preparedStatements.count)"
        try check(PQprepare(handle, name, text, Int32(parameterCount), nil))
        preparedStatements[text] = name
        return name
    }

    @discardableResult
    private func check(_ result: OpaquePointer?) throws -> QueryResult {
        guard let result else { throw error(from: nil) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return QueryResult(taking: result)
        default:
            defer { PQclear(result) }
            throw error(from: result)
        }
    }

    private func error(from result: OpaquePointer?) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let result, let ascii = code.asciiValue,
                  let value = PQresultErrorField(result, Int32(ascii)) else { return nil }
            return String(cString: value)
        }
        let state = field("C").map(SQLState.init(rawValue:))
        // The server ending the session (57P01 admin shutdown on restart, class 08) leaves the
        // connection unusable even before libpq has read the EOF that marks it bad.
        let lost = PQstatus(handle) != CONNECTION_OK || state?.errorClass == "08" || state?.rawValue.hasPrefix("57P") == true
        let message = field("M") ?? String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
        return PostgresError(kind: lost ? .connectionLost : .server,
                             sqlState: state,
                             message: message, detail: field("D"), hint: field("H"),
                             constraint: field("n"), table: field("t"), column: field("c"))
    }
}

extension Connection {
    /// Reads notifications for channels this connection LISTENs on, waiting up to `timeout`.
    func waitForNotifications(timeout: Duration) throws -> [Notification] {
        var found = drainNotifications()
        if !found.isEmpty { return found }
        let socket = PQsocket(handle)
        guard socket >= 0 else { throw error(from: nil) }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        // A timeout already past means "look, do not wait": poll takes a negative one as "forever".
        let milliseconds = Int32(max(0, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        let ready = poll(&descriptor, 1, milliseconds)
        if ready > 0 {
            guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else {
                throw PostgresError(kind: .connectionLost, message: "the LISTEN connection was closed by the server")
            }
            found = drainNotifications()
        }
        return found
    }

    private func drainNotifications() -> [Notification] {
        var found: [Notification] = []
        while let notify = PQnotifies(handle) {
            found.append(Notification(channel: String(cString: notify.pointee.relname),
                                      payload: String(cString: notify.pointee.extra),
                                      processID: notify.pointee.be_pid))
            PQfreemem(notify)
        }
        return found
    }
}

/// A NOTIFY received on a LISTEN connection.
public struct Notification: Sendable, Equatable {
    public var channel: String
    public var payload: String
    public var processID: Int32
}
