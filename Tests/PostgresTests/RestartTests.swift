import Foundation
import PitstopTesting
import Postgres
import Testing

@Suite(.enabled(if: ScratchCluster.isAvailable, "needs PostgreSQL server binaries (scripts/test sets PITSTOP_TEST_PG_BIN)"))
struct RestartTests {
    @Test func poolSurvivesAServerRestart() throws {
        let cluster = try ScratchCluster()
        let pool = ConnectionPool(configuration: cluster.configuration, size: 4)
        // Fill the pool with idle connections that the restart will kill.
        try pool.withConnection { _ in try pool.withConnection { _ in try pool.withConnection { _ in try pool.withConnection { _ in } } } }
        #expect(pool.statistics.idle == 4)

        try cluster.restart()

        for _ in 0..<20 {
            let value = try pool.transaction { try $0.query("SELECT 1 AS one")[0].decode("one", as: Int.self) }
            #expect(value == 1)
        }
    }

    @Test func listenerHearsNotifyAndReconnects() throws {
        let cluster = try ScratchCluster()
        let listener = try Listener(configuration: cluster.configuration)
        try listener.listen("pitstop_wakeup")
        let sender = try Connection(cluster.configuration)
        try sender.query("SELECT pg_notify('pitstop_wakeup', \("hello"))")
        let heard = try listener.wait(timeout: .seconds(5))
        #expect(heard.map(\.payload) == ["hello"])
        #expect(try listener.wait(timeout: .milliseconds(50)).isEmpty)

        try cluster.restart()
        // Notifications sent while the listener reconnects are lost, as documented, so the sender
        // repeats until the listener is back.
        let again = try Connection(cluster.configuration)
        var payloads: [String] = []
        for _ in 0..<10 where payloads.isEmpty {
            try again.query("SELECT pg_notify('pitstop_wakeup', \("after restart"))")
            payloads = try listener.wait(timeout: .seconds(1)).map(\.payload)
        }
        #expect(payloads.first == "after restart")
    }
}
