import Foundation
import PitstopCore
import PitstopStore

extension WorkOrderIntake {
    /// A customer's report through an intake link (web form or QR code). Every problem is named
    /// in one refusal: the job's custom fields are judged with the contact details, not after them.
    public func open(_ sent: PublicReport, through link: IntakeLink) throws -> IntakeOutcome {
        let report: PublicReport
        switch sent.normalised() {
        case .success(let normalised): report = normalised
        case .failure(let invalid):
            let template = try scope.workOrderTypes.get(id: link.typeID).template
            throw ValidationError(invalid.errors + template.errors(in: sent.customFields, mode: .create))
        }
        var remarks: [String] = []
        let customer: IntakeReport.Reference<CustomerInput>
        var vehicle: IntakeReport.Reference<VehicleInput>?
        if let fixed = link.vehicleID {
            // A sticker in one car: the report is about that car, and its owner is the customer.
            let owner = try scope.vehicles.get(id: fixed).customerID
            customer = .id(owner)
            vehicle = .id(fixed)
            if !(try scope.customers.get(id: owner).phones.contains(report.phone)) {
                remarks.append("reported by \(report.name) (\(report.phone)), not a number of the vehicle's owner")
            }
        } else {
            customer = .described(CustomerInput(name: report.name, phones: [report.phone]))
            if report.plate != nil || report.vin != nil {
                vehicle = .described(VehicleInput(vin: report.vin.map { .set($0) } ?? .keep, plate: report.plate.map { .set($0) } ?? .keep))
            }
        }
        return try open(IntakeReport(source: .publicLink, channel: link.channel, typeID: link.typeID, customer: customer, vehicle: vehicle,
                                     shopID: link.shopID, description: report.description, symptoms: report.symptoms, site: report.site,
                                     customFields: report.customFields, remarks: remarks))
    }

    /// The newest open order of the customer known by this WeChat openid: where their pictures,
    /// places and "my order" menu clicks go.
    public func followersOpenOrder(_ openID: String) throws -> WorkOrder? {
        guard let customer = try scope.customers.list(.init(wechatOpenID: openID), limit: 1, after: nil).first else { return nil }
        return try scope.workOrders.openOrder(forCustomer: customer.id)
    }

    /// A follower shared where the car is: their open order's site, when they have one. Returns
    /// the order as it now stands, or nil when they have no open order (nothing is written).
    public func locate(weChatSite site: WorkOrder.Site, from openID: String) throws -> WorkOrder? {
        guard let open = try followersOpenOrder(openID) else { return nil }
        return try OrderLifecycle(scope: scope, tenant: tenant, by: party, now: now).edit(open.id, expectedVersion: open.version,
                                                                                           WorkOrderChanges(site: .set(site)))
    }

    /// A follower's picture, added to their open order's photos; nil when they have none open.
    public func attach(weChatPhoto type: MediaType, sizeBytes: Int, sha256: String, from openID: String) throws -> (WorkOrder, Media)? {
        guard let open = try followersOpenOrder(openID) else { return nil }
        return (open, try scope.media.add(workOrder: open.id, type: type, sizeBytes: sizeBytes, sha256: sha256, engineer: nil, actor: nil, now: now))
    }

    /// A WeChat follower's text message to the chain's official account. The follower becomes a
    /// customer known by their openid the first time.
    public func open(weChatText text: String, from openID: String, to account: WeChatAccount) throws -> IntakeOutcome {
        let customer = CustomerInput(name: "微信用户 \(openID.suffix(6))", wechatOpenID: .set(openID))
        // A plate written in the message names the vehicle: found by plate, or created for the follower.
        let vehicle = LicensePlate.find(in: text).map { IntakeReport.Reference<VehicleInput>.described(VehicleInput(plate: .set($0.value))) }
        return try open(IntakeReport(source: .wechat, channel: .wechat, typeID: account.typeID, customer: .described(customer),
                                     vehicle: vehicle, shopID: account.shopID, description: String(text.prefix(5000))))
    }
}
