import Foundation

/// A repair chain: the unit of isolation. Everything else belongs to exactly one tenant.
public struct Tenant: Sendable, Equatable, Codable {
    public var id: UUID
    public var name: String
    /// IANA zone for the tenant's business calendar and reports (`Asia/Shanghai`).
    public var timezone: String
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int
    /// A report for a vehicle with an open order opened this recently joins it; 0 turns it off.
    public var duplicateWindowMinutes: Int
    /// How long after completion an order may be reopened for rework (返修).
    public var reopenWindowDays: Int
    /// Where staff open an order in the chain's own console, with `{id}` and `{number}` standing
    /// for the order's: the link in notifications. Nil: messages carry no link.
    public var orderLink: String?
    /// How long personal data is kept (PIPL), in days: engineers' GPS trails on orders, WeChat
    /// message rows, and notifications no longer pending.
    public var retention: Retention

    public struct Retention: Sendable, Equatable, Codable {
        public var trailDays: Int
        public var weChatMessageDays: Int
        public var notificationDays: Int
        /// Photos and videos of closed orders, counted from the upload.
        public var mediaDays: Int

        public static let defaults = Retention(trailDays: 30, weChatMessageDays: 180, notificationDays: 90, mediaDays: 365)

        public init(trailDays: Int, weChatMessageDays: Int, notificationDays: Int, mediaDays: Int) {
            self.mediaDays = mediaDays
            self.trailDays = trailDays
            self.weChatMessageDays = weChatMessageDays
            self.notificationDays = notificationDays
        }
    }

    public init(id: UUID, name: String, timezone: String, createdAt: Date, updatedAt: Date, version: Int,
                duplicateWindowMinutes: Int = 1440, reopenWindowDays: Int = 30, orderLink: String? = nil, retention: Retention = .defaults) {
        self.id = id
        self.name = name
        self.timezone = timezone
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
        self.duplicateWindowMinutes = duplicateWindowMinutes
        self.reopenWindowDays = reopenWindowDays
        self.orderLink = orderLink
        self.retention = retention
    }

    /// The link to one order, from `orderLink`.
    public func link(order id: UUID, number: String) -> String? {
        orderLink.map {
            $0.replacingOccurrences(of: "{id}", with: id.uuidString.lowercased())
                .replacingOccurrences(of: "{number}", with: number.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? number)
        }
    }

    public var reopenWindow: TimeInterval { TimeInterval(reopenWindowDays) * 86_400 }

    public static let defaultTimezone = "Asia/Shanghai"

    /// The tenant's zone; a zone the system no longer knows falls back to the default rather than
    /// failing every request (zones are checked when set).
    public var zone: TimeZone {
        TimeZone(identifier: timezone) ?? TimeZone(identifier: Self.defaultTimezone)!
    }

    /// Checks a tenant name and zone as a client would send them.
    public static func validate(name: String?, timezone: String?) -> [FieldError] {
        var errors: [FieldError] = []
        if let name {
            errors += TextRules.lengthErrors(name, field: "name", limit: 200)
        } else {
            errors.append(FieldError(field: "name", message: "is required"))
        }
        if let timezone, TimeZone(identifier: timezone) == nil {
            errors.append(FieldError(field: "timezone", message: "must be an IANA time zone such as Asia/Shanghai"))
        }
        return errors
    }
}

/// Changes an admin makes to the tenant; nil leaves a field as it is.
public struct TenantChanges: Sendable, Equatable {
    public var name: String?
    public var timezone: String?
    public var duplicateWindowMinutes: Int?
    public var reopenWindowDays: Int?
    public var orderLink: FieldUpdate<String>
    public var trailRetentionDays: Int?
    public var weChatMessageRetentionDays: Int?
    public var notificationRetentionDays: Int?
    public var mediaRetentionDays: Int?

    public init(name: String? = nil, timezone: String? = nil, duplicateWindowMinutes: Int? = nil, reopenWindowDays: Int? = nil,
                orderLink: FieldUpdate<String> = .keep, trailRetentionDays: Int? = nil, weChatMessageRetentionDays: Int? = nil,
                notificationRetentionDays: Int? = nil, mediaRetentionDays: Int? = nil) {
        self.mediaRetentionDays = mediaRetentionDays
        self.name = name
        self.timezone = timezone
        self.duplicateWindowMinutes = duplicateWindowMinutes
        self.reopenWindowDays = reopenWindowDays
        self.orderLink = orderLink
        self.trailRetentionDays = trailRetentionDays
        self.weChatMessageRetentionDays = weChatMessageRetentionDays
        self.notificationRetentionDays = notificationRetentionDays
    }

    public var errors: [FieldError] {
        var errors: [FieldError] = []
        if name == nil && timezone == nil && duplicateWindowMinutes == nil && reopenWindowDays == nil && orderLink.isKeep
            && trailRetentionDays == nil && weChatMessageRetentionDays == nil && notificationRetentionDays == nil && mediaRetentionDays == nil {
            errors.append(FieldError(field: "body", message: "changes nothing; send at least one field"))
        }
        errors += TextRules.lengthErrors(name, field: "name", limit: 200)
        if let timezone, TimeZone(identifier: timezone) == nil {
            errors.append(FieldError(field: "timezone", message: "must be an IANA time zone such as Asia/Shanghai"))
        }
        if let minutes = duplicateWindowMinutes, !(0...43_200).contains(minutes) {
            errors.append(FieldError(field: "duplicate_window_minutes", message: "must be 0 (off) to 43200 (30 days)"))
        }
        if let days = reopenWindowDays, !(0...365).contains(days) {
            errors.append(FieldError(field: "reopen_window_days", message: "must be 0 (no reopening) to 365"))
        }
        for (field, days, least) in [("trail_retention_days", trailRetentionDays, 1), ("wechat_message_retention_days", weChatMessageRetentionDays, 1),
                                     ("notification_retention_days", notificationRetentionDays, 7), ("media_retention_days", mediaRetentionDays, 30)] {
            if let days, !(least...3650).contains(days) {
                let why = least == 7 ? ": a delivery log younger than a week is still being looked at"
                    : least == 30 ? ": a customer may dispute a repair within the first month" : ""
                errors.append(FieldError(field: field, message: "must be \(least) to 3650 days" + why))
            }
        }
        if let link = orderLink.newValue, !Self.isOrderLink(link) {
            errors.append(FieldError(field: "order_link", message: "must be an http(s) URL of at most 500 characters with {id} or {number} "
                                          + "where the order goes, e.g. https://console.example.com/orders/{number}"))
        }
        return errors
    }

    static func isOrderLink(_ link: String) -> Bool {
        let example = link.replacingOccurrences(of: "{id}", with: "x").replacingOccurrences(of: "{number}", with: "x")
        return (link.hasPrefix("https://") || link.hasPrefix("http://")) && link.count <= 500 && example != link
            && URL(string: example)?.host != nil
    }
}
