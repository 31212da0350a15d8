import Foundation
import PitstopCore

/// A report that should become a work order, as any channel describes it: the one input of
/// `WorkOrderIntake.open`.
public struct IntakeReport: Sendable {
    /// A record named by id, or described so that intake finds or creates it.
    public enum Reference<Described: Sendable>: Sendable {
        case id(UUID)
        case described(Described)
    }

    public var source: IntakeSource
    public var channel: WorkOrder.Channel
    public var typeID: UUID
    public var priority: WorkOrder.Priority
    public var customer: Reference<CustomerInput>
    public var vehicle: Reference<VehicleInput>?
    public var shopID: UUID?
    public var description: String
    public var symptoms: [String]
    public var site: WorkOrder.Site?
    public var customFields: [String: JSONValue]
    public var dueAt: Date?
    public var externalID: String?
    /// Whether the caller asks for the policy's dispatch mode to run (nil: the source's default,
    /// `IntakeSource.dispatchesUnlessTold`).
    public var dispatch: Bool?
    /// Staff-only remarks for the order's first timeline entry.
    public var remarks: [String]

    public init(source: IntakeSource, channel: WorkOrder.Channel, typeID: UUID, priority: WorkOrder.Priority = .p3,
                customer: Reference<CustomerInput>, vehicle: Reference<VehicleInput>? = nil, shopID: UUID? = nil,
                description: String, symptoms: [String] = [], site: WorkOrder.Site? = nil, customFields: [String: JSONValue] = [:],
                dueAt: Date? = nil, externalID: String? = nil, dispatch: Bool? = nil, remarks: [String] = []) {
        self.source = source
        self.channel = channel
        self.typeID = typeID
        self.priority = priority
        self.customer = customer
        self.vehicle = vehicle
        self.shopID = shopID
        self.description = description
        self.symptoms = symptoms
        self.site = site
        self.customFields = customFields
        self.dueAt = dueAt
        self.externalID = externalID
        self.dispatch = dispatch
        self.remarks = remarks
    }
}

/// What intake did with a report.
public enum IntakeOutcome: Sendable {
    /// A new order.
    case opened(WorkOrder)
    /// The report joined an earlier open order (the source's duplicate rule).
    case joined(WorkOrder)

    public var order: WorkOrder {
        switch self {
        case .opened(let order), .joined(let order): order
        }
    }
}
