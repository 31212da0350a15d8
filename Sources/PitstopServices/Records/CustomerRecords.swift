import Foundation
import PitstopCore
import PitstopStore

/// Adding and changing customers, by our id or by the CRM's (`external_id`): the record's rules
/// (`CustomerInput.normalised`) checked before anything is written.
public struct CustomerRecords {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    public func create(_ input: CustomerInput) throws -> Customer {
        try scope.customers.create(try input.normalised(creating: true).get())
    }

    public func update(_ id: UUID, expectedVersion: Int, _ input: CustomerInput) throws -> Customer {
        try scope.customers.update(id: id, expectedVersion: expectedVersion, try input.normalised(creating: false).get())
    }

    /// The CRM's customer `externalID`, created or changed (`ExternalIDs.upsert`).
    public func upsert(_ input: CustomerInput, externalID: String, ifMatch: Int?) throws -> (Customer, created: Bool) {
        try ExternalIDs.same(input.externalID.newValue, externalID)
        var changes = input, new = input
        changes.externalID = .keep
        new.externalID = .set(externalID)
        return try ExternalIDs.upsert("customer", externalID: externalID, ifMatch: ifMatch, in: scope,
                                      find: { try scope.customers.find(externalID: externalID).map { ($0.id, $0.version) } },
                                      update: { try update($0, expectedVersion: $1, changes) }, create: { try create(new) })
    }

    /// Forgets the customer (their erasure request under PIPL), in one transaction: their record
    /// emptied, their vehicles' plates and VINs, their words on their orders (descriptions,
    /// messages, addresses, signer names, comments) removed, and every mention of who they are
    /// (name, phones, WeChat ids, e-mail, CRM id, plates) replaced with *** in the timelines,
    /// stored events, messages and delivery logs, their WeChat message rows and the stored
    /// answers that carried them deleted. Orders, statuses, times and counts stay for the reports.
    public func erase(_ id: UUID) throws -> Customer {
        // Erased already: nothing is left to find, and the placeholders are no secrets to scrub.
        let current = try scope.customers.get(id: id)
        if current.erasedAt != nil { return current }
        let before = try scope.customers.erase(id: id)
        let vehicles = try scope.vehicles.forgetOwner(id)
        let (orders, orderTexts) = try scope.workOrders.customerTexts(id)
        let texts = orderTexts + (try scope.acceptances.customerTexts(orders: orders))
        // A one-character name ("王") would scrub that character from every text of the tenant.
        let name = before.name.count >= 2 ? [before.name] : []
        let identifiers = name + before.phones + [before.wechatOpenID, before.wechatUnionID, before.email, before.externalID].compactMap { $0 }
            + vehicles
        let secrets = ErasureSecrets(identifiers: identifiers, texts: texts, subjects: [id] + orders)
        try scope.workOrders.forgetCustomer(id, secrets)
        try scope.acceptances.forget(orders: orders)
        if let openID = before.wechatOpenID { try scope.weChat.forget(openID: openID) }
        try scope.events.scrub(secrets)
        try scope.notifications.scrub(secrets)
        try scope.idempotencyKeys.forget(secrets)
        return try scope.customers.get(id: id)
    }

    /// Everything held about the customer, for their own access request: the record, their
    /// vehicles, and each of their orders with its timeline (the messages sent to them among it),
    /// the extra work put to them with their answers, signature and rating.
    public struct Export: Sendable {
        public var customer: Customer
        public var vehicles: [Vehicle]
        public var orders: [Order]

        public struct Order: Sendable {
            public var order: WorkOrder
            public var timeline: [WorkOrderRepository.Event]
            public var messages: [CustomerMessageRepository.Sent]
            /// The extra work put to them, and their answers.
            public var extraWork: [ExtraWork]
            public var signedBy: String?
            public var rating: (score: Int, comment: String?)?
        }
    }

    /// Rows read at a time: a fleet customer's thousands of orders are all exported, a page at a time.
    static let exportPage = 500

    public func export(_ id: UUID) throws -> Export {
        let customer = try scope.customers.get(id: id)
        let vehicles = try Self.everyPage { try scope.vehicles.list(.init(customerID: id), limit: Self.exportPage, after: $0) }
            cursor: { PageCursor(createdAt: $0.createdAt, id: $0.id) }
        var filter = WorkOrderRepository.Filter()
        filter.customerID = id
        let orders = try Self.everyPage { try scope.workOrders.list(filter, limit: Self.exportPage, after: $0) }
            cursor: { PageCursor(createdAt: $0.createdAt, id: $0.id) }.map { order in
            Export.Order(order: order, timeline: try scope.workOrders.timeline(id: order.id), messages: try scope.customerMessages.sent(order: order.id),
                         extraWork: try scope.extraWork.list(workOrder: order.id),
                         signedBy: try scope.acceptances.acceptance(id: order.id)?.signerName, rating: try scope.acceptances.rating(id: order.id))
        }
        return Export(customer: customer, vehicles: vehicles, orders: orders)
    }

    /// Every row `page` lists, following its cursor until a page comes back short.
    private static func everyPage<Row>(_ page: (PageCursor?) throws -> [Row], cursor: (Row) -> PageCursor) throws -> [Row] {
        var rows: [Row] = []
        var after: PageCursor?
        while true {
            let next = try page(after)
            rows += next
            guard next.count == exportPage, let last = next.last else { return rows }
            after = cursor(last)
        }
    }
}

