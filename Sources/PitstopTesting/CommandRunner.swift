import Foundation

/// Runs one of the package's executables and captures what it printed. posix_spawn and waitpid
/// rather than Foundation's Process, whose waitUntilExit can miss exits under parallel tests.
public enum CommandRunner {
    public struct Output: Sendable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String

        /// The last line of standard output: where commands put the id or secret they created.
        public var lastLine: String {
            standardOutput.split(separator: "\n").last.map(String.init) ?? ""
        }
    }

    /// The folder of the test bundle, where `swift build --build-tests` also put the executables.
    public static var buildDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        try start(executable, arguments, environment: environment).wait()
    }

    /// Starts an executable (one of the package's, or by its absolute path) and returns at once;
    /// `wait()` collects its exit and output.
    public static func start(_ executable: String, _ arguments: [String] = [], environment: [String: String] = [:]) throws -> RunningCommand {
        let path = executable.hasPrefix("/") ? executable : buildDirectory.appendingPathComponent(executable).path
        let scratch = NSTemporaryDirectory() + "pitstop-cmd-\(UUID().uuidString)"
        let outPath = scratch + ".out"
        let errPath = scratch + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw RawHTTPError("cannot start \(path): errno \(spawned)") }
        return RunningCommand(pid: pid, outPath: outPath, errPath: errPath)
    }
}

/// A started executable.
public final class RunningCommand: Sendable {
    public let pid: pid_t
    let outPath: String
    let errPath: String

    init(pid: pid_t, outPath: String, errPath: String) {
        self.pid = pid
        self.outPath = outPath
        self.errPath = errPath
    }

    /// What it has printed so far.
    public var standardOutput: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }

    public func signal(_ number: Int32) {
        kill(pid, number)
    }

    /// Waits for the exit and returns the output; removes the capture files.
    public func wait() -> CommandRunner.Output {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let read = { (file: String) in (try? String(contentsOfFile: file, encoding: .utf8)) ?? "" }
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        // WEXITSTATUS, a macro Swift does not import; a signal death reads as 128 + signal.
        let code: Int32 = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return CommandRunner.Output(status: code, standardOutput: read(outPath), standardError: read(errPath))
    }
}
