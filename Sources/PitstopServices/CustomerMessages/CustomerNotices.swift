import Foundation
import PitstopCore
import PitstopStore

/// Tells the customer of a moment of their order, as the tenant's policy says, in the caller's
/// transaction (the message is written with the change it is about, and once per order and
/// moment). The first route that reaches the customer is used: an SMS channel needs a phone
/// they have not opted out of texts on, the official account their openid, while they follow it.
/// Quiet hours hold the message until they end.
struct CustomerNotices {
    let scope: TenantScope
    let tenant: Tenant
    let now: Date

    /// How long a signing link sent to the customer stays good.
    static let signingLinkLife: TimeInterval = 7 * 86_400

    /// `extraWork`: the proposal the moment is about (its total is in the message).
    func tell(_ moment: CustomerMoment, about order: WorkOrder, extraWork: ExtraWork? = nil) throws {
        guard let (stored, told) = try scope.customerMessages.policy(toldOf: moment, order: order.id, subject: extraWork?.id), !told,
              let routes = stored.policy.moments[moment], !routes.isEmpty else { return }
        let customer = try scope.customers.get(id: order.customerID)
        guard let (route, channel, recipient) = try firstReachable(routes, customer) else { return }
        let link: (path: String, secret: String)?
        switch moment.link {
        case .tracking:
            // Only links' hashes are kept: the secret is known when the order is opened, and a
            // later moment makes a link of its own (earlier ones keep working).
            let secret = try order.trackingSecret ?? scope.workOrders.newTrackingLink(id: order.id)
            let token = PublicToken(kind: .tracking, tenantID: scope.tenantID, secret: secret)
            link = ("/v1/public/track/\(token.text)", secret)
        case .signing:
            let secret = try scope.acceptances.createLink(id: order.id, validFor: Self.signingLinkLife, now: now).secret
            let token = PublicToken(kind: .acceptance, tenantID: scope.tenantID, secret: secret)
            link = ("/v1/public/accept/\(token.text)", secret)
        }
        let engineer = try order.assigneeID.map { try scope.engineers.get(id: $0).name }
        let formatter = DateFormatter()
        formatter.timeZone = tenant.zone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "MM-dd HH:mm"
        let notice = CustomerNotice(moment: moment, number: order.number, shop: try order.shopID.map { try scope.shops.get(id: $0).name },
                                    engineer: engineer.map(Engineer.addressedAs), linkPath: link?.path, linkSecret: link?.secret,
                                    time: formatter.string(from: now), orderStatus: order.status,
                                    amount: extraWork.map { Money.text(fen: $0.totalFen) }, template: route.template, variables: route.variables)
        let eventID = UUID()
        let event: JSONValue = .object(["id": .string(eventID.lowercasedText), "type": .string("work_order.customer_notified"),
                                        "work_order_id": .string(order.id.lowercasedText), "number": .string(order.number),
                                        "moment": .string(moment.rawValue)])
        // Rendered here with the path alone; the sender renders it again with the public address.
        let message = notice.message(publicBaseURL: "", mobiles: recipient.phone.map { [$0] } ?? [], userIDs: recipient.openID.map { [$0] },
                                     event: event)
        let holdUntil = stored.policy.quietHours?.nextAllowed(after: now, in: tenant.zone) ?? now
        try scope.customerMessages.enqueue(order: order.id, moment: moment, subject: extraWork?.id, channelID: channel.id, message: message, eventID: eventID,
                                           holdUntil: holdUntil, now: now)
    }

    /// Where the customer is reached on a channel: their phone, or their openid.
    struct Recipient {
        var phone: String?
        var openID: String?
    }

    /// The first route whose channel is on and reaches this customer, with their address there.
    private func firstReachable(_ routes: [CustomerMessagePolicy.Route], _ customer: Customer) throws
        -> (CustomerMessagePolicy.Route, NotificationChannel, Recipient)? {
        for route in routes {
            let channel: NotificationChannel
            do {
                channel = try scope.notifications.channel(id: route.channelID).channel
            } catch StoreError.notFound {
                continue
            }
            guard channel.active, channel.kind.reachesCustomers else { continue }
            if channel.kind == .wechatMP {
                if customer.weChatOptedOutAt == nil, let openID = customer.wechatOpenID { return (route, channel, Recipient(openID: openID)) }
            } else if customer.smsOptedOutAt == nil, let phone = customer.phones.first {
                return (route, channel, Recipient(phone: phone))
            }
        }
        return nil
    }
}
