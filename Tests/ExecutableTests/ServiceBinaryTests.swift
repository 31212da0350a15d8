import Foundation
import PitstopTesting
import Testing

/// pitstop-api and pitstop-worker as systemd runs them: real binaries, environment, signals.
@Suite struct ServiceBinaryTests {
    func environment(database: String, notify: NotifySocketListener) -> [String: String] {
        ["PATH": "/usr/bin:/bin", "DATABASE_URL": database, "NOTIFY_SOCKET": notify.path,
         "PITSTOP_LISTEN": "127.0.0.1:0", "PITSTOP_DATA_DIR": NSTemporaryDirectory() + "pitstop-data-\(UUID().uuidString.prefix(8))"]
    }

    @Test func apiStartsReportsReadyServesAndStopsCleanlyOnSIGTERM() throws {
        let notify = try NotifySocketListener()
        let api = try CommandRunner.start("pitstop-api", environment: environment(database: TestDatabase.shared.url(), notify: notify))
        #expect(notify.waitFor("READY=1"))
        // The listening line names the port it bound.
        let port = try #require(listeningPort(in: api.standardOutput))
        let health = try RawHTTPClient(port: port).send("GET", "/readyz")
        #expect(health.status == 200)
        api.signal(SIGTERM)
        #expect(notify.waitFor("STOPPING=1"))
        let result = api.wait()
        #expect(result.status == 0)
        #expect(result.standardOutput.contains(#""msg":"stopped""#))
    }

    @Test func workerStartsAndStopsCleanlyOnSIGTERM() throws {
        let notify = try NotifySocketListener()
        let worker = try CommandRunner.start("pitstop-worker", environment: environment(database: TestDatabase.shared.url(), notify: notify))
        #expect(notify.waitFor("READY=1"))
        worker.signal(SIGTERM)
        #expect(notify.waitFor("STOPPING=1"))
        #expect(worker.wait().status == 0)
    }

    @Test(arguments: ["pitstop-api", "pitstop-worker"])
    func refuseToStartOnAnUnmigratedDatabase(executable: String) throws {
        let empty = try TestDatabase.makeEmptyDatabase()
        let notify = try NotifySocketListener()
        let url = TestDatabase.url(database: empty.overrides["dbname"]!, user: "pitstop_owner")
        let result = try CommandRunner.start(executable, environment: environment(database: url, notify: notify)).wait()
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("pitstop-admin migrate"))
    }

    @Test func missingConfigurationExitsWithEveryProblem() throws {
        let result = try CommandRunner.run("pitstop-api", [], environment: ["PITSTOP_LISTEN": "nowhere"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("DATABASE_URL"))
        #expect(result.standardError.contains("PITSTOP_LISTEN"))
    }

    func listeningPort(in output: String) -> Int? {
        guard let line = output.split(separator: "\n").first(where: { $0.contains(#""msg":"listening""#) }),
              let range = line.range(of: #""address":"127.0.0.1:"#) else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }
}
