import Foundation

/// Extra work (增项) proposed to the customer during a repair: added lines with prices, which
/// the customer approves or declines from their link before the work goes on. The answer is
/// bound to what they were shown (the proposal's hash); while it waits, the order's SLA clocks
/// stand still and the order cannot move on to its check, acceptance or completion.
public struct ExtraWork: Sendable, Equatable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case pending, approved, declined
        /// Taken back by the desk, or by the order's cancellation, before the customer answered.
        case withdrawn
    }

    public struct Line: Sendable, Equatable, Codable {
        public var description: String
        public var quantity: Double
        /// Yuan for one unit.
        public var unitPrice: Double

        public init(description: String, quantity: Double, unitPrice: Double) {
            self.description = description
            self.quantity = quantity
            self.unitPrice = unitPrice
        }

        public var fen: Int { Money.fen(unitPrice * quantity) }
    }

    public var id: UUID
    public var workOrderID: UUID
    public var lines: [Line]
    public var note: String
    public var state: State
    /// What the customer's answer must name: SHA-256 of the proposal as shown.
    public var sha256: String
    public var proposedBy: UUID?
    public var proposedAt: Date
    public var answeredAt: Date?

    public init(id: UUID, workOrderID: UUID, lines: [Line], note: String, state: State, sha256: String, proposedBy: UUID?,
                proposedAt: Date, answeredAt: Date?) {
        self.id = id
        self.workOrderID = workOrderID
        self.lines = lines
        self.note = note
        self.state = state
        self.sha256 = sha256
        self.proposedBy = proposedBy
        self.proposedAt = proposedAt
        self.answeredAt = answeredAt
    }

    public var totalFen: Int { lines.map(\.fen).reduce(0, +) }

    /// The pause ledger's reason while a proposal waits (a status names the others).
    public static let pauseReason = "extra_work"

    /// Extra work is found while the engineer works on the car.
    public static let proposable: Set<WorkOrderStatus> = [.diagnosing, .awaitingParts, .repairing]

    /// Where an order may not go while the customer has not answered: past the work itself.
    public static let heldBack: Set<WorkOrderStatus> = [.qualityCheck, .awaitingAcceptance, .completed]

    public static func errors(lines: [Line], note: String) -> [FieldError] {
        var errors: [FieldError] = []
        if !(1...50).contains(lines.count) { errors.append(FieldError(field: "lines", message: "must list 1 to 50 lines")) }
        for (index, line) in lines.enumerated() {
            if line.description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                errors.append(FieldError(field: "lines[\(index)].description", message: "must say what the work is"))
            } else {
                errors += TextRules.lengthErrors(line.description, field: "lines[\(index)].description", limit: 200)
            }
            if !(line.quantity.isFinite && line.quantity > 0 && line.quantity <= 10_000) {
                errors.append(FieldError(field: "lines[\(index)].quantity", message: "must be more than 0 and at most 10000"))
            }
            errors += Money.errors(line.unitPrice, field: "lines[\(index)].unit_price")
        }
        // The note may be empty: the lines say what the work is.
        if note.count > 1000 { errors.append(FieldError(field: "note", message: "must be at most 1000 characters")) }
        return errors
    }
}
