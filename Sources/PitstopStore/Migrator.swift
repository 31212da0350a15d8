import Crypto
import Foundation
import Postgres

/// A numbered SQL file in `migrations/`: `0001_tenants_and_api_keys.sql`.
public struct MigrationFile: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var sql: String
    public var checksum: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        checksum = Digest.sha256(sql).hex
    }

    /// Reads every `NNNN_name.sql` in `directory`, in version order. Refuses gaps and duplicates,
    /// which would make "applied is a prefix of the files" ambiguous.
    public static func load(from directory: URL) throws -> [MigrationFile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError.directoryUnreadable(directory.path)
        }
        var files: [MigrationFile] = []
        for name in names where name.hasSuffix(".sql") {
            let stem = name.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
                throw MigrationError.badFileName(name)
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            files.append(MigrationFile(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        files.sort { $0.version < $1.version }
        for (offset, file) in files.enumerated() where file.version != offset + 1 {
            throw MigrationError.notConsecutive(expected: offset + 1, found: file.version)
        }
        return files
    }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case directoryUnreadable(String)
    case badFileName(String)
    case notConsecutive(expected: Int, found: Int)
    case checksumChanged(version: Int, name: String)
    case unknownApplied(version: Int, name: String)

    public var description: String {
        switch self {
        case .directoryUnreadable(let path):
            "cannot read the migrations folder \(path); pass --migrations DIR or set PITSTOP_MIGRATIONS_DIR"
        case .badFileName(let name):
            "migration file \(name) is not named NNNN_name.sql"
        case .notConsecutive(let expected, let found):
            "migration versions must count up from 1 without gaps: expected \(expected), found \(found)"
        case .checksumChanged(let version, let name):
            "migration \(version) (\(name)) was changed after it was applied; shipped migrations are never edited: restore the file and add a new migration"
        case .unknownApplied(let version, let name):
            "the database has migration \(version) (\(name)) applied, which this folder does not have; use the release that shipped it"
        }
    }
}

/// One row of `migrate --status`.
public struct MigrationStatus: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var appliedAt: Date?
}

/// Applies migration files in order, once each, under an advisory lock, so several instances
/// starting together cannot race. Each file runs in its own transaction together with its row in
/// `schema_migrations`, which records version, name and SHA-256 checksum.
public struct Migrator {
    /// Arbitrary but fixed: the advisory lock all migrators of this schema agree on.
    static let lockKey: Int64 = 0x5049_5453_544F_5001

    let connection: Connection
    let files: [MigrationFile]

    public init(connection: Connection, files: [MigrationFile]) {
        self.connection = connection
        self.files = files
    }

    /// Applies what is pending and returns the files applied now (empty when up to date).
    @discardableResult
    public func migrate() throws -> [MigrationFile] {
        try withLock {
            let pending = try pendingFiles()
            for file in pending {
                try connection.simple("BEGIN")
                do {
                    try connection.simple(file.sql)
                    try connection.query("""
                        INSERT INTO schema_migrations (version, name, checksum) VALUES (\(file.version), \(file.name), \(file.checksum))
                        """)
                    try connection.simple("COMMIT")
                } catch {
                    _ = try? connection.simple("ROLLBACK")
                    throw error
                }
            }
            return pending
        }
    }

    /// Every file with the time it was applied, nil for pending ones.
    public func status() throws -> [MigrationStatus] {
        try withLock {
            let applied = try verifiedApplied()
            return files.map { file in
                MigrationStatus(version: file.version, name: file.name,
                                appliedAt: applied.first { $0.version == file.version }?.appliedAt)
            }
        }
    }

    public func pendingFiles() throws -> [MigrationFile] {
        let applied = try verifiedApplied()
        return Array(files.dropFirst(applied.count))
    }

    private struct Applied {
        var version: Int
        var name: String
        var checksum: String
        var appliedAt: Date
    }

    /// The applied rows, after checking they are a prefix of the files with the same checksums.
    private func verifiedApplied() throws -> [Applied] {
        try connection.simple("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                checksum   text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let rows = try connection.query("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version")
        let applied = try rows.rows.map {
            Applied(version: try $0.decode("version"), name: try $0.decode("name"),
                    checksum: try $0.decode("checksum"), appliedAt: try $0.decode("applied_at"))
        }
        for (offset, row) in applied.enumerated() {
            guard offset < files.count, files[offset].version == row.version else {
                throw MigrationError.unknownApplied(version: row.version, name: row.name)
            }
            guard files[offset].checksum == row.checksum else {
                throw MigrationError.checksumChanged(version: row.version, name: row.name)
            }
        }
        return applied
    }

    private func withLock<T>(_ body: () throws -> T) throws -> T {
        try connection.query("SELECT pg_advisory_lock(\(Self.lockKey))")
        defer { _ = try? connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))") }
        return try body()
    }
}
