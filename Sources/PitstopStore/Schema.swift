import Postgres

/// The schema version this build was written for: the number of the newest migration file.
/// A test checks it against `migrations/`.
public enum Schema {
    public static let version = 65

    public enum Mismatch: Error, CustomStringConvertible, Equatable {
        case behind(database: Int, expected: Int)
        case ahead(database: Int, expected: Int)

        public var description: String {
            switch self {
            case .behind(let database, let expected):
                "the database schema is at version \(database) but this build needs \(expected): run `pitstop-admin migrate` with the owner role"
            case .ahead(let database, let expected):
                "the database schema is at version \(database), newer than the \(expected) this build knows: deploy the build that shipped migration \(database)"
            }
        }
    }

    /// The applied version, 0 for an empty database.
    public static func appliedVersion(in pool: ConnectionPool) throws -> Int {
        try pool.withConnection { connection in
            let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
            guard try exists[0].decode("present", as: Bool.self) else { return 0 }
            return try connection.query("SELECT coalesce(max(version), 0) AS version FROM schema_migrations")[0].decode("version")
        }
    }

    /// Throws unless the database is at exactly this build's version.
    public static func check(_ pool: ConnectionPool) throws {
        let applied = try appliedVersion(in: pool)
        if applied < version { throw Mismatch.behind(database: applied, expected: version) }
        if applied > version { throw Mismatch.ahead(database: applied, expected: version) }
    }
}
