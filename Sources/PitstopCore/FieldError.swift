/// One invalid field of a request, named as the client sent it (`name`, `customer.phone`).
public struct FieldError: Error, Equatable, Sendable, Codable {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// Input that failed validation, with every invalid field at once so a client can fix them all.
public struct ValidationError: Error, Equatable, Sendable {
    public var errors: [FieldError]

    public init(_ errors: [FieldError]) { self.errors = errors }
    public init(field: String, _ message: String) { errors = [FieldError(field: field, message: message)] }
}
