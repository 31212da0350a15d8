import Foundation
import PitstopTesting
import Postgres
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

    @Test func reportsRebuildRecountsOrdersThatCameInWithoutEvents() throws {
        let url = try emptyDatabaseURL()
        _ = try admin(["migrate"], database: url)
        let tenant = try admin(["tenant", "create", "Backfill Motors", "--timezone", "Asia/Shanghai"], database: url).lastLine
        // Orders loaded straight into the table (a migration from an old system): no events.
        let owner = try Connection(Connection.Configuration(url: url, applicationName: "admin-test"))
        try owner.query("""
            WITH c AS (INSERT INTO customers (tenant_id, id, name) VALUES (\(UUID(uuidString: tenant)!), gen_random_uuid(), '王先生') RETURNING id),
                 t AS (INSERT INTO work_order_types (tenant_id, id, code, name) VALUES (\(UUID(uuidString: tenant)!), gen_random_uuid(), 'repair', '维修')
                       RETURNING id)
            INSERT INTO work_orders (tenant_id, id, number, channel, type_id, priority, status, customer_id, description, created_at, updated_at,
                                     status_changed_at, completed_at)
            SELECT \(UUID(uuidString: tenant)!), gen_random_uuid(), 'WO-20260301-' || lpad(g::text, 4, '0'), 'phone', t.id, 'P3',
                   CASE WHEN g % 3 = 0 THEN 'completed' ELSE 'new' END, c.id, '异响',
                   timestamptz '2026-03-01 15:30:00+00' + g * interval '1 hour', now(), now(),
                   CASE WHEN g % 3 = 0 THEN timestamptz '2026-03-05 02:00:00+00' END
            FROM c, t, generate_series(0, 29) g
            """)
        let usage = try admin(["reports", "rebuild", "--tenant", tenant, "--from", "2026-03-01"], database: url)
        #expect(usage.status == 64)
        let rebuilt = try admin(["reports", "rebuild", "--tenant", tenant, "--from", "2026-03-01", "--to", "2026-03-31"], database: url)
        #expect(rebuilt.status == 0, "\(rebuilt.standardError)")
        #expect(rebuilt.lastLine == "recounted 31 days")
        let counted = try owner.query("""
            SELECT day::text AS day, sum(created)::int AS created, sum(completed)::int AS completed FROM report_daily_orders GROUP BY day ORDER BY day
            """).rows.map { "\(try $0.decode("day", as: String.self)) \(try $0.decode("created", as: Int.self)) \(try $0.decode("completed", as: Int.self))" }
        // 15:30 UTC is 23:30 in Shanghai: the first order is on 1 March there, the next 24 on the
        // 2nd, the last 5 on the 3rd; the ten completions on the 5th.
        #expect(counted == ["2026-03-01 1 0", "2026-03-02 24 0", "2026-03-03 5 0", "2026-03-05 0 10"])
        // Their times are measured too: the ten resolutions took from 55.5 hours (the last
        // reported, at 18:30 UTC on the 2nd) to 82.5 hours (the first).
        let resolutions = try owner.query("""
            SELECT minutes FROM report_daily_durations WHERE measure = 'resolution' AND day = '2026-03-05'
            """).rows.map { try $0.decode("minutes", as: [Int].self) }
        #expect(resolutions.count == 1 && resolutions.first?.count == 10)
        #expect(resolutions.first?.first == 3330 && resolutions.first?.last == 4950)
        // The twenty still open are the backlog.
        let backlog = try owner.query("SELECT status, sum(open)::int AS open FROM report_backlog GROUP BY 1").rows
            .map { "\(try $0.decode("status", as: String.self)) \(try $0.decode("open", as: Int.self))" }
        #expect(backlog == ["new 20"])
    }

    @Test func theDemoChainFillsAnEmptyTenantOnceWithAMonthThroughEveryStatusAndChannel() throws {
        let url = try emptyDatabaseURL()
        _ = try admin(["migrate"], database: url)
        let tenant = try admin(["tenant", "create", "Demo Repair Chain"], database: url).lastLine
        let seeded = try admin(["demo", "seed", "--tenant", tenant], database: url)
        #expect(seeded.status == 0, "\(seeded.standardError)")
        #expect(seeded.lastLine.hasPrefix("seeded a demo chain"))
        let owner = try Connection(Connection.Configuration(url: url))
        func count(_ sql: SQL) throws -> Int { try owner.query(sql).rows[0].decode(0) }
        #expect(try count("SELECT count(*)::int FROM shops") == 3)
        #expect(try count("SELECT count(*)::int FROM engineers WHERE located_at IS NOT NULL") == 8)
        #expect(try count("SELECT count(*)::int FROM customers WHERE 'demo' = ANY (tags)") == 20)
        let statuses = Set(try owner.query("SELECT DISTINCT status FROM work_orders").rows.map { try $0.decode("status", as: String.self) })
        #expect(statuses == ["new", "assigned", "accepted", "diagnosing", "awaiting_parts", "repairing", "quality_check",
                             "awaiting_acceptance", "completed", "cancelled", "reopened"], "\(statuses.sorted())")
        #expect(try count("SELECT count(DISTINCT channel)::int FROM work_orders") == 6)
        #expect(try count("SELECT count(DISTINCT (created_at AT TIME ZONE 'Asia/Shanghai')::date)::int FROM work_orders") >= 30)
        #expect(try count("SELECT count(*)::int FROM work_order_ratings") > 20)
        #expect(try count("SELECT count(*)::int FROM work_order_sla_clocks") > 100)
        // Through the repositories: every order has its timeline and its events.
        #expect(try count("SELECT count(*)::int FROM work_orders o WHERE NOT EXISTS (SELECT 1 FROM work_order_events e WHERE e.work_order_id = o.id)") == 0)
        #expect(try count("SELECT count(*)::int FROM outbox WHERE topic = 'work_order.status_changed'") > 500)
        // Once only.
        let again = try admin(["demo", "seed", "--tenant", tenant], database: url)
        #expect(again.status == 0 && again.lastLine.contains("nothing seeded"))
        #expect(try count("SELECT count(*)::int FROM shops") == 3)
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
