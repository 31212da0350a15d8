import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    /// The work order as the caller may read it: an engineer key reaches only its own orders and
    /// the pooled ones it may claim (`EngineerReach`); another is answered like a missing one.
    static func readableOrder(_ id: UUID, _ caller: TenantCaller, _ scope: TenantScope) throws -> WorkOrder {
        try reach(caller, scope).map { try $0.order(id) } ?? scope.workOrders.get(id: id)
    }

    /// An engineer key's reach; nil for every other key, which reads the whole tenant.
    static func reach(_ caller: TenantCaller, _ scope: TenantScope) -> EngineerReach? {
        guard caller.key.role == .engineer, let engineer = caller.key.engineerID else { return nil }
        return EngineerReach(scope: scope, tenant: caller.tenant, engineer: engineer)
    }

    /// The `{id}` work order of the path, as `readableOrder(_:_:_:)` reads it.
    static func readableOrder(_ request: HTTPRequest, _ caller: TenantCaller, _ scope: TenantScope) throws -> WorkOrder {
        try readableOrder(try pathID(request, "work order"), caller, scope)
    }
}
