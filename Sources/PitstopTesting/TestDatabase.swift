import Foundation
import PitstopStore
import Postgres

/// A database of its own for one test process: created fresh from `PITSTOP_TEST_DATABASE_URL`
/// (a role that may create databases; scripts/test sets it), migrated as that owner, and reached
/// by tests as the app role, exactly as the API is. Tests isolate from one another by working in
/// tenants of their own.
public final class TestDatabase: Sendable {
    public let name: String
    public let ownerConfiguration: Connection.Configuration
    public let appConfiguration: Connection.Configuration
    public let database: Database

    /// One per test process: creating and migrating a database costs tens of milliseconds, and
    /// tests are isolated by tenant.
    public static let shared: TestDatabase = {
        do {
            return try TestDatabase()
        } catch {
            fatalError("cannot prepare the test database: \(String(reflecting: error))\n"
                       + "Run the tests through scripts/test, which starts PostgreSQL and sets PITSTOP_TEST_DATABASE_URL.")
        }
    }()

    public static var serverURL: String {
        guard let url = ProcessInfo.processInfo.environment["PITSTOP_TEST_DATABASE_URL"], !url.isEmpty else {
            fatalError("PITSTOP_TEST_DATABASE_URL is not set: run the tests with scripts/test")
        }
        return url
    }

    public static var migrationsDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../migrations").standardized
    }

    private init() throws {
        let url = Self.serverURL
        name = "pitstop_test_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        let server = try Connection(Connection.Configuration(url: url, applicationName: "pitstop-tests"))
        try Self.ensureAppRole(server)
        try server.simple("CREATE DATABASE \(try server.escapeIdentifier(name))")
        ownerConfiguration = Connection.Configuration(url: url, applicationName: "pitstop-tests", overrides: ["dbname": name])
        let owner = try Connection(ownerConfiguration)
        try Migrator(connection: owner, files: MigrationFile.load(from: Self.migrationsDirectory)).migrate()
        var app = ["dbname": name, "user": "pitstop_app"]
        if let password = ProcessInfo.processInfo.environment["PITSTOP_TEST_APP_PASSWORD"] { app["password"] = password }
        appConfiguration = Connection.Configuration(url: url, applicationName: "pitstop-tests", overrides: app)
        database = Database(pool: ConnectionPool(configuration: appConfiguration, size: 8))
    }

    /// A connection URL for this test database as `user` (the app role by default), for
    /// executables that read DATABASE_URL.
    public func url(user: String = "pitstop_app") -> String {
        Self.url(database: name, user: user)
    }

    public static func url(database: String, user: String) -> String {
        guard var parts = URLComponents(string: serverURL) else { return serverURL }
        parts.user = user
        if user == "pitstop_app" { parts.password = ProcessInfo.processInfo.environment["PITSTOP_TEST_APP_PASSWORD"] }
        parts.path = "/" + database
        return parts.string ?? serverURL
    }

    /// Tests migrate many databases of one cluster at once, and migration 0001 creates the
    /// cluster-wide app role when it is missing: two databases could both find it missing and one
    /// fail. The harness creates it once per process, before any test database migrates, so every
    /// migration finds it (as a deployment's first migration does).
    private static let appRoleLock = NSLock()
    nonisolated(unsafe) private static var appRoleReady = false

    static func ensureAppRole(_ server: Connection) throws {
        appRoleLock.lock()
        defer { appRoleLock.unlock() }
        guard !appRoleReady else { return }
        try server.simple("""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pitstop_app') THEN
                    CREATE ROLE pitstop_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
                END IF;
            END $$
            """)
        appRoleReady = true
    }

    /// A fresh database for a test that must start from nothing (migrations): not migrated.
    public static func makeEmptyDatabase() throws -> Connection.Configuration {
        let url = serverURL
        let name = "pitstop_empty_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        let server = try Connection(Connection.Configuration(url: url, applicationName: "pitstop-tests"))
        try ensureAppRole(server)
        try server.simple("CREATE DATABASE \(try server.escapeIdentifier(name))")
        return Connection.Configuration(url: url, applicationName: "pitstop-tests", overrides: ["dbname": name])
    }

    /// A new tenant of its own for one test, created as the app role.
    public func makeTenant(name: String = "Test Chain", timezone: String = "Asia/Shanghai") throws -> UUID {
        let id = UUID()
        _ = try database.withTenant(id) { try $0.tenant.create(name: name, timezone: timezone) }
        return id
    }
}
