import PitstopCore
import Postgres

/// Every reference between tenant tables is a composite foreign key on (tenant_id, id), so an id
/// of another tenant's record breaks it exactly like an id that does not exist. This names the
/// client's field for the broken constraint, the same way for every repository.
enum ReferenceErrors {
    static func naming<T>(_ fields: [String: String], _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError where error.sqlState == .foreignKeyViolation {
            throw ValidationError(field: error.constraint.flatMap { fields[$0] } ?? "reference", "does not name a record of this tenant")
        }
    }
}
