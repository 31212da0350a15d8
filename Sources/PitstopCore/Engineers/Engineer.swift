import Foundation

/// A repair engineer of the chain.
public struct Engineer: Sendable, Equatable {
    public enum Status: String, Codable, CaseIterable, Sendable {
        /// Not working: out of dispatch, open orders kept.
        case offDuty = "off_duty"
        case available
        case busy
        /// On a break: out of dispatch for now, open orders kept.
        case onBreak = "on_break"
    }

    public var id: UUID
    public var name: String
    public var phone: String?
    /// Skill code → level 1 (novice) to 5 (master).
    public var skills: [String: Int]
    public var shopIDs: [UUID]
    public var certifications: [String]
    public var active: Bool
    public var status: Status
    public var location: GeoPoint?
    public var locatedAt: Date?
    /// The person's id in the chain's HR system.
    public var externalID: String?
    /// How the engineer hears of their work (see `EngineerNotice`).
    public var messaging: Messaging
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int

    /// The channel that tells the engineer of offers, assignments, transfers, cancellations and
    /// customers' messages (a `dingtalk_app`, `wecom_app` or `aliyun_sms` channel of the
    /// tenant's; nil: none, the app's sync is all they get), and their user ids in the apps.
    public struct Messaging: Sendable, Equatable {
        public var channelID: UUID?
        public var dingtalkUserID: String?
        public var wecomUserID: String?

        public init(channelID: UUID? = nil, dingtalkUserID: String? = nil, wecomUserID: String? = nil) {
            self.channelID = channelID
            self.dingtalkUserID = dingtalkUserID
            self.wecomUserID = wecomUserID
        }
    }

    public init(id: UUID, name: String, phone: String?, skills: [String: Int], shopIDs: [UUID], certifications: [String],
                active: Bool, status: Status, location: GeoPoint?, locatedAt: Date?, externalID: String? = nil,
                messaging: Messaging = Messaging(), createdAt: Date, updatedAt: Date, version: Int) {
        self.id = id
        self.name = name
        self.phone = phone
        self.skills = skills
        self.shopIDs = shopIDs
        self.certifications = certifications
        self.active = active
        self.status = status
        self.location = location
        self.locatedAt = locatedAt
        self.externalID = externalID
        self.messaging = messaging
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }
}

/// What a client may set on an engineer. Skills and shops, when sent, replace the whole set.
public struct EngineerInput: Sendable, Equatable {
    public var name: String?
    public var phone: FieldUpdate<String>
    public var skills: [String: Int]?
    public var shopIDs: [UUID]?
    public var certifications: [String]?
    public var active: Bool?
    public var status: Engineer.Status?
    public var externalID: FieldUpdate<String>
    public var notifyChannelID: FieldUpdate<UUID>
    public var dingtalkUserID: FieldUpdate<String>
    public var wecomUserID: FieldUpdate<String>

    public init(name: String? = nil, phone: FieldUpdate<String> = .keep, skills: [String: Int]? = nil, shopIDs: [UUID]? = nil,
                certifications: [String]? = nil, active: Bool? = nil, status: Engineer.Status? = nil, externalID: FieldUpdate<String> = .keep,
                notifyChannelID: FieldUpdate<UUID> = .keep, dingtalkUserID: FieldUpdate<String> = .keep, wecomUserID: FieldUpdate<String> = .keep) {
        self.name = name
        self.phone = phone
        self.skills = skills
        self.shopIDs = shopIDs
        self.certifications = certifications
        self.active = active
        self.status = status
        self.externalID = externalID
        self.notifyChannelID = notifyChannelID
        self.dingtalkUserID = dingtalkUserID
        self.wecomUserID = wecomUserID
    }

    public func normalised(creating: Bool) -> Result<EngineerInput, ValidationError> {
        var errors: [FieldError] = []
        var out = self
        if let name {
            errors += TextRules.lengthErrors(name, field: "name", limit: 100)
            out.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        } else if creating {
            errors.append(FieldError(field: "name", message: "is required"))
        }
        if let phone = phone.newValue {
            if let normalised = PhoneNumber.normalise(phone) { out.phone = .set(normalised) } else {
                errors.append(FieldError(field: "phone", message: PhoneNumber.problem))
            }
        }
        if let skills {
            if skills.count > 50 { errors.append(FieldError(field: "skills", message: "may list at most 50 skills")) }
            for (skill, level) in skills.sorted(by: { $0.key < $1.key }) {
                if !TextRules.isCode(skill) {
                    errors.append(FieldError(field: "skills.\(skill)", message: "is not a skill code: it " + TextRules.codeRule))
                } else if !(1...5).contains(level) {
                    errors.append(FieldError(field: "skills.\(skill)", message: "level must be from 1 to 5"))
                }
            }
        }
        errors += TextRules.lengthErrors(externalID.newValue, field: "external_id", limit: 100)
        for (field, update) in [("dingtalk_user_id", dingtalkUserID), ("wecom_user_id", wecomUserID)] {
            // DingTalk lists recipients with ",", WeCom with "|": an id holding either would
            // address someone else.
            if let id = update.newValue, id.isEmpty || id.count > 64 || id.contains(where: { $0 == "," || $0 == "|" || $0.isWhitespace }) {
                errors.append(FieldError(field: field, message: "must be the engineer's user id in the app: 1 to 64 characters, no spaces, commas or |"))
            }
        }
        if let shopIDs, shopIDs.count > 50 { errors.append(FieldError(field: "shop_ids", message: "may list at most 50 shops")) }
        if let certifications {
            if certifications.count > 20 { errors.append(FieldError(field: "certifications", message: "may list at most 20")) }
            for (index, item) in certifications.enumerated() {
                errors += TextRules.lengthErrors(item, field: "certifications[\(index)]", limit: 100)
            }
        }
        return errors.isEmpty ? .success(out) : .failure(ValidationError(errors))
    }
}
