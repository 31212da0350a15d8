import Foundation
import PitstopCore
import PitstopStore

/// How intake finds the customer and vehicle a report describes instead of duplicating them: the
/// customer by CRM id, then WeChat openid, then any of its phone numbers; the vehicle by VIN, then
/// plate. Lookups only: what is not found is created by intake once every check has passed.
enum RecordMatching {
    enum Customer {
        case existing(UUID)
        /// Nobody matches: this (normalised) description is created.
        case new(CustomerInput)

        var existingID: UUID? {
            if case .existing(let id) = self { id } else { nil }
        }
    }

    enum Vehicle {
        case existing(PitstopCore.Vehicle)
        case new(VehicleInput)
    }

    /// `customer` is normalised for creation.
    static func customer(_ customer: CustomerInput, in scope: TenantScope) throws -> Customer {
        if let external = customer.externalID.newValue,
           let found = try scope.customers.list(.init(externalID: external), limit: 1, after: nil).first { return .existing(found.id) }
        if let openID = customer.wechatOpenID.newValue,
           let found = try scope.customers.list(.init(wechatOpenID: openID), limit: 1, after: nil).first { return .existing(found.id) }
        for phone in customer.phones ?? [] {
            if let found = try scope.customers.list(.init(phone: phone), limit: 1, after: nil).first { return .existing(found.id) }
        }
        return .new(customer)
    }

    /// `vehicle` is normalised for creation.
    static func vehicle(_ vehicle: VehicleInput, in scope: TenantScope) throws -> Vehicle {
        if let vin = vehicle.vin.newValue, let found = try scope.vehicles.list(.init(vin: vin), limit: 1, after: nil).first {
            return .existing(found)
        }
        if let plate = vehicle.plate.newValue, let found = try scope.vehicles.list(.init(plate: plate), limit: 1, after: nil).first {
            return .existing(found)
        }
        return .new(vehicle)
    }

    /// Names fields of an inline record as the client nested them (`customer.phones[0]`).
    static func prefixed(_ prefix: String, _ errors: [FieldError]) -> [FieldError] {
        errors.map { FieldError(field: "\(prefix).\($0.field)", message: $0.message) }
    }

    /// Runs a write of an inline record, naming a duplicate value as the client nested it.
    static func prefixed<T>(_ prefix: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ValidationError {
            throw ValidationError(prefixed(prefix, error.errors))
        } catch StoreError.duplicate(let field, let message) {
            throw StoreError.duplicate(field: "\(prefix).\(field)", message: message)
        }
    }
}
