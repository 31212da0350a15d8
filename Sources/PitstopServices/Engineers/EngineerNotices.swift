import Foundation
import PitstopCore
import PitstopStore

/// Tells one engineer of their work on the channel the tenant set for them, in the caller's
/// transaction: the delivery is written with the change it is about (nothing is told of a change
/// that rolled back), and the worker's sender makes it. An engineer without a channel, or whose
/// channel is switched off or lacks their address, is told nothing: the app's sync still shows
/// the work, and an offer's time to answer then runs from the moment it was made.
struct EngineerNotices {
    let scope: TenantScope
    let tenant: Tenant
    let now: Date

    /// Queues `notice` about `order` for `engineerID`; `offer` when it tells them of one, whose
    /// time to answer then starts when the provider accepts the message. Returns whether a
    /// message was queued.
    @discardableResult
    func tell(_ engineerID: UUID, _ notice: EngineerNotice, about order: WorkOrder, offer: DispatchOffer? = nil) throws -> Bool {
        try tell(try scope.engineers.get(id: engineerID), notice, about: order, offer: offer)
    }

    /// As above, for an engineer the caller has read already.
    @discardableResult
    func tell(_ engineer: Engineer, _ notice: EngineerNotice, about order: WorkOrder, offer: DispatchOffer? = nil) throws -> Bool {
        let engineerID = engineer.id
        guard let channelID = engineer.messaging.channelID else { return false }
        let channel = try scope.notifications.channel(id: channelID).channel
        guard channel.active, engineer.active,
              let recipient = EngineerNotice.recipient(on: channel.kind, phone: engineer.phone, messaging: engineer.messaging) else { return false }
        let topic: EventType = switch notice {
        case .offered, .assigned, .cancelled: .workOrderStatusChanged
        case .transferredIn, .transferredAway: .workOrderTransferred
        case .customerMessage: .workOrderCustomerMessage
        case .extraWorkAnswered: .workOrderExtraWorkAnswered
        }
        let eventID = UUID()
        var event: [String: JSONValue] = ["id": .string(eventID.lowercasedText), "type": .string(topic.rawValue),
                                          "work_order_id": .string(order.id.lowercasedText), "number": .string(order.number),
                                          "engineer_id": .string(engineerID.lowercasedText)]
        if let offer { event["offer_id"] = .string(offer.id.lowercasedText) }
        let message = notice.message(about: try subject(order), to: recipient, at: now, timeZone: tenant.zone, event: .object(event))
        try scope.notifications.enqueue(eventID: eventID, topic: topic, channelID: channel.id, message: message, now: now,
                                        engineerID: engineerID, offerID: offer?.id)
        // An offer's time runs from the message: it should not wait for the sender's next look.
        try scope.notifications.wakeWorkers()
        return true
    }

    private func subject(_ order: WorkOrder) throws -> EngineerNotice.Subject {
        let customer = try scope.customers.get(id: order.customerID)
        let plate = try order.vehicleID.flatMap { try scope.vehicles.get(id: $0).plate }
        let place = try order.site?.address ?? order.shopID.map { try scope.shops.get(id: $0).name }
        return EngineerNotice.Subject(number: order.number, customer: customer.name, plate: plate, place: place)
    }
}
