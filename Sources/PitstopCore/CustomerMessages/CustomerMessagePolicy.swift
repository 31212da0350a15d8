import Foundation

/// A tenant's rules for messages to customers: for each moment, the routes to try in order (the
/// first that reaches the customer, who has not opted out of it, is used) and the quiet hours
/// in which nothing is sent (what falls due then waits for their end). A moment with no routes
/// is not told; a tenant without a policy tells its customers nothing.
public struct CustomerMessagePolicy: Sendable, Equatable, Codable {
    public var moments: [CustomerMoment: [Route]]
    public var quietHours: QuietHours?

    public init(moments: [CustomerMoment: [Route]] = [:], quietHours: QuietHours? = nil) {
        self.moments = moments
        self.quietHours = quietHours
    }

    /// Stored names, fixed apart from the Swift ones: kept policies must read back after a rename.
    enum CodingKeys: String, CodingKey {
        case moments
        case quietHours = "quiet_hours"
    }

    /// One way to tell the customer: a channel, and for a templated SMS the provider's template
    /// and which of `CustomerNotice.variables` fills each of its fields.
    public struct Route: Sendable, Equatable, Codable {
        public var channelID: UUID
        /// Aliyun's TemplateCode (SMS_…); nil to use the channel's own.
        public var template: String?
        /// Template field → Pitstop variable; nil sends every variable under its own name.
        public var variables: [String: String]?

        public init(channelID: UUID, template: String? = nil, variables: [String: String]? = nil) {
            self.channelID = channelID
            self.template = template
            self.variables = variables
        }

        enum CodingKeys: String, CodingKey {
            case channelID = "channel_id"
            case template
            case variables
        }
    }

    /// A daily window in the tenant's zone, such as 21:00–08:00 (it may span midnight).
    public struct QuietHours: Sendable, Equatable, Codable {
        /// Minutes after midnight.
        public var start: Int
        public var end: Int

        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }

        /// "HH:mm" as minutes after midnight, nil for anything else.
        public static func minutes(_ text: String) -> Int? {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hours = Int(parts[0]), let minutes = Int(parts[1]),
                  (0..<24).contains(hours), (0..<60).contains(minutes) else { return nil }
            return hours * 60 + minutes
        }

        public static func text(_ minutes: Int) -> String {
            String(format: "%02d:%02d", minutes / 60, minutes % 60)
        }

        /// The first moment at or after `date` outside the window, in `zone`: `date` itself, or
        /// the window's end.
        public func nextAllowed(after date: Date, in zone: TimeZone) -> Date {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let parts = calendar.dateComponents([.hour, .minute], from: date)
            let now = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
            let inside = start < end ? (start <= now && now < end) : (now >= start || now < end)
            guard inside else { return date }
            let wait = (end - now + 24 * 60) % (24 * 60)
            let minuteStart = (date.timeIntervalSince1970 / 60).rounded(.down) * 60
            return Date(timeIntervalSince1970: minuteStart + TimeInterval(wait * 60))
        }
    }

    /// The rules each route and window must meet that need no lookup; `kinds` gives each named
    /// channel's kind (nil for an unknown one).
    public func errors(kinds: [UUID: NotificationChannel.Kind]) -> [FieldError] {
        var errors: [FieldError] = []
        if let quietHours, quietHours.start == quietHours.end {
            errors.append(FieldError(field: "quiet_hours.end", message: "must differ from start; leave quiet_hours out for none"))
        }
        for (moment, routes) in moments.sorted(by: { $0.key < $1.key }) {
            if routes.count > 5 { errors.append(FieldError(field: "moments.\(moment.rawValue)", message: "may list at most 5 routes")) }
            for (index, route) in routes.enumerated() {
                let field = "moments.\(moment.rawValue)[\(index)]"
                guard let kind = kinds[route.channelID] else {
                    errors.append(FieldError(field: "\(field).channel_id", message: "does not name a notification channel of this tenant"))
                    continue
                }
                guard kind.reachesCustomers else {
                    errors.append(FieldError(field: "\(field).channel_id", message: "must be an aliyun_sms, tencent_sms, http_sms or wechat_mp channel; \(kind.rawValue) channels do not reach customers"))
                    continue
                }
                if let template = route.template, !(kind.takesTemplates || kind.routeNeedsTemplate) || !(1...100).contains(template.count) {
                    errors.append(FieldError(field: "\(field).template", message: kind.takesTemplates || kind.routeNeedsTemplate
                                                 ? "must be 1 to 100 characters" : "applies to channels with templates only"))
                } else if route.template == nil && kind.routeNeedsTemplate {
                    errors.append(FieldError(field: "\(field).template", message: "is required: the template_id of the moment's template message"))
                }
                if kind == .tencentSMS, let keys = route.variables?.keys,
                   Set(keys) != Set((0..<keys.count).map { String($0 + 1) }) {
                    errors.append(FieldError(field: "\(field).variables", message: "Tencent templates number their fields: name them 1, 2, 3 … in the template's order"))
                }
                for (key, variable) in (route.variables ?? [:]).sorted(by: { $0.key < $1.key }) {
                    if !(1...40).contains(key.count) || !key.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") }) {
                        errors.append(FieldError(field: "\(field).variables", message: "field names must be 1 to 40 letters, digits or _"))
                    }
                    if kind.takesTemplates && variable == "link" {
                        errors.append(FieldError(field: "\(field).variables.\(key)", message: "cannot be link: SMS providers refuse links in template variables (and Aliyun caps each at 35 characters); put link_prefixes' text in the template and map link_secret"))
                    } else if !CustomerNotice.variables.contains(variable) {
                        errors.append(FieldError(field: "\(field).variables.\(key)", message: "must be one of \(CustomerNotice.variables.joined(separator: ", "))"))
                    }
                }
            }
        }
        return errors
    }
}

extension NotificationChannel.Kind {
    /// Channels that can reach one customer: SMS, by the customer's phone.
    public var reachesCustomers: Bool { self == .aliyunSMS || self == .tencentSMS || self == .httpSMS || self == .wechatMP }

    /// SMS providers whose approved templates take variables, and refuse links in them.
    var takesTemplates: Bool { self == .aliyunSMS || self == .tencentSMS }

    /// Whether a route through it names a template of its own.
    var routeNeedsTemplate: Bool { self == .wechatMP }
}
