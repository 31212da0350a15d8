import Foundation
import PitstopCore
import PitstopStore

/// What an admin sets a chain up with (shops, kinds of work, knowledge articles, intake links,
/// WeChat accounts, API keys, SLA policies): each record's rules, from PitstopCore, checked before it is
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

    /// An official account; its Token and EncodingAESKey, once checked, are kept only as `seal` returns them.
    public func createWeChatAccount(_ new: NewWeChatAccount, seal: (String) throws -> [UInt8]) throws -> WeChatAccount {
        try checked(new.errors)
        return try scope.weChat.create(new, tokenBox: try seal(new.token), aesKeyBox: try new.encodingAESKey.map(seal))
    }

    /// Changes account `id` at `expectedVersion`: checked over the account as it is, the new
    /// Token and EncodingAESKey sealed by `seal`.
    public func updateWeChatAccount(id: UUID, expectedVersion: Int, _ changes: WeChatAccountChanges,
                                    seal: (String) throws -> [UInt8]) throws -> WeChatAccount {
        let current = try scope.weChat.get(id: id)
        guard current.revokedAt == nil else { throw StoreError.notFound("WeChat account") }
        try checked(changes.errors(over: current))
        let keyBox: FieldUpdate<[UInt8]> = switch changes.encodingAESKey {
        case .keep: .keep
        case .clear: .clear
        case .set(let key): .set(try seal(key))
        }
        return try scope.weChat.update(id: id, expectedVersion: expectedVersion, changes, tokenBox: try changes.token.map(seal), aesKeyBox: keyBox)
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

    /// A dispatch policy for the tenant, a shop, a job type or both (nil for any).
    public func createDispatchPolicy(shopID: UUID?, typeID: UUID?, rules: DispatchPolicy) throws -> ScopedDispatchPolicy {
        try checked(rules.errors)
        return try scope.dispatch.createPolicy(shopID: shopID, typeID: typeID, rules: rules)
    }

    public func replaceDispatchPolicy(_ id: UUID, expectedVersion: Int, rules: DispatchPolicy) throws -> ScopedDispatchPolicy {
        try checked(rules.errors)
        return try scope.dispatch.replacePolicy(id: id, expectedVersion: expectedVersion, rules: rules)
    }

    /// An SLA policy (its own fields checked by the caller), whose escalation channels must be
    /// the tenant's.
    public func createSLAPolicy(_ input: SLARepository.PolicyInput) throws -> SLAPolicy {
        try requireChannels(input.rules)
        return try scope.sla.createPolicy(input)
    }

    public func replaceSLAPolicy(_ id: UUID, expectedVersion: Int, _ input: SLARepository.PolicyInput) throws -> SLAPolicy {
        try requireChannels(input.rules)
        return try scope.sla.replacePolicy(id: id, expectedVersion: expectedVersion, input)
    }

    /// Every escalation channel must be one of the tenant's, and one that reaches a group or a
    /// system: an app channel messages one engineer, and an escalation names none.
    private func requireChannels(_ rules: SLARules) throws {
        let known = Dictionary(uniqueKeysWithValues: try scope.notifications.channels().map { ($0.id, $0.kind) })
        try checked(rules.escalation.enumerated().flatMap { level, escalation in
            escalation.channels.enumerated().compactMap { index, channel -> FieldError? in
                let field = "escalation[\(level)].channels[\(index)]"
                guard let kind = known[channel] else { return FieldError(field: field, message: "is not a notification channel of this tenant") }
                guard !kind.isApp else {
                    return FieldError(field: field, message: "is a \(kind.rawValue) channel, which messages engineers one by one; escalate to a robot, SMS or webhook channel")
                }
                guard kind != .tencentSMS else {
                    return FieldError(field: field, message: "is a tencent_sms channel, which takes customers' messages only for now; escalate to a robot, Aliyun SMS or webhook channel")
                }
                return nil
            }
        })
    }

    private func checked(_ errors: [FieldError]) throws {
        guard errors.isEmpty else { throw ValidationError(errors) }
    }
}

extension ChainSetup {
    /// The tenant's rules for messages to customers, each route's channel checked to be one of
    /// the tenant's that reaches customers.
    public func setCustomerMessagePolicy(_ policy: CustomerMessagePolicy, expectedVersion: Int?) throws -> CustomerMessageRepository.StoredPolicy {
        let kinds = Dictionary(try scope.notifications.channels().map { ($0.id, $0.kind) }) { first, _ in first }
        try checked(policy.errors(kinds: kinds))
        return try scope.customerMessages.setPolicy(policy, expectedVersion: expectedVersion, now: Date())
    }
}
