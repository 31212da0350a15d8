import Foundation
import PitstopTesting
import Testing

/// pitstop-admin as an operator runs it: real binary, real database, exit codes and output.
@Suite struct AdminToolTests {
    func admin(_ arguments: [String], database: String? = nil) throws -> CommandRunner.Output {
        var environment = ["PATH": "/usr/bin:/bin", "PITSTOP_MIGRATIONS_DIR": TestDatabase.migrationsDirectory.path]
        if let database { environment["DATABASE_URL"] = database }
        return try CommandRunner.run("pitstop-admin", arguments, environment: environment)
    }

    /// An owner URL for a fresh, empty database.
    func emptyDatabaseURL() throws -> String {
        let configuration = try TestDatabase.makeEmptyDatabase()
        return configuration.url.replacingOccurrences(of: "/postgres", with: "/\(configuration.overrides["dbname"]!)")
    }

    @Test func migrateStatusDryRunAndRerun() throws {
        let url = try emptyDatabaseURL()
        let dryBefore = try admin(["migrate", "--dry-run"], database: url)
        #expect(dryBefore.status == 3)
        #expect(dryBefore.standardOutput.contains("pending 0001"))

        let first = try admin(["migrate"], database: url)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("applied 0001"))

        let again = try admin(["migrate"], database: url)
        #expect(again.status == 0)
        #expect(!again.standardOutput.contains("applied 0001"))

        let status = try admin(["migrate", "--status"], database: url)
        #expect(status.standardOutput.contains("0001  tenants_and_api_keys  applied"))
        #expect(try admin(["migrate", "--dry-run"], database: url).status == 0)
    }

    @Test func tenantsAndKeysPrintWhatTheyCreateOnTheLastLine() throws {
        let url = try emptyDatabaseURL()
        _ = try admin(["migrate"], database: url)
        let tenant = try admin(["tenant", "create", "Admin Tool Motors", "--timezone", "Asia/Shanghai"], database: url)
        #expect(tenant.status == 0, "\(tenant.standardError)")
        let tenantID = tenant.lastLine
        #expect(UUID(uuidString: tenantID) != nil)
        #expect(try admin(["tenant", "list"], database: url).standardOutput.contains("Admin Tool Motors"))

        let key = try admin(["key", "create", "--tenant", tenantID, "--role", "dispatcher", "--name", "desk"], database: url)
        #expect(key.status == 0, "\(key.standardError)")
        #expect(key.lastLine.hasPrefix("psk_"))
        let listed = try admin(["key", "list", "--tenant", tenantID], database: url)
        #expect(listed.standardOutput.contains("dispatcher  active"))
        #expect(!listed.standardOutput.contains(key.lastLine))

        let keyID = String(listed.standardOutput.split(separator: " ").first ?? "")
        #expect(try admin(["key", "revoke", "--tenant", tenantID, keyID], database: url).status == 0)
        #expect(try admin(["key", "list", "--tenant", tenantID], database: url).standardOutput.contains("revoked"))

        let platform = try admin(["key", "create", "--platform"], database: url)
        #expect(platform.lastLine.hasPrefix("ppk_"))
    }

    @Test(arguments: [
        (["frobnicate"], "unknown command"),
        (["tenant", "create"], "usage: pitstop-admin tenant create"),
        (["tenant", "create", "X", "--timezone", "Nowhere/Land"], "timezone"),
        (["key", "create", "--tenant", "not-a-uuid", "--role", "admin"], "is not a tenant id"),
        (["key", "create", "--tenant", "00000000-0000-0000-0000-000000000000", "--role", "wizard"], "--role must be one of"),
        (["migrate", "--colour"], "unknown option --colour"),
        (["tenant", "list", "--database-url"], "--database-url needs a value"),
    ])
    func misuseExitsNonZeroWithAClearMessage(arguments: [String], message: String) throws {
        let result = try admin(arguments, database: "postgresql://nobody@127.0.0.1:1/none")
        #expect(result.status == 64)
        #expect(result.standardError.contains(message), "\(result.standardError)")
    }

    @Test func missingDatabaseURLIsExplained() throws {
        let result = try admin(["tenant", "list"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("DATABASE_URL"))
    }
}
