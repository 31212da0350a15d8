/// The statements of one open transaction. Exists only inside `ConnectionPool.transaction`, which
/// begins, commits and rolls back; there is no public BEGIN or COMMIT.
///
/// BEGIN and the settings are not sent on their own: they go in one pipeline with the first
/// statement, so a one-statement transaction costs two round trips (that and COMMIT), not four.
///
/// A read-only transaction (`BEGIN READ ONLY`: the server refuses any write in it) does not wait
/// for its COMMIT either: there is nothing it could lose, so a one-statement read costs one round
/// trip.
public final class Transaction {
    let connection: Connection
    let readOnly: Bool
    private var prologue: [SQL]?

    init(connection: Connection, settings: [(name: String, value: String)], readOnly: Bool) {
        self.connection = connection
        self.readOnly = readOnly
        prologue = [readOnly ? "BEGIN READ ONLY" : "BEGIN"] + settings.map { "SELECT set_config(\($0.name), \($0.value), true)" }
    }

    /// Whether BEGIN has been sent.
    var hasBegun: Bool { prologue == nil }

    @discardableResult
    public func query(_ sql: SQL) throws -> QueryResult {
        guard let pending = prologue else { return try connection.query(sql) }
        prologue = nil
        do {
            return try connection.pipeline(pending + [sql]).last!
        } catch var error as PostgresError where error.kind == .connectionLost {
            // Nothing of this transaction can have committed: safe to run it again elsewhere.
            error.beganNothing = true
            throw error
        }
    }

    /// Runs independent statements in one round trip and returns their results in order; the
    /// first failure is thrown (and, as always, ends the transaction).
    public func queries(_ statements: [SQL]) throws -> [QueryResult] {
        guard let pending = prologue else { return try connection.pipeline(statements) }
        prologue = nil
        do {
            return Array(try connection.pipeline(pending + statements).suffix(statements.count))
        } catch var error as PostgresError where error.kind == .connectionLost {
            error.beganNothing = true
            throw error
        }
    }

    /// Runs a statement and returns how many rows it changed.
    @discardableResult
    public func execute(_ sql: SQL) throws -> Int {
        try query(sql).affectedRows
    }

    /// Runs `body` inside a savepoint: when it throws, what it wrote is undone and the transaction
    /// goes on without it (the error is rethrown). A lost connection or a serialization failure
    /// ends the whole transaction whatever the savepoint, so those are rethrown without the
    /// rollback, for the pool to retry or report.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        try execute("SAVEPOINT pitstop_item")
        do {
            let value = try body()
            try execute("RELEASE SAVEPOINT pitstop_item")
            return value
        } catch let error as PostgresError where error.isTransient || error.kind == .connectionLost {
            throw error
        } catch {
            try execute("ROLLBACK TO SAVEPOINT pitstop_item")
            throw error
        }
    }
}

extension ConnectionPool {
    /// Runs `body` in one transaction. Each `settings` pair is applied with
    /// `set_config(name, value, true)`, so it lasts only until COMMIT or ROLLBACK. A throw rolls
    /// back and rethrows the original error. Serialization failures and deadlocks run the whole
    /// closure again, up to `attempts` times in all, so `body` must not have effects outside the
    /// database. A connection found broken at BEGIN, before anything ran, is replaced and retried.
    /// `readOnly` transactions may not write (the server enforces it) and do not wait for COMMIT.
    @discardableResult
    public func transaction<T>(settings: [(name: String, value: String)] = [], readOnly: Bool = false,
                               attempts: Int = 3, _ body: (Transaction) throws -> T) throws -> T {
        var attempt = 1
        while true {
            let connection = try acquire()
            do {
                let value = try run(on: connection, settings: settings, readOnly: readOnly, body)
                release(connection)
                return value
            } catch let error as PostgresError where attempt < attempts
                && (error.isTransient || (error.kind == .connectionLost && error.beganNothing)) {
                release(connection)
                if error.kind == .connectionLost { discardIdle() }
                attempt += 1
            } catch {
                release(connection)
                throw error
            }
        }
    }

    private func run<T>(on connection: Connection, settings: [(name: String, value: String)], readOnly: Bool,
                        _ body: (Transaction) throws -> T) throws -> T {
        let transaction = Transaction(connection: connection, settings: settings, readOnly: readOnly)
        do {
            let value = try body(transaction)
            // A closure that ran no statement never began a transaction.
            if transaction.hasBegun {
                if readOnly { try connection.sendCommit() } else { try connection.query("COMMIT") }
            }
            return value
        } catch {
            if !connection.isIdleOutsideTransaction { _ = try? connection.simple("ROLLBACK") }
            throw error
        }
    }
}
