/// The statements of one open transaction. Exists only inside `ConnectionPool.transaction`, which
/// begins, commits and rolls back; there is no public BEGIN or COMMIT.
public struct Transaction {
    let connection: Connection

    @discardableResult
    public func query(_ sql: SQL) throws -> QueryResult {
        try connection.query(sql)
    }

    /// Runs a statement and returns how many rows it changed.
    @discardableResult
    public func execute(_ sql: SQL) throws -> Int {
        try connection.query(sql).affectedRows
    }
}

extension ConnectionPool {
    /// Runs `body` in one transaction. Each `settings` pair is applied with
    /// `set_config(name, value, true)`, so it lasts only until COMMIT or ROLLBACK. A throw rolls
    /// back and rethrows the original error. Serialization failures and deadlocks run the whole
    /// closure again, up to `attempts` times in all, so `body` must not have effects outside the
    /// database. A connection found broken at BEGIN, before anything ran, is replaced and retried.
    @discardableResult
    public func transaction<T>(settings: [(name: String, value: String)] = [], attempts: Int = 3,
                               _ body: (Transaction) throws -> T) throws -> T {
        var attempt = 1
        while true {
            let connection = try acquire()
            do {
                let value = try run(on: connection, settings: settings, body)
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

    private func run<T>(on connection: Connection, settings: [(name: String, value: String)],
                        _ body: (Transaction) throws -> T) throws -> T {
        do {
            try connection.simple("BEGIN")
        } catch var error as PostgresError {
            error.beganNothing = true
            throw error
        }
        do {
            for setting in settings {
                try connection.query("SELECT set_config(\(setting.name), \(setting.value), true)")
            }
            let value = try body(Transaction(connection: connection))
            try connection.simple("COMMIT")
            return value
        } catch {
            if !connection.isIdleOutsideTransaction { _ = try? connection.simple("ROLLBACK") }
            throw error
        }
    }
}
