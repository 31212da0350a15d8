import Foundation

/// Who makes a step of the work-order lifecycle, as the step table (`WorkOrderLifecycle.steps`)
/// names them. An API key's role alone does not say it: an engineer key is the assigned engineer
/// on their own order and just another engineer on everyone else's.
public enum StepActor: String, CaseIterable, Sendable, Codable {
    /// A dispatcher's or an admin's key: the desk, which may make every step the state allows.
    case desk
    /// The engineer the order is assigned to (offered to, while it is `assigned`).
    case assignedEngineer = "assigned_engineer"
    /// Any engineer the order is not assigned to: they may only claim it from the grab pool.
    case otherEngineer = "other_engineer"
    /// An inspector's key (质检员): the quality check.
    case inspector
    /// The customer, by signing the repair report: through their own link or on the engineer's phone.
    case customer
    /// A CRM, ERP or parts system's key.
    case integration
    /// A dashboard's key: reads only.
    case readonly
    /// Pitstop itself: a dispatch policy on intake, the worker's offer and pool sweeps.
    case automation

    /// As a refusal names them.
    public var description: String {
        switch self {
        case .desk: "a dispatcher or admin key"
        case .assignedEngineer: "the assigned engineer"
        case .otherEngineer: "an engineer claiming it from the grab pool"
        case .inspector: "an inspector key"
        case .customer: "the customer, by signing"
        case .integration: "an integration key"
        case .readonly: "a read-only key"
        case .automation: "automatic dispatch"
        }
    }
}

/// Who is changing a work order, before the order says which `StepActor` that makes them.
public enum ActingParty: Sendable, Equatable {
    /// A tenant API key.
    case key(APIKey)
    /// The customer signing: through their own link (nil) or on the phone of the engineer key named.
    case customer(via: UUID?)
    /// Pitstop itself: a dispatch policy, the worker.
    case automation
    /// `pitstop-admin` on the server (the demo data generator): a desk's reach, without a key.
    case console

    /// The API key the timeline names as the actor, if any.
    public var keyID: UUID? {
        switch self {
        case .key(let key): key.id
        case .customer(let via): via
        case .automation, .console: nil
        }
    }

    /// The row of the step table this party acts under on an order assigned to `assignee`.
    public func stepActor(assignee: UUID?) -> StepActor {
        switch self {
        case .key(let key):
            switch key.role {
            case .admin, .dispatcher: .desk
            case .engineer: key.engineerID != nil && key.engineerID == assignee ? .assignedEngineer : .otherEngineer
            case .inspector: .inspector
            case .integration: .integration
            case .readonly: .readonly
            }
        case .customer: .customer
        case .automation: .automation
        case .console: .desk
        }
    }
}
