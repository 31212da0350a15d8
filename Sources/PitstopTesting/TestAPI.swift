import Crypto
import Foundation
import HTTPServer
import Logging
import PitstopAPI
import PitstopCore
import PitstopStore

/// The API on a loopback port of its own over the shared test database, with helpers that make
/// a tenant and its keys. One per test; `stop()` when done.
public final class TestAPI {
    public let application: APIApplication
    public let server: HTTPServer
    public let client: RawHTTPClient
    public let platformKey: String
    /// PITSTOP_DATA_DIR of this API: a fresh temporary folder, removed by `stop()`.
    public let dataDirectory: String

    /// `configure` adjusts the configuration (limits, windows) before the server starts.
    public init(configure: (inout APIConfiguration) -> Void = { _ in }) throws {
        let platformKey = "ppk_testtest_" + String(repeating: "p", count: 32)
        self.platformKey = platformKey
        var configuration = APIConfiguration(databaseURL: "unused: the test database is passed in", port: 0,
                                             dataDirectory: NSTemporaryDirectory() + "pitstop-api-test-\(UUID().uuidString)",
                                             platformKeySHA256: Self.sha256Hex(platformKey))
        // Tests' receivers listen on 127.0.0.1; the refusal of private addresses has tests of its own.
        configuration.allowPrivateURLs = true
        // A deployment keeps credentials sealed (WeChat Tokens, channel secrets): so does a test's
        // API, unless it sets its own key or none.
        configuration.secretKey = Self.secretKey
        configure(&configuration)
        dataDirectory = configuration.dataDirectory
        application = APIApplication(configuration: configuration, database: TestDatabase.shared.database,
                                     logger: Logger(component: "api-test", minimumLevel: .error, sink: { line in if ProcessInfo.processInfo.environment["PITSTOP_TEST_LOGS"] != nil { print(line) } }))
        try application.prepareStorage()
        server = application.makeServer(workerThreads: 4)
        try server.start()
        client = RawHTTPClient(port: server.port)
    }

    /// The key a test's API seals with unless told otherwise.
    public static let secretKey = RandomToken.bytes(32)

    public func stop() {
        server.shutdown(grace: .seconds(2))
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// A tenant made through the platform endpoint, with its admin key.
    public func makeTenant(name: String = "Chain \(UUID().uuidString.prefix(6))") throws -> (id: String, adminKey: String) {
        let response = try client.send("POST", "/v1/platform/tenants", headers: [("Authorization", "Bearer \(platformKey)")],
                                       json: #"{"name":"\#(name)"}"#)
        guard response.status == 201, let tenant = response.json["tenant"] as? [String: Any], let id = tenant["id"] as? String,
              let key = (response.json["admin_key"] as? [String: Any])?["secret"] as? String else {
            throw RawHTTPError("tenant creation answered \(response.status): \(response.text)")
        }
        return (id, key)
    }

    /// A key of `role` in the tenant of `adminKey`.
    public func makeKey(adminKey: String, role: Role) throws -> (id: String, secret: String) {
        let response = try client.send("POST", "/v1/api-keys", headers: [("Authorization", "Bearer \(adminKey)")],
                                       json: #"{"name":"\#(role.rawValue) key","role":"\#(role.rawValue)"}"#)
        guard response.status == 201, let id = response.json["id"] as? String, let secret = response.json["secret"] as? String else {
            throw RawHTTPError("key creation answered \(response.status): \(response.text)")
        }
        return (id, secret)
    }

    public func get(_ path: String, key: String?) throws -> RawHTTPClient.Response {
        try client.send("GET", path, headers: key.map { [("Authorization", "Bearer \($0)")] } ?? [])
    }

    static func sha256Hex(_ text: String) -> String {
        Digest.sha256(text).hex
    }
}
