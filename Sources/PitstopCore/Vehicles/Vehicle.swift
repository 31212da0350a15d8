import Foundation

/// A customer's vehicle, known by VIN, plate or both.
public struct Vehicle: Sendable, Equatable {
    public var id: UUID
    public var customerID: UUID
    public var vin: String?
    public var plate: String?
    public var make: String?
    public var model: String?
    public var year: Int?
    public var colour: String?
    public var mileageKm: Int?
    /// The day the mileage was read, `YYYY-MM-DD`.
    public var mileageReadOn: String?
    /// The id in the chain's CRM.
    public var externalID: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int

    public init(id: UUID, customerID: UUID, vin: String?, plate: String?, make: String?, model: String?, year: Int?,
                colour: String?, mileageKm: Int?, mileageReadOn: String?, externalID: String? = nil, createdAt: Date, updatedAt: Date,
                version: Int) {
        self.id = id
        self.customerID = customerID
        self.vin = vin
        self.plate = plate
        self.make = make
        self.model = model
        self.year = year
        self.colour = colour
        self.mileageKm = mileageKm
        self.mileageReadOn = mileageReadOn
        self.externalID = externalID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }
}

/// What a client may set on a vehicle; `normalised()` puts VIN and plate in their stored form.
public struct VehicleInput: Sendable, Equatable {
    public var customerID: UUID?
    public var vin: FieldUpdate<String>
    public var plate: FieldUpdate<String>
    public var make: FieldUpdate<String>
    public var model: FieldUpdate<String>
    public var year: FieldUpdate<Int>
    public var colour: FieldUpdate<String>
    public var mileageKm: FieldUpdate<Int>
    public var mileageReadOn: FieldUpdate<String>
    public var externalID: FieldUpdate<String>

    public init(customerID: UUID? = nil, vin: FieldUpdate<String> = .keep, plate: FieldUpdate<String> = .keep,
                make: FieldUpdate<String> = .keep, model: FieldUpdate<String> = .keep, year: FieldUpdate<Int> = .keep,
                colour: FieldUpdate<String> = .keep, mileageKm: FieldUpdate<Int> = .keep, mileageReadOn: FieldUpdate<String> = .keep,
                externalID: FieldUpdate<String> = .keep) {
        self.customerID = customerID
        self.vin = vin
        self.plate = plate
        self.make = make
        self.model = model
        self.year = year
        self.colour = colour
        self.mileageKm = mileageKm
        self.mileageReadOn = mileageReadOn
        self.externalID = externalID
    }

    /// `now` bounds the model year (next year's models are sold this year).
    public func normalised(creating: Bool, now: Date = Date()) -> Result<VehicleInput, ValidationError> {
        var errors: [FieldError] = []
        var out = self
        if creating && customerID == nil { errors.append(FieldError(field: "customer_id", message: "is required")) }
        if let text = vin.newValue {
            do throws(VIN.Problem) { out.vin = .set(try VIN(text).value) } catch { errors.append(FieldError(field: "vin", message: error.description)) }
        }
        if let text = plate.newValue {
            do throws(LicensePlate.Problem) { out.plate = .set(try LicensePlate(text).value) } catch {
                errors.append(FieldError(field: "plate", message: error.description))
            }
        }
        if creating && vin.newValue == nil && plate.newValue == nil {
            errors.append(FieldError(field: "plate", message: "a vehicle needs a plate, a VIN or both"))
        }
        for (field, update, limit) in [("make", make, 100), ("model", model, 100), ("colour", colour, 50), ("external_id", externalID, 100)] {
            errors += TextRules.lengthErrors(update.newValue, field: field, limit: limit)
        }
        let currentYear = Calendar(identifier: .gregorian).component(.year, from: now)
        if let year = year.newValue, !(1950...(currentYear + 1)).contains(year) {
            errors.append(FieldError(field: "year", message: "must be from 1950 to \(currentYear + 1)"))
        }
        if let mileage = mileageKm.newValue, !(0...5_000_000).contains(mileage) {
            errors.append(FieldError(field: "mileage_km", message: "must be from 0 to 5000000"))
        }
        if let day = mileageReadOn.newValue, !CustomField.isCalendarDate(day) {
            errors.append(FieldError(field: "mileage_read_on", message: "must be a date written YYYY-MM-DD"))
        }
        return errors.isEmpty ? .success(out) : .failure(ValidationError(errors))
    }
}
