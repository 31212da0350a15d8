import Foundation
import PitstopCore
import PitstopStore

/// Recounting the report rollups of one tenant, with its orders' times measured on the SLA
/// policies and calendars their clocks ran on: the worker's rollup after changes, and the
/// admin's rebuild of a range of days.
public struct ReportCounts {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    /// Recounts the days `orders` are and were counted on; returns how many.
    @discardableResult
    public func recount(orders: [UUID]) throws -> Int {
        try scope.reports.recount(orders: orders, zone: try scope.tenant.get().timezone, timings: try timings())
    }

    /// Recounts days `first` through `last` (YYYY-MM-DD) from the orders themselves.
    public func rebuild(from first: String, to last: String) throws -> Int {
        try scope.reports.rebuild(from: first, to: last, zone: try scope.tenant.get().timezone, timings: try timings())
    }

    private func timings() throws -> SLATimings {
        let calendars = Dictionary(uniqueKeysWithValues: try scope.sla.calendars().map { ($0.id, $0.calendar) })
        return SLATimings(policies: try scope.sla.policies(), calendars: calendars)
    }
}
