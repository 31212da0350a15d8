import Foundation
import PitstopCore
import PitstopStore

/// Opening a work order, for every channel: a desk's or integration's `POST /v1/work-orders`, a
/// CRM ticket upserted by its id, a customer's report through an intake link, and a WeChat
/// follower's message. Everything is checked before the first write, so a refused report leaves
/// no customer or vehicle behind; then the customer and vehicle are found or created, the
/// source's duplicate rule (`IntakeSource.duplicateRule`) decides between joining an earlier
/// order and opening one, the order is opened through the lifecycle, and last its dispatch
/// policy's mode runs (`Dispatcher.dispatchNew`) unless the caller or the source says not to.
public struct WorkOrderIntake {
    let scope: TenantScope
    let tenant: Tenant
    /// The key reporting, or the customer reporting themselves.
    let party: ActingParty
    let now: Date

    public init(scope: TenantScope, tenant: Tenant, by party: ActingParty, now: Date = Date()) {
        self.scope = scope
        self.tenant = tenant
        self.party = party
        self.now = now
    }

    public func open(_ report: IntakeReport) throws -> IntakeOutcome {
        let checked = try check(report)
        try scope.lockIdentities(Self.identities(checked))
        let customer: RecordMatching.Customer = switch checked.customer {
        case .id(let id): .existing(id)
        case .described(let input): try RecordMatching.customer(input, in: scope)
        }
        var remarks = report.remarks
        let vehicle = try settleVehicle(checked.vehicle, of: customer, source: report.source, remarks: &remarks)
        if let earlier = try earlierOrder(report.source.duplicateRule, customer: customer.existingID, vehicle: vehicle) {
            return .joined(try join(earlier, report))
        }
        // Every check has passed: from here on, only writes.
        let customerID = try customer.existingID ?? RecordMatching.prefixed("customer") {
            guard case .new(let input) = customer else { preconditionFailure("an existing customer has an id") }
            return try scope.customers.create(input).id
        }
        let vehicleID: UUID? = switch vehicle {
        case .existing(let found)?: found.id
        case .new(var input)?:
            try RecordMatching.prefixed("vehicle") {
                input.customerID = customerID
                return try scope.vehicles.create(input).id
            }
        case nil: nil
        }
        let new = NewWorkOrder(channel: report.channel, typeID: report.typeID, priority: report.priority, customerID: customerID,
                               vehicleID: vehicleID, shopID: report.shopID, description: report.description, symptoms: report.symptoms,
                               site: report.site, customFields: report.customFields, dueAt: report.dueAt, externalID: report.externalID)
        let note = remarks.isEmpty ? nil : remarks.joined(separator: "; ")
        let opened = try OrderLifecycle(scope: scope, tenant: tenant, by: party, now: now).open(new, note: note)
        // Last, the policy's dispatch mode; the tracking link is known only on the order just opened.
        guard report.dispatch ?? report.source.dispatchesUnlessTold else { return .opened(opened) }
        var dispatched = try Dispatcher(scope: scope, tenant: tenant, now: now).dispatchNew(opened)
        dispatched.trackingSecret = opened.trackingSecret
        return .opened(dispatched)
    }

    /// The report's inline records, normalised; every problem of the report at once.
    private struct Checked {
        var customer: IntakeReport.Reference<CustomerInput>
        var vehicle: IntakeReport.Reference<VehicleInput>?
    }

    private func check(_ report: IntakeReport) throws -> Checked {
        var errors: [FieldError] = []
        if !report.source.channels.contains(report.channel) {
            errors.append(FieldError(field: "channel", message: report.source.channelRule))
        }
        let type: WorkOrderType
        do {
            type = try scope.workOrderTypes.get(id: report.typeID)
        } catch StoreError.notFound {
            throw ValidationError(field: "type_id", "does not name a work-order type of this tenant")
        }
        guard type.active else { throw report.source.retiredType }
        var checked = Checked(customer: report.customer, vehicle: report.vehicle)
        if case .described(let input) = report.customer {
            switch input.normalised(creating: true) {
            case .success(let normalised): checked.customer = .described(normalised)
            case .failure(let error): errors += RecordMatching.prefixed("customer", error.errors)
            }
        }
        if case .described(var input)? = report.vehicle {
            // The owner is settled once the customer is; normalising only needs there to be one.
            input.customerID = Self.ownerToBe
            switch input.normalised(creating: true, now: now) {
            case .success(let normalised): checked.vehicle = .described(normalised)
            case .failure(let error): errors += RecordMatching.prefixed("vehicle", error.errors)
            }
        }
        let details = NewWorkOrder(channel: report.channel, typeID: type.id, priority: report.priority, customerID: Self.ownerToBe,
                                   vehicleID: nil, shopID: report.shopID, description: report.description, symptoms: report.symptoms,
                                   site: report.site, customFields: report.customFields, dueAt: report.dueAt, externalID: report.externalID)
        errors += details.errors(template: type.template)
        guard errors.isEmpty else { throw ValidationError(errors) }
        return checked
    }

    /// Who and what the report names, for `lockIdentities`: the customer by id or by each of
    /// their phones, openid and CRM id (the key `lockExternalID("customer", …)` takes, so an upsert
    /// of that customer waits too); the car by id, plate or VIN.
    private static func identities(_ checked: Checked) -> [String] {
        var names: [String] = []
        switch checked.customer {
        case .id(let id): names.append("customer-id\u{1F}" + id.lowercasedText)
        case .described(let input):
            names += (input.phones ?? []).map { "phone\u{1F}" + $0 }
            names += [input.wechatOpenID.newValue.map { "openid\u{1F}" + $0 }, input.externalID.newValue.map { "customer\u{1F}" + $0 }]
                .compactMap { $0 }
        }
        switch checked.vehicle {
        case .id(let id)?: names.append("vehicle-id\u{1F}" + id.lowercasedText)
        case .described(let input)?:
            names += [input.plate.newValue.map { "plate\u{1F}" + $0 }, input.vin.newValue.map { "vin\u{1F}" + $0 }].compactMap { $0 }
        case nil: break
        }
        return names
    }

    private static let ownerToBe = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// The vehicle the order will name, found or to be created; nil for none.
    private func settleVehicle(_ reference: IntakeReport.Reference<VehicleInput>?, of customer: RecordMatching.Customer,
                               source: IntakeSource, remarks: inout [String]) throws -> RecordMatching.Vehicle? {
        switch reference {
        case nil:
            return nil
        case .id(let id):
            let vehicle: Vehicle
            do {
                vehicle = try scope.vehicles.get(id: id)
            } catch StoreError.notFound {
                throw ValidationError(field: "vehicle_id", "does not name a record of this tenant")
            }
            guard vehicle.customerID == customer.existingID else { throw ValidationError(field: "vehicle_id", "belongs to another customer") }
            return .existing(vehicle)
        case .described(let input):
            let match = try RecordMatching.vehicle(input, in: scope)
            guard case .existing(let found) = match, found.customerID != customer.existingID else { return match }
            switch source.anotherCustomersVehicle {
            case .refuse:
                throw ValidationError(field: "vehicle", "is registered to another customer; send vehicle_id to use it as it is")
            case .leaveOffWithRemark:
                let named = [input.plate.newValue, input.vin.newValue].compactMap { $0 }.joined(separator: ", ")
                remarks.append("the reported vehicle (\(named)) is registered to another customer, so it was not attached")
                return nil
            }
        }
    }

    /// The open order `rule` says the report joins, if there is one.
    private func earlierOrder(_ rule: DuplicateRule, customer: UUID?, vehicle: RecordMatching.Vehicle?) throws -> WorkOrder? {
        switch rule {
        case .none:
            return nil
        case .vehicleOpenWithinWindow(let sameCustomerOnly):
            guard case .existing(let found)? = vehicle, tenant.duplicateWindowMinutes > 0 else { return nil }
            let since = now.addingTimeInterval(-TimeInterval(tenant.duplicateWindowMinutes) * 60)
            guard let open = try scope.workOrders.openOrder(forVehicle: found.id, since: since) else { return nil }
            return !sameCustomerOnly || open.customerID == customer ? open : nil
        case .customersOpenOrder:
            return try customer.flatMap { try scope.workOrders.openOrder(forCustomer: $0) }
        }
    }

    /// Adds the report to `order`'s timeline: a chat's next line as the customer's message, any
    /// other repeat report as a linked report.
    private func join(_ order: WorkOrder, _ report: IntakeReport) throws -> WorkOrder {
        switch report.source.duplicateRule {
        case .customersOpenOrder:
            let joined = try scope.workOrders.addCustomerMessage(to: order.id, channel: report.channel, text: report.description, now: now)
            try OrderLifecycle(scope: scope, tenant: tenant, by: party, now: now).customerWrote(joined, report.description)
            return joined
        default:
            return try scope.workOrders.linkReport(to: order.id, channel: report.channel, description: report.description, actor: party.keyID, now: now)
        }
    }
}
