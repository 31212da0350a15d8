/// What an API key may do inside its tenant.
public enum Role: String, CaseIterable, Codable, Sendable {
    /// Everything in the tenant, including its keys.
    case admin
    /// The dispatch desk: work orders, assignment, customers.
    case dispatcher
    /// The engineer's mobile app, acting as one engineer.
    case engineer
    /// The quality inspector (质检员): reads orders and makes the quality check.
    case inspector
    /// CRM, ERP and parts systems.
    case integration
    /// Dashboards and reports: reads only.
    case readonly
}
