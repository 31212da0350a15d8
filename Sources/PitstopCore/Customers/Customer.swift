import Foundation

/// A customer of a repair chain: the person or company whose vehicles are repaired.
public struct Customer: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var phones: [String]
    public var wechatOpenID: String?
    public var wechatUnionID: String?
    public var email: String?
    public var tags: [String]
    public var externalID: String?
    /// Since when the customer wants no SMS from the chain (a "TD" reply, say), and no WeChat
    /// messages (they unfollowed the account, or asked).
    public var smsOptedOutAt: Date?
    public var weChatOptedOutAt: Date?
    /// When the customer was forgotten at their request: the record is empty from then on.
    public var erasedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int

    public init(id: UUID, name: String, phones: [String], wechatOpenID: String?, wechatUnionID: String?, email: String?,
                tags: [String], externalID: String?, smsOptedOutAt: Date? = nil, weChatOptedOutAt: Date? = nil, erasedAt: Date? = nil,
                createdAt: Date, updatedAt: Date, version: Int) {
        self.id = id
        self.name = name
        self.phones = phones
        self.wechatOpenID = wechatOpenID
        self.wechatUnionID = wechatUnionID
        self.email = email
        self.tags = tags
        self.externalID = externalID
        self.smsOptedOutAt = smsOptedOutAt
        self.weChatOptedOutAt = weChatOptedOutAt
        self.erasedAt = erasedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }
}

/// What a client may set on a customer. `normalised()` returns the input with phone numbers in
/// their stored form, or the problems found, each naming its field.
public struct CustomerInput: Sendable, Equatable {
    public var name: String?
    public var phones: [String]?
    public var wechatOpenID: FieldUpdate<String>
    public var wechatUnionID: FieldUpdate<String>
    public var email: FieldUpdate<String>
    public var tags: [String]?
    public var externalID: FieldUpdate<String>
    /// True records the customer's wish for no more SMS (or WeChat messages), false withdraws it.
    public var smsOptOut: Bool?
    public var weChatOptOut: Bool?

    public init(name: String? = nil, phones: [String]? = nil, wechatOpenID: FieldUpdate<String> = .keep,
                wechatUnionID: FieldUpdate<String> = .keep, email: FieldUpdate<String> = .keep, tags: [String]? = nil,
                externalID: FieldUpdate<String> = .keep, smsOptOut: Bool? = nil, weChatOptOut: Bool? = nil) {
        self.name = name
        self.phones = phones
        self.wechatOpenID = wechatOpenID
        self.wechatUnionID = wechatUnionID
        self.email = email
        self.tags = tags
        self.externalID = externalID
        self.smsOptOut = smsOptOut
        self.weChatOptOut = weChatOptOut
    }

    public func normalised(creating: Bool) -> Result<CustomerInput, ValidationError> {
        var errors: [FieldError] = []
        var out = self
        if let name {
            errors += TextRules.lengthErrors(name, field: "name", limit: 200)
            out.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        } else if creating {
            errors.append(FieldError(field: "name", message: "is required"))
        }
        if let phones {
            if phones.count > 5 { errors.append(FieldError(field: "phones", message: "may list at most 5 numbers")) }
            var normalisedPhones: [String] = []
            for (index, phone) in phones.enumerated() {
                if let number = PhoneNumber.normalise(phone) {
                    if !normalisedPhones.contains(number) { normalisedPhones.append(number) }
                } else {
                    errors.append(FieldError(field: "phones[\(index)]", message: PhoneNumber.problem))
                }
            }
            out.phones = normalisedPhones
        }
        for (field, update) in [("wechat_openid", wechatOpenID), ("wechat_unionid", wechatUnionID)] {
            if let value = update.newValue, !Self.isWeChatID(value) {
                errors.append(FieldError(field: field, message: "must be 1 to 64 letters, digits, - or _ as WeChat issued it"))
            }
        }
        if let email = email.newValue {
            let parts = email.split(separator: "@", omittingEmptySubsequences: false)
            if email.count > 254 || parts.count != 2 || parts[0].isEmpty || !parts[1].contains(".") || email.contains(where: \.isWhitespace) {
                errors.append(FieldError(field: "email", message: "must be an email address such as name@example.com"))
            }
        }
        if let tags {
            if tags.count > 20 { errors.append(FieldError(field: "tags", message: "may list at most 20 tags")) }
            for (index, tag) in tags.enumerated() {
                errors += TextRules.lengthErrors(tag, field: "tags[\(index)]", limit: 32)
            }
        }
        if let external = externalID.newValue, external.isEmpty || external.count > 100 {
            errors.append(FieldError(field: "external_id", message: "must be 1 to 100 characters"))
        }
        return errors.isEmpty ? .success(out) : .failure(ValidationError(errors))
    }

    static func isWeChatID(_ text: String) -> Bool {
        (1...64).contains(text.count) && text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") }
    }
}

/// Phone numbers as stored: mainland mobiles as their 11 digits, numbers abroad as `+` and 8–15
/// digits (E.164). Mainland landlines are not taken: customers are reached on mobiles.
public enum PhoneNumber {
    public static let problem = "must be a mainland mobile number (11 digits, optionally after +86) or an international number starting with +"

    public static func normalise(_ text: String) -> String? {
        if let mobile = try? MobileNumber(text) { return mobile.value }
        let compact = text.filter { !" -()（）".contains($0) }
        guard compact.hasPrefix("+"), !compact.hasPrefix("+86") else { return nil }
        let digits = compact.dropFirst()
        guard (8...15).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.first != "0" else { return nil }
        return compact
    }
}
