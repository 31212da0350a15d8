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
            "PITSTOP_PUBLIC_URL": "https://pitstop.example.com/", "PITSTOP_TRUSTED_PROXIES": "10.0.0.2, ::1",
            "PITSTOP_INTAKE_PER_ADDRESS_PER_HOUR": "5", "PITSTOP_PUBLIC_PER_ADDRESS_PER_MINUTE": "600",
        ])
        #expect(custom.host == "0.0.0.0")
        #expect(custom.port == 9000)
        #expect(custom.logLevel == .debug)
        #expect(custom.databasePoolSize == 16)
        #expect(custom.dataDirectory == "/srv/pitstop")
        #expect(custom.publicURL == "https://pitstop.example.com")
        #expect(custom.trustedProxies == ["10.0.0.2", "::1"])
        #expect(custom.intakeReportsPerAddressPerHour == 5)
        #expect(custom.publicRequestsPerAddressPerMinute == 600 && plain.publicRequestsPerAddressPerMinute == 60)
    }

    @Test func everyProblemIsReportedAtOnce() {
        let error = #expect(throws: ConfigurationError.self) {
            try APIConfiguration.fromEnvironment([
                "PITSTOP_LISTEN": "nowhere", "PITSTOP_LOG_LEVEL": "loud", "PITSTOP_DB_POOL_SIZE": "0",
                "PITSTOP_PLATFORM_KEY_SHA256": "xyz", "PITSTOP_PUBLIC_URL": "pitstop.example.com",
                "PITSTOP_TRUSTED_PROXIES": "10.0.0.2,proxy.local", "PITSTOP_INTAKE_PER_LINK_PER_HOUR": "0",
                "PITSTOP_PUBLIC_PER_ADDRESS_PER_MINUTE": "none",
            ])
        }
        let text = error?.description ?? ""
        for name in ["DATABASE_URL", "PITSTOP_LISTEN", "PITSTOP_LOG_LEVEL", "PITSTOP_DB_POOL_SIZE", "PITSTOP_PLATFORM_KEY_SHA256",
                     "PITSTOP_PUBLIC_URL", "PITSTOP_TRUSTED_PROXIES", "PITSTOP_INTAKE_PER_LINK_PER_HOUR",
                     "PITSTOP_PUBLIC_PER_ADDRESS_PER_MINUTE"] {
            #expect(text.contains(name), "\(name) missing from: \(text)")
        }
        #expect(throws: ConfigurationError.self) { try WorkerConfiguration.fromEnvironment(["PITSTOP_LOG_LEVEL": "loud"]) }
    }

    @Test func theWorkerPutsTheAPIsPublicAddressInCustomersLinks() throws {
        let database = ["DATABASE_URL": "postgresql://pitstop_app@127.0.0.1/pitstop"]
        #expect(try WorkerConfiguration.fromEnvironment(database).publicBaseURL == "http://127.0.0.1:8080", "the API's own default")
        let set = database.merging(["PITSTOP_PUBLIC_URL": "https://pitstop.example.com/"]) { $1 }
        #expect(try WorkerConfiguration.fromEnvironment(set).publicBaseURL == "https://pitstop.example.com")
        let bad = database.merging(["PITSTOP_PUBLIC_URL": "pitstop.example.com"]) { $1 }
        #expect(throws: ConfigurationError.self) { try WorkerConfiguration.fromEnvironment(bad) }
    }
}
