import Foundation

/// A kind of work a chain does (accident repair, routine maintenance, roadside rescue, …) and
/// the custom fields its orders carry.
public struct WorkOrderType: Sendable, Equatable {
    public var id: UUID
    /// Stable machine name, unique in the tenant: `accident_repair`.
    public var code: String
    public var name: String
    public var template: WorkOrderTemplate
    /// What the quality check of this kind of job goes through, item by item.
    public var checklist: [String]
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int

    public init(id: UUID, code: String, name: String, template: WorkOrderTemplate, checklist: [String] = [], active: Bool, createdAt: Date,
                updatedAt: Date, version: Int) {
        self.id = id
        self.code = code
        self.name = name
        self.template = template
        self.checklist = checklist
        self.active = active
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }
}

/// What a client may set on a work-order type.
public struct WorkOrderTypeInput: Sendable, Equatable {
    public var code: String?
    public var name: String?
    public var template: WorkOrderTemplate?
    public var checklist: [String]?
    public var active: Bool?

    public init(code: String? = nil, name: String? = nil, template: WorkOrderTemplate? = nil, checklist: [String]? = nil, active: Bool? = nil) {
        self.code = code
        self.name = name
        self.template = template
        self.checklist = checklist
        self.active = active
    }

    public func errors(creating: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        if let code {
            if !TextRules.isCode(code) { errors.append(FieldError(field: "code", message: TextRules.codeRule)) }
        } else if creating {
            errors.append(FieldError(field: "code", message: "is required"))
        }
        if let name {
            errors += TextRules.lengthErrors(name, field: "name", limit: 100)
        } else if creating {
            errors.append(FieldError(field: "name", message: "is required"))
        }
        if let template {
            errors += template.definitionErrors().map { FieldError(field: "template.\($0.field)", message: $0.message) }
        }
        if let checklist {
            if checklist.count > 50 { errors.append(FieldError(field: "checklist", message: "may list at most 50 items")) }
            for (index, item) in checklist.enumerated() {
                errors += TextRules.lengthErrors(item, field: "checklist[\(index)]", limit: 200)
            }
            if Set(checklist).count != checklist.count { errors.append(FieldError(field: "checklist", message: "must not repeat an item")) }
        }
        return errors
    }
}
