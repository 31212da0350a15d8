// swift-tools-version:6.0
import PackageDescription

// No SwiftPM dependencies by design: the toolchain plus four Debian C libraries.
let package = Package(
    name: "Pitstop",
    products: [
        .executable(name: "pitstop-api", targets: ["pitstop-api"]),
        .executable(name: "pitstop-worker", targets: ["pitstop-worker"]),
        .executable(name: "pitstop-admin", targets: ["pitstop-admin"]),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // libcurl, which FoundationNetworking already runs on, used directly by the worker's
        // sends (see HTTPClient for why).
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        .target(name: "Logging"),
        .target(name: "Lifecycle", dependencies: ["Logging"]),
        .target(name: "Crypto", dependencies: ["COpenSSL"]),
        // The text form of ids, shared by the database driver and the rules, which do not know each other.
        .target(name: "Identifiers"),
        .target(name: "Postgres", dependencies: ["CLibPQ", "Identifiers"]),
        .target(name: "HTTPServer", dependencies: ["CMicroHTTPD", "Logging", "Crypto"]),
        .target(name: "HTTPClient", dependencies: ["CCurl"]),
        .target(name: "PitstopCore", dependencies: ["Identifiers"]),
        .target(name: "Notifications", dependencies: ["Crypto", "PitstopCore"]),
        .target(name: "PitstopStore", dependencies: ["Postgres", "PitstopCore", "Crypto"]),
        // Use cases: each business operation and its follow-ups, between the edges and the store.
        .target(name: "PitstopServices", dependencies: ["PitstopStore", "PitstopCore"]),
        .target(name: "PitstopAPI", dependencies: ["HTTPServer", "PitstopServices", "PitstopStore", "PitstopCore", "Crypto", "Postgres", "Logging", "Lifecycle", "Notifications", "HTTPClient"]),
        .target(name: "PitstopJobs", dependencies: ["PitstopServices", "PitstopStore", "PitstopCore", "Postgres", "Logging", "Lifecycle", "Notifications", "HTTPClient"]),
        .target(name: "PitstopTesting", dependencies: ["Postgres", "PitstopStore", "PitstopAPI", "HTTPServer", "PitstopCore", "Crypto", "Logging", "Notifications"]),

        .executableTarget(name: "pitstop-api", dependencies: ["PitstopAPI", "PitstopStore", "Lifecycle", "Logging", "HTTPServer", "Postgres"]),
        .executableTarget(name: "pitstop-worker", dependencies: ["PitstopJobs", "Lifecycle", "Logging", "Postgres"]),
        .executableTarget(name: "pitstop-admin", dependencies: ["PitstopServices", "PitstopStore", "PitstopCore", "Postgres"]),

        .testTarget(name: "CryptoTests", dependencies: ["Crypto"]),
        .testTarget(name: "NotificationsTests", dependencies: ["Notifications", "Crypto", "PitstopCore"]),
        .testTarget(name: "LoggingTests", dependencies: ["Logging"]),
        .testTarget(name: "PitstopCoreTests", dependencies: ["PitstopCore"], exclude: ["Fixtures"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "PitstopTesting"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "PitstopTesting", "Logging"]),
        .testTarget(name: "PitstopStoreTests", dependencies: ["PitstopStore", "PitstopTesting", "Postgres"]),
        .testTarget(name: "PitstopAPITests", dependencies: ["PitstopAPI", "PitstopTesting", "PitstopStore", "HTTPServer", "PitstopCore", "Lifecycle", "PitstopJobs", "Logging"]),
        .testTarget(name: "ExecutableTests", dependencies: ["PitstopTesting", "Postgres", "pitstop-admin", "pitstop-api", "pitstop-worker"]),
        .testTarget(name: "PitstopJobsTests", dependencies: ["PitstopJobs", "PitstopTesting", "Lifecycle", "Logging", "Postgres", "PitstopStore"]),
    ]
)
