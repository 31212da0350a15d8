import Foundation

/// One site of a repair chain.
public struct Shop: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var address: String
    public var location: GeoPoint?
    /// IANA zone for this site's opening hours and SLA calendar.
    public var timezone: String
    public var phone: String?
    public var openingHours: OpeningHours
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int

    public init(id: UUID, name: String, address: String, location: GeoPoint?, timezone: String, phone: String?,
                openingHours: OpeningHours, createdAt: Date, updatedAt: Date, version: Int) {
        self.id = id
        self.name = name
        self.address = address
        self.location = location
        self.timezone = timezone
        self.phone = phone
        self.openingHours = openingHours
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }
}

/// Opening hours by weekday (`mon` … `sun`), each a list of `["08:30", "18:00"]` intervals in the
/// shop's own time zone. A day that is absent is closed.
public struct OpeningHours: Sendable, Equatable, Codable {
    public var days: [String: [[String]]]

    public init(_ days: [String: [[String]]] = [:]) {
        self.days = days
    }

    public init(from decoder: Decoder) throws {
        days = try decoder.singleValueContainer().decode([String: [[String]]].self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(days)
    }

    public static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    public func errors(field: String) -> [FieldError] {
        var errors: [FieldError] = []
        for day in days.keys.sorted() {
            guard Self.weekdays.contains(day) else {
                errors.append(FieldError(field: "\(field).\(day)", message: "is not a weekday; use mon, tue, wed, thu, fri, sat, sun"))
                continue
            }
            var previousEnd = -1
            for (index, interval) in days[day]!.enumerated() {
                let name = "\(field).\(day)[\(index)]"
                guard interval.count == 2, let open = Self.minutes(interval[0]), let close = Self.minutes(interval[1]) else {
                    errors.append(FieldError(field: name, message: "must be [\"HH:MM\", \"HH:MM\"]"))
                    continue
                }
                if open >= close {
                    errors.append(FieldError(field: name, message: "must open before it closes"))
                } else if open < previousEnd {
                    errors.append(FieldError(field: name, message: "overlaps or precedes the interval before it"))
                }
                previousEnd = close
            }
        }
        return errors
    }

    /// Minutes since midnight for `HH:MM`; `24:00` is allowed as a closing time.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]),
              (0...59).contains(minutes), (0...23).contains(hours) || (hours == 24 && minutes == 0) else { return nil }
        return hours * 60 + minutes
    }
}

/// What a client may set on a shop, checked before anything is written.
public struct ShopInput: Sendable, Equatable {
    public var name: String?
    public var address: String?
    public var location: FieldUpdate<GeoPoint>
    public var timezone: String?
    public var phone: FieldUpdate<String>
    public var openingHours: OpeningHours?

    public init(name: String? = nil, address: String? = nil, location: FieldUpdate<GeoPoint> = .keep, timezone: String? = nil,
                phone: FieldUpdate<String> = .keep, openingHours: OpeningHours? = nil) {
        self.name = name
        self.address = address
        self.location = location
        self.timezone = timezone
        self.phone = phone
        self.openingHours = openingHours
    }

    /// `creating` requires a name; an update may send any subset.
    public func errors(creating: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        if let name {
            errors += TextRules.lengthErrors(name, field: "name", limit: 200)
        } else if creating {
            errors.append(FieldError(field: "name", message: "is required"))
        }
        if let address, address.count > 500 { errors.append(FieldError(field: "address", message: "must be at most 500 characters")) }
        if case .set(let point) = location { errors += point.errors(field: "location") }
        if let timezone, TimeZone(identifier: timezone) == nil {
            errors.append(FieldError(field: "timezone", message: "must be an IANA time zone such as Asia/Shanghai"))
        }
        if case .set(let phone) = phone {
            let allowed = phone.allSatisfy { $0.isASCII && ($0.isNumber || " +-()".contains($0)) }
            if phone.isEmpty || phone.count > 32 || !allowed {
                errors.append(FieldError(field: "phone", message: "must be up to 32 digits, spaces, +, - or brackets"))
            }
        }
        if let openingHours { errors += openingHours.errors(field: "opening_hours") }
        return errors
    }
}

/// A field of a partial update: left as it is, set, or cleared (JSON null).
public enum FieldUpdate<Value: Sendable & Equatable>: Sendable, Equatable {
    case keep
    case set(Value)
    case clear

    public var isKeep: Bool { self == .keep }

    /// The new value for `.set`, nil otherwise.
    public var newValue: Value? {
        if case .set(let value) = self { return value }
        return nil
    }

    /// The value after this update over `current`.
    public func applied(to current: Value?) -> Value? {
        switch self {
        case .keep: current
        case .set(let value): value
        case .clear: nil
        }
    }

    /// The same update with a set value transformed.
    public func map<Other>(_ transform: (Value) -> Other) -> FieldUpdate<Other> {
        switch self {
        case .keep: .keep
        case .set(let value): .set(transform(value))
        case .clear: .clear
        }
    }
}
