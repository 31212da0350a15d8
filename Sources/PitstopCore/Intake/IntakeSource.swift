/// Where a report comes from, as far as the rules of opening an order differ: who is trusted to
/// name records, and which earlier order a repeat report joins instead of opening a duplicate.
public enum IntakeSource: String, CaseIterable, Sendable {
    /// A desk or an integration with a key (`POST /v1/work-orders`): phone, app or API.
    case desk
    /// As `desk`, with the ticket's id in the chain's CRM: always an order of its own.
    case ticket
    /// A desk that insists on a new order although the vehicle has an open one.
    case deskInsisting
    /// A customer through an intake link (web form or QR code), without a key.
    case publicLink
    /// A follower's message to the chain's WeChat official account.
    case wechat

    /// The earlier order a report from this source joins, if any. One table for every channel:
    /// - A desk's report about a vehicle whose order is open and was opened within the tenant's
    ///   duplicate window joins that order (the second call about one breakdown).
    /// - A public report joins the same way, but only the reporter's own order: a stranger's
    ///   report must not land on, or reveal, another customer's job.
    /// - A WeChat message joins the follower's open order whenever it was opened: a chat is one
    ///   conversation, and its next lines are about the job already reported.
    /// - A CRM ticket and an insisting desk always open an order of their own.
    public var duplicateRule: DuplicateRule {
        switch self {
        case .desk: .vehicleOpenWithinWindow(sameCustomerOnly: false)
        case .publicLink: .vehicleOpenWithinWindow(sameCustomerOnly: true)
        case .wechat: .customersOpenOrder
        case .ticket, .deskInsisting: .none
        }
    }

    /// The channels an order from this source may name.
    public var channels: Set<WorkOrder.Channel> {
        switch self {
        case .desk, .ticket, .deskInsisting: [.phone, .app, .api]
        case .publicLink: [.web, .qr]
        case .wechat: [.wechat]
        }
    }

    /// Why a channel outside `channels` is refused.
    public var channelRule: String {
        switch self {
        case .desk, .ticket, .deskInsisting: "must be phone, app or api here; web, QR and WeChat orders come through their own intake"
        case .publicLink: "must be web or qr: the link's own channel"
        case .wechat: "must be wechat"
        }
    }

    /// Whether the dispatch policy's mode runs on a new order when the caller does not say
    /// (`"dispatch"` in the body). A CRM ticket is a copy of an order another system may already
    /// have given to someone, so it is dispatched only when the caller asks; a report from any
    /// other source is new work nobody has seen.
    public var dispatchesUnlessTold: Bool {
        switch self {
        case .ticket: false
        case .desk, .deskInsisting, .publicLink, .wechat: true
        }
    }

    /// What happens when the vehicle described belongs to another customer.
    /// Staff are told (they can name the vehicle by id); a customer is not, since that would
    /// tell a stranger whose car it is: the order opens without it and staff see a remark.
    public var anotherCustomersVehicle: AnotherCustomersVehicle {
        switch self {
        case .desk, .ticket, .deskInsisting: .refuse
        case .publicLink, .wechat: .leaveOffWithRemark
        }
    }
}

/// Which earlier order takes a repeat report instead of a new one.
public enum DuplicateRule: Equatable, Sendable {
    /// Every report opens an order.
    case none
    /// The vehicle's newest open order opened within the tenant's duplicate window.
    case vehicleOpenWithinWindow(sameCustomerOnly: Bool)
    /// The customer's newest open order, however old.
    case customersOpenOrder
}

public enum AnotherCustomersVehicle: Equatable, Sendable {
    case refuse
    case leaveOffWithRemark
}
