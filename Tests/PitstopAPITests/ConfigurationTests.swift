import Lifecycle
import PitstopAPI
import PitstopJobs
import Testing

@Suite struct ConfigurationTests {
    @Test func defaultsAndOverrides() throws {
        let plain = try APIConfiguration.fromEnvironment(["DATABASE_URL": "postgresql://pitstop_app@db/pitstop"])
        #expect(plain.host == "127.0.0.1")
        #expect(plain.port == 8080)
        #expect(plain.databasePoolSize == 8)
        let custom = try APIConfiguration.fromEnvironment([
            "DATABASE_URL": "postgresql://pitstop_app@db/pitstop", "PITSTOP_LISTEN": "0.0.0.0:9000",
            "PITSTOP_LOG_LEVEL": "debug", "PITSTOP_DB_POOL_SIZE": "16", "PITSTOP_DATA_DIR": "/srv/pitstop",
        ])
        #expect(custom.host == "0.0.0.0")
        #expect(custom.port == 9000)
        #expect(custom.logLevel == .debug)
        #expect(custom.databasePoolSize == 16)
        #expect(custom.dataDirectory == "/srv/pitstop")
    }

    @Test func everyProblemIsReportedAtOnce() {
        let error = #expect(throws: ConfigurationError.self) {
            try APIConfiguration.fromEnvironment([
                "PITSTOP_LISTEN": "nowhere", "PITSTOP_LOG_LEVEL": "loud", "PITSTOP_DB_POOL_SIZE": "0",
                "PITSTOP_PLATFORM_KEY_SHA256": "xyz",
            ])
        }
        let text = error?.description ?? ""
        for name in ["DATABASE_URL", "PITSTOP_LISTEN", "PITSTOP_LOG_LEVEL", "PITSTOP_DB_POOL_SIZE", "PITSTOP_PLATFORM_KEY_SHA256"] {
            #expect(text.contains(name), "\(name) missing from: \(text)")
        }
        #expect(throws: ConfigurationError.self) { try WorkerConfiguration.fromEnvironment(["PITSTOP_LOG_LEVEL": "loud"]) }
    }
}
