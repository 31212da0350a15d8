import Foundation

/// What a customer sends through an intake link: who they are, which car, what is wrong. Checked
/// more strictly than staff input (a mobile number is required so the shop can call back), and
/// normalised so it matches existing customers and vehicles.
public struct PublicReport: Sendable, Equatable {
    public var name: String
    public var phone: String
    public var plate: String?
    public var vin: String?
    public var description: String
    public var symptoms: [String]
    public var site: WorkOrder.Site?
    public var customFields: [String: JSONValue]

    public init(name: String, phone: String, plate: String? = nil, vin: String? = nil, description: String,
                symptoms: [String] = [], site: WorkOrder.Site? = nil, customFields: [String: JSONValue] = [:]) {
        self.name = name
        self.phone = phone
        self.plate = plate
        self.vin = vin
        self.description = description
        self.symptoms = symptoms
        self.site = site
        self.customFields = customFields
    }

    /// The report with its phone, plate and VIN in stored form, or every problem found.
    public func normalised() -> Result<PublicReport, ValidationError> {
        var errors = TextRules.lengthErrors(name, field: "name", limit: 100)
        errors += NewWorkOrder.detailErrors(description: description, symptoms: symptoms, site: site)
        var out = self
        out.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        out.description = description.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            out.phone = try MobileNumber(phone).value
        } catch {
            errors.append(FieldError(field: "phone", message: error.description))
        }
        if let plate {
            do { out.plate = try LicensePlate(plate).value } catch { errors.append(FieldError(field: "plate", message: error.description)) }
        }
        if let vin {
            do { out.vin = try VIN(vin).value } catch { errors.append(FieldError(field: "vin", message: error.description)) }
        }
        return errors.isEmpty ? .success(out) : .failure(ValidationError(errors))
    }
}
