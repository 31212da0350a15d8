import Foundation
import PitstopCore
import PitstopServices
import PitstopStore
import Postgres

/// The admin tool's commands. Each prints what it made; a command that creates something prints
/// its id or secret alone on the last line of standard output, for scripts.
struct AdminCommands {
    let arguments: Arguments
    let environment: [String: String]

    static let usage = """
        usage: pitstop-admin COMMAND [options]

          migrate [--status] [--dry-run] [--migrations DIR]
                                          apply pending migrations (--status lists them;
                                          --dry-run exits 3 when any are pending)
          tenant create NAME [--timezone ZONE]
                                          create a tenant; prints its id last
          tenant list                     list tenants
          key create --tenant ID --role ROLE [--name NAME] [--engineer ENGINEER_ID]
                                          create a tenant API key; prints the secret last
                                          (engineer keys name the engineer they act as)
          key create --platform [--name NAME]
                                          create a platform key (may create tenants)
          key list (--tenant ID | --platform)
          key revoke (--tenant ID | --platform) KEY_ID
          reports rebuild --tenant ID --from YYYY-MM-DD --to YYYY-MM-DD
                                          recount a tenant's report rollups for those days
                                          from its orders (a backfill; the worker keeps them
                                          current afterwards)
          demo seed --tenant ID           fill an empty tenant with a demo chain: three shops,
                                          engineers, customers and a month of orders

        Every command takes --database-url URL (default: DATABASE_URL), which must name the
        owner role that runs migrations. Roles: admin, dispatcher, engineer, integration, readonly.
        """

    static let valued: Set<String> = ["database-url", "migrations", "timezone", "tenant", "role", "name", "engineer", "from", "to"]

    func run() throws {
        let words = arguments.positional
        switch (words.first, words.dropFirst().first) {
        case ("migrate", _): try migrate()
        case ("tenant", "create"): try createTenant()
        case ("tenant", "list"): try listTenants()
        case ("key", "create"): try createKey()
        case ("key", "list"): try listKeys()
        case ("key", "revoke"): try revokeKey()
        case ("reports", "rebuild"): try rebuildReports()
        case ("demo", "seed"): try seedDemo()
        case ("help", _), (nil, _): print(Self.usage)
        default: throw UsageError("unknown command \(words.prefix(2).joined(separator: " "))")
        }
    }

    // MARK: - migrate

    func migrate() throws {
        try arguments.allow(options: ["database-url", "migrations"], flags: ["status", "dry-run"])
        let files = try MigrationFile.load(from: migrationsDirectory())
        let migrator = Migrator(connection: try Connection(connectionConfiguration()), files: files)
        if arguments.flags.contains("status") {
            for row in try migrator.status() {
                let state = row.appliedAt.map { "applied \(ISO8601DateFormatter().string(from: $0))" } ?? "pending"
                print(String(format: "%04d  %@  %@", row.version, row.name, state))
            }
            return
        }
        if arguments.flags.contains("dry-run") {
            let pending = try migrator.pendingFiles()
            for file in pending { print(String(format: "pending %04d  %@", file.version, file.name)) }
            if pending.isEmpty { print("up to date at version \(files.count)") } else { exit(3) }
            return
        }
        let applied = try migrator.migrate()
        for file in applied { print(String(format: "applied %04d  %@", file.version, file.name)) }
        print("schema at version \(files.last?.version ?? 0)")
    }

    func migrationsDirectory() throws -> URL {
        if let path = arguments.options["migrations"] ?? environment["PITSTOP_MIGRATIONS_DIR"] { return URL(fileURLWithPath: path) }
        let candidates = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("migrations"),
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
                .appendingPathComponent("../share/pitstop/migrations").standardized,
        ]
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw UsageError("no migrations folder found; pass --migrations DIR or set PITSTOP_MIGRATIONS_DIR")
        }
        return found
    }

    // MARK: - tenants

    func createTenant() throws {
        try arguments.allow(options: ["database-url", "timezone"])
        guard arguments.positional.count == 3 else { throw UsageError("usage: pitstop-admin tenant create NAME [--timezone ZONE]") }
        let name = arguments.positional[2]
        let timezone = arguments.options["timezone"] ?? Tenant.defaultTimezone
        let problems = Tenant.validate(name: name, timezone: timezone)
        guard problems.isEmpty else { throw UsageError(problems.map { "\($0.field) \($0.message)" }.joined(separator: "; ")) }
        let id = UUID()
        let tenant = try database().withTenant(id) { try $0.tenant.create(name: name, timezone: timezone) }
        print("created tenant \(tenant.name) (\(tenant.timezone))")
        print(tenant.id.lowercasedText)
    }

    func listTenants() throws {
        try arguments.allow(options: ["database-url"])
        for tenant in try database().withPlatform({ try $0.allTenants() }) {
            print("\(tenant.id.lowercasedText)  \(tenant.timezone)  \(tenant.name)")
        }
    }

    // MARK: - keys

    func createKey() throws {
        try arguments.allow(options: ["database-url", "tenant", "role", "name", "engineer"], flags: ["platform"])
        let name = arguments.options["name"] ?? "admin tool"
        if let problem = APIKey.validate(name: name).first { throw UsageError("--name \(problem.message)") }
        if arguments.flags.contains("platform") {
            let created = try database().withPlatform { try $0.platformKeys.create(name: name) }
            print("created platform key \(created.key.displayPrefix) (\(created.key.id.lowercasedText)); it is shown only now")
            print(created.secret)
            return
        }
        let tenant = try tenantOption()
        guard let roleText = arguments.options["role"], let role = Role(rawValue: roleText) else {
            throw UsageError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var engineer: UUID?
        if let text = arguments.options["engineer"] {
            guard let id = UUID(uuidString: text) else { throw UsageError("--engineer \(text) is not an engineer id (a UUID)") }
            engineer = id
        }
        if let problem = APIKey.validate(role: role, engineerID: engineer).first {
            throw UsageError("--engineer: \(problem.message)")
        }
        let created = try database().withTenant(tenant) { scope in
            _ = try scope.tenant.get()
            return try ChainSetup(scope: scope).createKey(name: name, role: role.rawValue, engineerID: engineer)
        }
        print("created \(role.rawValue) key \(created.key.displayPrefix) (\(created.key.id.lowercasedText)); it is shown only now")
        print(created.secret)
    }

    func listKeys() throws {
        try arguments.allow(options: ["database-url", "tenant"], flags: ["platform"])
        func line(_ id: UUID, _ prefix: String, _ role: String, _ name: String, _ revoked: Date?) -> String {
            "\(id.lowercasedText)  \(prefix)  \(role)  \(revoked == nil ? "active " : "revoked")  \(name)"
        }
        if arguments.flags.contains("platform") {
            for key in try database().withPlatform({ try $0.platformKeys.list() }) {
                print(line(key.id, key.displayPrefix, "platform", key.name, key.revokedAt))
            }
            return
        }
        let tenant = try tenantOption()
        for key in try database().withTenant(tenant, { try $0.apiKeys.list(limit: 10_000) }) {
            print(line(key.id, key.displayPrefix, key.role.rawValue, key.name, key.revokedAt))
        }
    }

    func revokeKey() throws {
        try arguments.allow(options: ["database-url", "tenant"], flags: ["platform"])
        guard arguments.positional.count == 3, let id = UUID(uuidString: arguments.positional[2]) else {
            throw UsageError("usage: pitstop-admin key revoke (--tenant ID | --platform) KEY_ID")
        }
        if arguments.flags.contains("platform") {
            _ = try database().withPlatform { try $0.platformKeys.revoke(id: id) }
        } else {
            let tenant = try tenantOption()
            _ = try database().withTenant(tenant) { try $0.apiKeys.revoke(id: id) }
        }
        print("revoked \(id.lowercasedText)")
    }

    // MARK: - reports

    func rebuildReports() throws {
        try arguments.allow(options: ["database-url", "tenant", "from", "to"], flags: [])
        let tenant = try tenantOption()
        guard let from = arguments.options["from"], let to = arguments.options["to"], Self.isDay(from), Self.isDay(to), from <= to else {
            throw UsageError("--from and --to are required days, YYYY-MM-DD, from not after to")
        }
        let days = try database().withTenant(tenant) { scope in
            try ReportCounts(scope: scope).rebuild(from: from, to: to)
        }
        print("recounted \(days) days")
    }

    func seedDemo() throws {
        try arguments.allow(options: ["database-url", "tenant"], flags: [])
        let tenant = try tenantOption()
        if try DemoChain(database: database(), tenantID: tenant).seed() {
            print("seeded a demo chain: 3 shops, 8 engineers, 20 customers and a month of orders")
        } else {
            print("the tenant has shops already; nothing seeded")
        }
    }

    static func isDay(_ text: String) -> Bool {
        text.count == 10 && text.split(separator: "-").map(\.count) == [4, 2, 2] && text.allSatisfy { $0.isNumber || $0 == "-" }
    }

    // MARK: - plumbing

    func tenantOption() throws -> UUID {
        guard let text = arguments.options["tenant"] else { throw UsageError("--tenant ID is required (or --platform)") }
        guard let id = UUID(uuidString: text) else { throw UsageError("--tenant \(text) is not a tenant id (a UUID)") }
        return id
    }

    func connectionConfiguration() throws -> Connection.Configuration {
        guard let url = arguments.options["database-url"] ?? environment["DATABASE_URL"], !url.isEmpty else {
            throw UsageError("pass --database-url URL or set DATABASE_URL to the owner role's connection URL")
        }
        return Connection.Configuration(url: url, applicationName: "pitstop-admin")
    }

    func database() throws -> Database {
        Database(pool: ConnectionPool(configuration: try connectionConfiguration(), size: 1))
    }
}
