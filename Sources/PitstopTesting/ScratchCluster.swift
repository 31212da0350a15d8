import Foundation
import Postgres

/// A PostgreSQL cluster of a test's own, for tests that restart or stop the server and so must
/// not disturb the shared test database. Needs the server binaries (`PITSTOP_TEST_PG_BIN`, set
/// by scripts/test); run as the `postgres` user when the tests run as root.
public final class ScratchCluster {
    public let directory: URL
    public let port: Int
    private let binaries: URL

    public static var isAvailable: Bool { !(ProcessInfo.processInfo.environment["PITSTOP_TEST_PG_BIN"] ?? "").isEmpty }

    public init() throws {
        guard let bin = ProcessInfo.processInfo.environment["PITSTOP_TEST_PG_BIN"], !bin.isEmpty else {
            throw ScratchClusterError("PITSTOP_TEST_PG_BIN is not set")
        }
        binaries = URL(fileURLWithPath: bin)
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("pitstop-scratch-\(UUID().uuidString)")
        port = try Self.freePort()
        if geteuid() == 0 {
            try Self.run("/usr/bin/install", ["-d", "-o", "postgres", "-g", "postgres", "-m", "700", directory.path])
        } else {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        try pgTool("initdb", ["-D", directory.path, "-U", "pitstop_owner", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
        try start()
    }

    deinit {
        try? pgTool("pg_ctl", ["-D", directory.path, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    public var configuration: Connection.Configuration {
        Connection.Configuration(url: "postgresql://pitstop_owner@127.0.0.1:\(port)/postgres", applicationName: "pitstop-tests")
    }

    public func start() throws {
        try pgTool("pg_ctl", ["-D", directory.path, "-l", directory.appendingPathComponent("server.log").path, "-w", "-t", "30",
                              "-o", "-c listen_addresses=127.0.0.1 -p \(port) -k \(directory.path)", "start"])
    }

    /// `pg_ctl restart -m fast`: every open connection is terminated by the server.
    public func restart() throws {
        try pgTool("pg_ctl", ["-D", directory.path, "-m", "fast", "-w", "-t", "30",
                              "-o", "-c listen_addresses=127.0.0.1 -p \(port) -k \(directory.path)", "restart"])
    }

    private func pgTool(_ tool: String, _ arguments: [String]) throws {
        let path = binaries.appendingPathComponent(tool).path
        if geteuid() == 0 {
            try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments)
        } else {
            try Self.run(path, arguments)
        }
    }

    /// posix_spawn and waitpid rather than Foundation's Process, whose waitUntilExit can miss
    /// the exit of children started from parallel tests.
    private static func run(_ executable: String, _ arguments: [String]) throws {
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw ScratchClusterError("cannot start \(executable): errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED and WEXITSTATUS are macros Swift does not import.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw ScratchClusterError("\(executable) \(arguments.joined(separator: " ")) failed with wait status \(status)")
        }
    }

    private static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ScratchClusterError("socket() failed") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(socket, raw, length) == 0 && getsockname(socket, raw, &length) == 0
            }
        }
        guard bound else { throw ScratchClusterError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

public struct ScratchClusterError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
