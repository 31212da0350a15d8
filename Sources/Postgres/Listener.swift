/// A dedicated connection that LISTENs on channels, for a worker to wake up on NOTIFY. A
/// notification is a hint that work may be waiting; the worker's poll remains the truth.
public final class Listener {
    private let configuration: Connection.Configuration
    private var connection: Connection
    private var channels: [String] = []

    public init(configuration: Connection.Configuration) throws {
        self.configuration = configuration
        connection = try Connection(configuration)
    }

    public func listen(_ channel: String) throws {
        try connection.simple("LISTEN \(try connection.escapeIdentifier(channel))")
        channels.append(channel)
    }

    /// Waits up to `timeout` and returns what arrived (often nothing). A broken connection is
    /// reopened and its channels listened to again; notifications sent meanwhile are lost, which
    /// is why they are only hints.
    public func wait(timeout: Duration) throws -> [Notification] {
        do {
            return try connection.waitForNotifications(timeout: timeout)
        } catch let error as PostgresError where error.kind == .connectionLost || error.kind == .server {
            connection = try Connection(configuration)
            let channels = self.channels
            self.channels = []
            for channel in channels { try listen(channel) }
            return []
        }
    }
}
