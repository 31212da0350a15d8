import Foundation
import Logging
import PitstopStore

extension Database {
    /// Runs `body` for each tenant a sweep found due, one after the other. A tenant whose round
    /// fails is logged and left for the next sweep; the others go on.
    func eachTenant(_ tenants: [UUID], logger: Logger, job: String, _ body: (UUID) throws -> Void) {
        for tenantID in tenants {
            do {
                try body(tenantID)
            } catch {
                logger.error("\(job) failed for a tenant", ["tenant_id": .string(tenantID.uuidString.lowercased()), "error": .string("\(error)")])
            }
        }
    }
}
