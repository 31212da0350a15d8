import Foundation

/// One job: a customer's problem, the vehicle, where and by whom it is repaired, and where it
/// stands in the lifecycle.
public struct WorkOrder: Sendable, Equatable {
    public enum Channel: String, Codable, CaseIterable, Sendable {
        case phone, app, wechat, web, qr, api
    }

    public enum Priority: String, Codable, CaseIterable, Sendable {
        case p1 = "P1", p2 = "P2", p3 = "P3", p4 = "P4"
    }

    /// An on-site job's place.
    public struct Site: Sendable, Equatable, Codable {
        public var latitude: Double
        public var longitude: Double
        public var address: String?

        public init(latitude: Double, longitude: Double, address: String? = nil) {
            self.latitude = latitude
            self.longitude = longitude
            self.address = address
        }
    }

    public var id: UUID
    public var number: String
    public var channel: Channel
    public var typeID: UUID
    public var priority: Priority
    public var status: WorkOrderStatus
    public var customerID: UUID
    public var vehicleID: UUID?
    public var shopID: UUID?
    public var assigneeID: UUID?
    public var description: String
    public var symptoms: [String]
    public var site: Site?
    public var customFields: [String: JSONValue]
    public var cancelReason: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var statusChangedAt: Date
    public var completedAt: Date?
    public var cancelledAt: Date?
    public var version: Int
    /// With the tenant, the token a customer follows the order's status with (`PublicToken`).
    /// Only its hash is stored: this is set on the order just created (or given a new tracking
    /// link), nil on an order read back.
    public var trackingSecret: String?
    /// When the order first reached each status it has been in.
    public var milestones: [WorkOrderStatus: Date]
    /// When the order is due (the time promised to the customer), if set.
    public var dueAt: Date?
    /// Since when the order waits in the grab pool, if it does.
    public var pooledAt: Date?
    /// The ticket's id in the chain's CRM.
    public var externalID: String?

    public init(id: UUID, number: String, channel: Channel, typeID: UUID, priority: Priority, status: WorkOrderStatus,
                customerID: UUID, vehicleID: UUID?, shopID: UUID?, assigneeID: UUID?, description: String, symptoms: [String],
                site: Site?, customFields: [String: JSONValue], cancelReason: String?, createdAt: Date, updatedAt: Date,
                statusChangedAt: Date, completedAt: Date?, cancelledAt: Date?, version: Int, trackingSecret: String?,
                milestones: [WorkOrderStatus: Date], dueAt: Date?, pooledAt: Date? = nil, externalID: String? = nil) {
        self.id = id
        self.number = number
        self.channel = channel
        self.typeID = typeID
        self.priority = priority
        self.status = status
        self.customerID = customerID
        self.vehicleID = vehicleID
        self.shopID = shopID
        self.assigneeID = assigneeID
        self.description = description
        self.symptoms = symptoms
        self.site = site
        self.customFields = customFields
        self.cancelReason = cancelReason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.statusChangedAt = statusChangedAt
        self.completedAt = completedAt
        self.cancelledAt = cancelledAt
        self.version = version
        self.trackingSecret = trackingSecret
        self.milestones = milestones
        self.dueAt = dueAt
        self.pooledAt = pooledAt
        self.externalID = externalID
    }
}

/// A new work order as a client describes it; references are checked against the database.
public struct NewWorkOrder: Sendable, Equatable {
    public var channel: WorkOrder.Channel
    public var typeID: UUID
    public var priority: WorkOrder.Priority
    public var customerID: UUID
    public var vehicleID: UUID?
    public var shopID: UUID?
    public var description: String
    public var symptoms: [String]
    public var site: WorkOrder.Site?
    public var customFields: [String: JSONValue]
    public var dueAt: Date?
    public var externalID: String?

    public init(channel: WorkOrder.Channel, typeID: UUID, priority: WorkOrder.Priority, customerID: UUID, vehicleID: UUID?,
                shopID: UUID?, description: String, symptoms: [String], site: WorkOrder.Site?, customFields: [String: JSONValue],
                dueAt: Date? = nil, externalID: String? = nil) {
        self.channel = channel
        self.typeID = typeID
        self.priority = priority
        self.customerID = customerID
        self.vehicleID = vehicleID
        self.shopID = shopID
        self.description = description
        self.symptoms = symptoms
        self.site = site
        self.customFields = customFields
        self.dueAt = dueAt
        self.externalID = externalID
    }

    /// Checks what needs no database; `template` is the order type's.
    public func errors(template: WorkOrderTemplate) -> [FieldError] {
        Self.detailErrors(description: description, symptoms: symptoms, site: site) + template.errors(in: customFields, mode: .create)
            + TextRules.lengthErrors(externalID, field: "external_id", limit: 100)
    }

    /// Rules for the details a client writes, shared by creation and edits; nil is not checked.
    static func detailErrors(description: String?, symptoms: [String]?, site: WorkOrder.Site?) -> [FieldError] {
        var errors: [FieldError] = []
        errors += TextRules.lengthErrors(description, field: "description", limit: 5000)
        if let symptoms {
            if symptoms.count > 20 { errors.append(FieldError(field: "symptoms", message: "may list at most 20")) }
            for (index, symptom) in symptoms.enumerated() {
                errors += TextRules.lengthErrors(symptom, field: "symptoms[\(index)]", limit: 200)
            }
        }
        if let site {
            errors += GeoPoint(latitude: site.latitude, longitude: site.longitude).errors(field: "site")
            if let address = site.address, address.count > 500 { errors.append(FieldError(field: "site.address", message: "must be at most 500 characters")) }
        }
        return errors
    }
}

/// Changes to an order's details; status moves go through transitions instead.
public struct WorkOrderChanges: Sendable, Equatable {
    public var priority: WorkOrder.Priority?
    public var shopID: FieldUpdate<UUID>
    public var description: String?
    public var symptoms: [String]?
    public var site: FieldUpdate<WorkOrder.Site>
    /// Values to set; `.null` removes a value. Keys not sent keep theirs.
    public var customFields: [String: JSONValue]?
    public var dueAt: FieldUpdate<Date>

    public init(priority: WorkOrder.Priority? = nil, shopID: FieldUpdate<UUID> = .keep, description: String? = nil,
                symptoms: [String]? = nil, site: FieldUpdate<WorkOrder.Site> = .keep, customFields: [String: JSONValue]? = nil,
                dueAt: FieldUpdate<Date> = .keep) {
        self.priority = priority
        self.shopID = shopID
        self.description = description
        self.symptoms = symptoms
        self.site = site
        self.customFields = customFields
        self.dueAt = dueAt
    }

    /// The client's names of the fields this changes, for the timeline.
    public var changedFields: [String] {
        var fields: [String] = []
        if priority != nil { fields.append("priority") }
        if !shopID.isKeep { fields.append("shop_id") }
        if description != nil { fields.append("description") }
        if symptoms != nil { fields.append("symptoms") }
        if !site.isKeep { fields.append("site") }
        if !dueAt.isKeep { fields.append("due_at") }
        if let customFields { fields += customFields.keys.sorted().map { "custom_fields.\($0)" } }
        return fields
    }

    public func errors(template: WorkOrderTemplate) -> [FieldError] {
        var errors: [FieldError] = []
        if changedFields.isEmpty { errors.append(FieldError(field: "body", message: "changes nothing; send at least one field")) }
        errors += NewWorkOrder.detailErrors(description: description, symptoms: symptoms, site: site.newValue)
        if let customFields { errors += template.errors(in: customFields, mode: .update) }
        return errors
    }
}
