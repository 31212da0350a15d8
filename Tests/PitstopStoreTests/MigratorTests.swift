import Foundation
import PitstopStore
import PitstopTesting
import Postgres
import Testing

@Suite struct MigratorTests {
    let files = try! MigrationFile.load(from: TestDatabase.migrationsDirectory)

    @Test func schemaVersionMatchesTheNewestMigrationFile() {
        #expect(Schema.version == files.last?.version)
    }

    @Test func migratesFromEmptyAndRerunIsANoOp() throws {
        let connection = try Connection(TestDatabase.makeEmptyDatabase())
        let migrator = Migrator(connection: connection, files: files)
        #expect(try migrator.pendingFiles().map(\.version) == files.map(\.version))
        #expect(try migrator.migrate().count == files.count)
        #expect(try migrator.migrate().isEmpty)
        #expect(try migrator.status().allSatisfy { $0.appliedAt != nil })
        let recorded = try connection.query("SELECT version, checksum FROM schema_migrations ORDER BY version").rows
        #expect(try recorded.map { try $0.decode("checksum", as: String.self) } == files.map(\.checksum))
    }

    @Test func refusesAChangedAppliedFile() throws {
        let connection = try Connection(TestDatabase.makeEmptyDatabase())
        try Migrator(connection: connection, files: files).migrate()
        var edited = files
        edited[0] = MigrationFile(version: files[0].version, name: files[0].name, sql: files[0].sql + "\n-- edited\n")
        let error = #expect(throws: MigrationError.self) { try Migrator(connection: connection, files: edited).migrate() }
        #expect(error == .checksumChanged(version: 1, name: files[0].name))
        #expect(error?.description.contains("add a new migration") == true)
    }

    @Test func refusesWhenAppliedIsNotAPrefixOfTheFiles() throws {
        let connection = try Connection(TestDatabase.makeEmptyDatabase())
        let extra = MigrationFile(version: files.count + 1, name: "from_the_future", sql: "SELECT 1")
        try Migrator(connection: connection, files: files + [extra]).migrate()
        let error = #expect(throws: MigrationError.self) { try Migrator(connection: connection, files: files).migrate() }
        #expect(error == .unknownApplied(version: extra.version, name: extra.name))
    }

    @Test func aFailingMigrationLeavesNothingBehind() throws {
        let connection = try Connection(TestDatabase.makeEmptyDatabase())
        let broken = MigrationFile(version: files.count + 1, name: "broken", sql: "CREATE TABLE half_done (id int); SELECT no_such_function();")
        let error = #expect(throws: PostgresError.self) { try Migrator(connection: connection, files: files + [broken]).migrate() }
        #expect(error?.sqlState == SQLState(rawValue: "42883"), "expected the broken file's undefined function, got \(String(reflecting: error))")
        let applied = try connection.query("SELECT max(version)::int AS v FROM schema_migrations")[0].decode("v", as: Int.self)
        #expect(applied == files.count)
        let table = try connection.query("SELECT to_regclass('half_done')::text AS t")[0].decode("t", as: String?.self)
        #expect(table == nil)
    }

    @Test func concurrentMigratorsApplyEachFileOnce() throws {
        let configuration = try TestDatabase.makeEmptyDatabase()
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let applied = try Migrator(connection: Connection(configuration), files: files).migrate()
                results.add(applied.count)
            } catch {
                results.add(-1)
            }
        }
        #expect(results.values.sorted() == [0, 0, 0, files.count])
    }

    @Test func appRoleOwnsNothingAndCannotBypassRLS() throws {
        let rows = try TestDatabase.shared.database.pool.withConnection { connection in
            try connection.query("""
                SELECT r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb,
                       (SELECT count(*)::int FROM pg_class c WHERE c.relowner = r.oid) AS owned
                FROM pg_roles r WHERE r.rolname = current_user
                """)
        }
        let row = try #require(rows.first)
        #expect(try row.decode("rolsuper", as: Bool.self) == false)
        #expect(try row.decode("rolbypassrls", as: Bool.self) == false)
        #expect(try row.decode("rolcreaterole", as: Bool.self) == false)
        #expect(try row.decode("rolcreatedb", as: Bool.self) == false)
        #expect(try row.decode("owned", as: Int.self) == 0)
    }

    @Test func everyTenantTableForcesRowLevelSecurity() throws {
        let owner = try Connection(TestDatabase.shared.ownerConfiguration)
        let rows = try owner.query("""
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   (SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                    WHERE i.indrelid = c.oid AND i.indisprimary) AS first_key_column
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r'
              AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id')
            """).rows
        #expect(!rows.isEmpty)
        for row in rows {
            let table: String = try row.decode("relname")
            #expect(try row.decode("relrowsecurity", as: Bool.self), "\(table) has RLS off")
            #expect(try row.decode("relforcerowsecurity", as: Bool.self), "\(table) does not FORCE RLS")
            #expect(try row.decode("first_key_column", as: String?.self) == "tenant_id", "\(table) primary key does not start with tenant_id")
        }
    }
}

extension MigratorTests {
    /// The timeline and the delivery attempt log are history: the app role may add to them and
    /// read them, never rewrite or delete a line, whatever a handler gets wrong.
    @Test func theAppRoleCanOnlyAppendToHistoryTables() throws {
        let owner = try Connection(TestDatabase.shared.ownerConfiguration)
        for table in ["work_order_events", "notification_attempts"] {
            let rows = try owner.query("""
                SELECT has_table_privilege('pitstop_app', \(table)::text, 'SELECT') AS can_select,
                       has_table_privilege('pitstop_app', \(table)::text, 'INSERT') AS can_insert,
                       has_table_privilege('pitstop_app', \(table)::text, 'UPDATE') AS can_update,
                       has_table_privilege('pitstop_app', \(table)::text, 'DELETE') AS can_delete
                """).rows
            let row = try #require(rows.first)
            #expect(try row.decode("can_select", as: Bool.self) && row.decode("can_insert", as: Bool.self), "\(table)")
            #expect(try !row.decode("can_update", as: Bool.self) && !row.decode("can_delete", as: Bool.self), "\(table) can be rewritten")
        }
        // A table is made with the privileges it names, and a typo there stops the migration.
        let typo = #expect(throws: PostgresError.self) {
            _ = try owner.query("SELECT make_tenant_table('work_order_events'::regclass, 'ALL PRIVILEGES')")
        }
        #expect(typo?.message.contains("privileges must list SELECT, INSERT, UPDATE or DELETE") == true, "\(String(describing: typo))")
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int] = []
    func add(_ value: Int) { lock.withLock { stored.append(value) } }
    var values: [Int] { lock.withLock { stored } }
}
