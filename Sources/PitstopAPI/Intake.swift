import Foundation
import HTTPServer
import PitstopCore
import PitstopStore

/// How an intake finds the customer and vehicle it describes instead of duplicating them: the
/// customer by CRM id, then WeChat openid, then any of its phone numbers; the vehicle by VIN, then
/// plate. What is not found is created, in the transaction that creates the work order.
enum Intake {
    static func customer(_ input: CustomerInput, in scope: TenantScope) throws -> UUID {
        let customer = try prefixed("customer") { try input.normalised(creating: true).get() }
        if let external = customer.externalID.newValue,
           let found = try scope.customers.list(.init(externalID: external), limit: 1, after: nil).first { return found.id }
        if let openID = customer.wechatOpenID.newValue,
           let found = try scope.customers.list(.init(wechatOpenID: openID), limit: 1, after: nil).first { return found.id }
        for phone in customer.phones ?? [] {
            if let found = try scope.customers.list(.init(phone: phone), limit: 1, after: nil).first { return found.id }
        }
        return try prefixed("customer") { try scope.customers.create(customer).id }
    }

    enum VehicleMatch: Equatable {
        /// The owner's vehicle, found or just created.
        case owned(UUID)
        /// The VIN or plate belongs to another customer's vehicle.
        case anotherCustomers
    }

    static func vehicle(_ input: VehicleInput, owner: UUID, in scope: TenantScope) throws -> VehicleMatch {
        var described = input
        described.customerID = owner
        let vehicle = try prefixed("vehicle") { try described.normalised(creating: true).get() }
        var found: Vehicle?
        if let vin = vehicle.vin.newValue { found = try scope.vehicles.list(.init(vin: vin), limit: 1, after: nil).first }
        if found == nil, let plate = vehicle.plate.newValue { found = try scope.vehicles.list(.init(plate: plate), limit: 1, after: nil).first }
        if let found { return found.customerID == owner ? .owned(found.id) : .anotherCustomers }
        return .owned(try prefixed("vehicle") { try scope.vehicles.create(vehicle).id })
    }

    /// Names fields of an inline record as the client nested them (`customer.phones[0]`).
    static func prefixed<T>(_ prefix: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ValidationError {
            throw ValidationError(error.errors.map { FieldError(field: "\(prefix).\($0.field)", message: $0.message) })
        } catch StoreError.duplicate(let field, let message) {
            throw StoreError.duplicate(field: "\(prefix).\(field)", message: message)
        }
    }
}
