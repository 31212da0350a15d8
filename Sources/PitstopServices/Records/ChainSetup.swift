import Foundation
import PitstopCore
import PitstopStore

/// What an admin sets a chain up with (shops, kinds of work, knowledge articles, intake links,
/// WeChat accounts, API keys): each record's rules, from PitstopCore, checked before it is
/// written, whichever route or tool writes it.
public struct ChainSetup {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    /// A shop without a zone of its own keeps the tenant's, `defaultTimezone`.
    public func createShop(_ input: ShopInput, defaultTimezone: String) throws -> Shop {
        try checked(input.errors(creating: true))
        return try scope.shops.create(input, defaultTimezone: defaultTimezone)
    }

    public func updateShop(_ id: UUID, expectedVersion: Int, _ input: ShopInput) throws -> Shop {
        try checked(input.errors(creating: false))
        return try scope.shops.update(id: id, expectedVersion: expectedVersion, input)
    }

    public func createType(_ input: WorkOrderTypeInput) throws -> WorkOrderType {
        try checked(input.errors(creating: true))
        return try scope.workOrderTypes.create(input)
    }

    public func updateType(_ id: UUID, expectedVersion: Int, _ input: WorkOrderTypeInput) throws -> WorkOrderType {
        try checked(input.errors(creating: false))
        return try scope.workOrderTypes.update(id: id, expectedVersion: expectedVersion, input)
    }

    public func createArticle(_ input: KnowledgeArticleInput) throws -> KnowledgeArticle {
        try checked(input.errors)
        return try scope.knowledge.create(input)
    }

    public func replaceArticle(_ id: UUID, expectedVersion: Int, _ input: KnowledgeArticleInput) throws -> KnowledgeArticle {
        try checked(input.errors)
        return try scope.knowledge.replace(id: id, expectedVersion: expectedVersion, input)
    }

    public func createIntakeLink(_ new: NewIntakeLink) throws -> IntakeLink {
        try checked(new.errors)
        return try scope.intakeLinks.create(new)
    }

    public func createWeChatAccount(_ new: NewWeChatAccount) throws -> WeChatAccount {
        try checked(new.errors)
        return try scope.weChat.create(new)
    }

    /// A key named `name` with the role called `role` (an engineer key names its engineer); its
    /// secret is in the answer and nowhere else.
    public func createKey(name: String, role roleName: String, engineerID: UUID?) throws -> CreatedKey<APIKey> {
        var errors = APIKey.validate(name: name)
        let role = Role(rawValue: roleName)
        if let role {
            errors += APIKey.validate(role: role, engineerID: engineerID)
        } else {
            errors.append(FieldError(field: "role", message: "must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        guard errors.isEmpty, let role else { throw ValidationError(errors) }
        return try scope.apiKeys.create(name: name.trimmingCharacters(in: .whitespacesAndNewlines), role: role, engineerID: engineerID)
    }

    /// A new tenant in this scope, with its first admin key (returned once).
    public func openTenant(name: String, timezone: String?) throws -> (Tenant, CreatedKey<APIKey>) {
        try checked(Tenant.validate(name: name, timezone: timezone))
        let tenant = try scope.tenant.create(name: name.trimmingCharacters(in: .whitespacesAndNewlines), timezone: timezone ?? Tenant.defaultTimezone)
        return (tenant, try scope.apiKeys.create(name: "admin", role: .admin))
    }

    private func checked(_ errors: [FieldError]) throws {
        guard errors.isEmpty else { throw ValidationError(errors) }
    }
}
