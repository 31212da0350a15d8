import Foundation
import PitstopTesting
import Postgres
import Testing

@Suite struct ErrorAndTransactionTests {
    let pool = ConnectionPool(configuration: TestDatabase.shared.ownerConfiguration, size: 4)
    /// A table of each test's own: tests run in parallel, and concurrent CREATE TABLE IF NOT
    /// EXISTS of one name races in the catalog.
    let table = "scratch_\(UInt32.random(in: 0...UInt32.max))"

    init() throws {
        try pool.withConnection { connection in
            try connection.simple("""
                CREATE TABLE \(table) (
                    id int PRIMARY KEY, parent int REFERENCES \(table) (id),
                    label text NOT NULL CHECK (label <> ''))
                """)
        }
    }

    func state<T>(of body: () throws -> T) -> SQLState? {
        do {
            _ = try body()
            return nil
        } catch let error as PostgresError {
            return error.sqlState
        } catch {
            return nil
        }
    }

    @Test func sqlStatesAreMapped() throws {
        let id = Int.random(in: 1_000_000...9_999_999)
        try pool.transaction { try $0.execute("INSERT INTO \(unsafeRaw: table) (id, label) VALUES (\(id), 'x')") }
        #expect(state { try pool.transaction { try $0.execute("INSERT INTO \(unsafeRaw: table) (id, label) VALUES (\(id), 'y')") } } == .uniqueViolation)
        #expect(state { try pool.transaction { try $0.execute("INSERT INTO \(unsafeRaw: table) (id, parent, label) VALUES (\(id + 1), -1, 'y')") } } == .foreignKeyViolation)
        #expect(state { try pool.transaction { try $0.execute("INSERT INTO \(unsafeRaw: table) (id, label) VALUES (\(id + 2), '')") } } == .checkViolation)
        let missing: String? = nil
        #expect(state { try pool.transaction { try $0.execute("INSERT INTO \(unsafeRaw: table) (id, label) VALUES (\(id + 3), \(missing))") } } == .notNullViolation)
        #expect(state { try pool.transaction { try $0.query("SELECT \("not-a-uuid")::uuid") } } == .invalidTextRepresentation)
        #expect(state { try pool.transaction { try $0.query("SELECT * FROM no_such_table") } } == .undefinedTable)
    }

    /// A wait whose time has already run out returns at once (poll would take the negative
    /// timeout as "forever", and a worker after a long round would sleep until a NOTIFY).
    @Test func aListenerWaitPastItsTimeReturnsAtOnce() throws {
        let listener = try Listener(configuration: TestDatabase.shared.ownerConfiguration)
        try listener.listen("nobody_notifies_this")
        // Before the fix this call never came back.
        #expect(try listener.wait(timeout: .milliseconds(-1500)).isEmpty)
    }

    @Test func errorDescriptionHidesStatementAndValues() throws {
        let secret = "s3cret-value"
        do {
            try pool.transaction { try $0.query("SELECT \(secret)::int") }
            Issue.record("expected an error")
        } catch let error as PostgresError {
            #expect(error.description == "database error 22P02")
            #expect(!error.description.contains(secret))
            #expect(error.debugDescription.contains("invalid input syntax"))
        }
    }

    @Test func throwRollsBackAndRethrowsTheOriginalError() throws {
        struct Boom: Error, Equatable {}
        let id = Int.random(in: 10_000_000...99_999_999)
        #expect(throws: Boom.self) {
            try pool.transaction { tx in
                try tx.execute("INSERT INTO \(unsafeRaw: table) (id, label) VALUES (\(id), 'gone')")
                throw Boom()
            }
        }
        let count = try pool.transaction { try $0.query("SELECT count(*)::int AS n FROM \(unsafeRaw: table) WHERE id = \(id)")[0].decode("n", as: Int.self) }
        #expect(count == 0)
        // The connection went back clean: the next transaction works on it.
        #expect(pool.statistics.inUse == 0)
    }

    @Test func batchedStatementsAnswerInOrderAndAFailureRollsBackTheirTransaction() throws {
        let id = Int.random(in: 1_000_000...9_999_999)
        let results = try pool.transaction { transaction in
            // First statement of the transaction: BEGIN travels in the same batch.
            let first = try transaction.queries(["SELECT 1 AS n", "INSERT INTO \(unsafeRaw: table) (id, label) VALUES (\(id), 'a')",
                                                 "SELECT \(id + 5)::int AS n"])
            let second = try transaction.queries(["SELECT count(*)::int AS n FROM \(unsafeRaw: table) WHERE id = \(id)"])
            return try [first[0], first[2], second[0]].map { try $0.rows[0].decode("n", as: Int.self) }
        }
        #expect(results == [1, id + 5, 1])
        #expect(state {
            try pool.transaction { transaction in
                try transaction.queries(["INSERT INTO \(unsafeRaw: table) (id, label) VALUES (\(id + 1), 'b')",
                                         "INSERT INTO \(unsafeRaw: table) (id, label) VALUES (\(id + 2), '')"])
            }
        } == .checkViolation)
        let kept = try pool.transaction { try $0.query("SELECT count(*)::int AS n FROM \(unsafeRaw: table) WHERE id > \(id)").rows[0].decode("n", as: Int.self) }
        #expect(kept == 0)
    }

    @Test func settingsLastOnlyForTheTransaction() throws {
        let inside = try pool.transaction(settings: [(name: "app.tenant_id", value: "abc")]) {
            try $0.query("SELECT current_setting('app.tenant_id', true) AS v")[0].decode("v", as: String?.self)
        }
        #expect(inside == "abc")
        let after = try pool.transaction {
            try $0.query("SELECT coalesce(current_setting('app.tenant_id', true), '') AS v")[0].decode("v", as: String.self)
        }
        #expect(after == "")
    }

    @Test func readOnlyTransactionsRefuseWritesAndLeaveTheConnectionReady() throws {
        // One connection, so every transaction below reuses the one whose COMMIT was not waited for.
        let single = ConnectionPool(configuration: TestDatabase.shared.ownerConfiguration, size: 1)
        let id = Int.random(in: 100_000_000...199_999_999)
        let error = #expect(throws: PostgresError.self) {
            try single.transaction(readOnly: true) { try $0.execute("INSERT INTO \(unsafeRaw: table) (id, label) VALUES (\(id), 'no')") }
        }
        #expect(error?.sqlState == SQLState(rawValue: "25006"))
        for round in 1...3 {
            let value = try single.transaction(readOnly: true) {
                try $0.query("SELECT \(round)::int AS n, current_setting('transaction_read_only') AS ro")[0]
            }
            #expect(try value.decode("n", as: Int.self) == round)
            #expect(try value.decode("ro", as: String.self) == "on")
        }
        try single.transaction { try $0.execute("INSERT INTO \(unsafeRaw: table) (id, label) VALUES (\(id), 'yes')") }
        let stored = try single.transaction(readOnly: true) {
            try $0.query("SELECT label FROM \(unsafeRaw: table) WHERE id = \(id)")[0].decode("label", as: String.self)
        }
        #expect(stored == "yes")
        let one = try single.withConnection { try $0.query("SELECT 1 AS one")[0].decode("one", as: Int.self) }
        #expect(one == 1)
        #expect(single.statistics.idle == 1)
        #expect(single.statistics.inUse == 0)
    }

    @Test func serializationFailuresAreRetried() throws {
        var attempts = 0
        let value = try pool.transaction { tx -> Int in
            attempts += 1
            if attempts < 3 { try tx.query("DO $$ BEGIN RAISE EXCEPTION 'retry' USING ERRCODE = 'serialization_failure'; END $$") }
            return attempts
        }
        #expect(value == 3)
    }

    @Test func statementTimeoutCancelsRunawayQueries() throws {
        var configuration = TestDatabase.shared.ownerConfiguration
        configuration.statementTimeout = .milliseconds(100)
        let limited = ConnectionPool(configuration: configuration, size: 1)
        let error = #expect(throws: PostgresError.self) { try limited.transaction { try $0.query("SELECT pg_sleep(5)") } }
        #expect(error?.sqlState == .queryCanceled)
        // The connection is usable afterwards.
        #expect(try limited.transaction { try $0.query("SELECT 1 AS one")[0].decode("one", as: Int.self) } == 1)
    }

    @Test func poolWaitsThenTimesOut() throws {
        let small = ConnectionPool(configuration: TestDatabase.shared.ownerConfiguration, size: 1, acquireTimeout: .milliseconds(200))
        try small.withConnection { _ in
            let error = #expect(throws: PostgresError.self) { try small.withConnection { _ in } }
            #expect(error?.kind == .poolTimeout)
        }
        try small.withConnection { try $0.query("SELECT 1") }
    }
}
