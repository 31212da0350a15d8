import Foundation

/// Parts an engineer asks for to finish an order, and the desk's answer.
public struct PartsRequisition: Sendable, Equatable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case requested, approved, rejected
    }

    public struct Line: Sendable, Equatable, Codable {
        public var partNumber: String
        public var quantity: Double

        public init(partNumber: String, quantity: Double) {
            self.partNumber = partNumber
            self.quantity = quantity
        }
    }

    public var id: UUID
    public var workOrderID: UUID
    public var engineerID: UUID
    public var state: State
    public var lines: [Line]
    public var note: String?
    public var requestedAt: Date
    public var decidedAt: Date?
    public var decidedBy: UUID?
    public var decisionNote: String?

    public init(id: UUID, workOrderID: UUID, engineerID: UUID, state: State, lines: [Line], note: String?, requestedAt: Date,
                decidedAt: Date?, decidedBy: UUID?, decisionNote: String?) {
        self.id = id
        self.workOrderID = workOrderID
        self.engineerID = engineerID
        self.state = state
        self.lines = lines
        self.note = note
        self.requestedAt = requestedAt
        self.decidedAt = decidedAt
        self.decidedBy = decidedBy
        self.decisionNote = decisionNote
    }

    public static func errors(lines: [Line], note: String?) -> [FieldError] {
        var errors: [FieldError] = []
        if !(1...50).contains(lines.count) { errors.append(FieldError(field: "lines", message: "must list 1 to 50 parts")) }
        for (index, line) in lines.enumerated() {
            errors += TextRules.lengthErrors(line.partNumber, field: "lines[\(index)].part_number", limit: 64)
            if !(line.quantity.isFinite && line.quantity > 0 && line.quantity <= 10_000) {
                errors.append(FieldError(field: "lines[\(index)].quantity", message: "must be more than 0 and at most 10000"))
            }
        }
        if let note, note.count > 1000 { errors.append(FieldError(field: "note", message: "must be at most 1000 characters")) }
        return errors
    }
}
