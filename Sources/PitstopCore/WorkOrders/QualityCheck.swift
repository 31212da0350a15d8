import Foundation

/// An inspector's pass over a repaired car: pass or fail for each item of the type's checklist.
public struct QualityCheck: Sendable, Equatable {
    public struct Result: Sendable, Equatable, Codable {
        public var item: String
        public var passed: Bool
        public var note: String?

        public init(item: String, passed: Bool, note: String? = nil) {
            self.item = item
            self.passed = passed
            self.note = note
        }
    }

    public var id: UUID
    public var workOrderID: UUID
    public var inspectorKeyID: UUID?
    public var inspectorName: String
    public var results: [Result]
    public var checkedAt: Date

    public init(id: UUID, workOrderID: UUID, inspectorKeyID: UUID?, inspectorName: String, results: [Result], checkedAt: Date) {
        self.id = id
        self.workOrderID = workOrderID
        self.inspectorKeyID = inspectorKeyID
        self.inspectorName = inspectorName
        self.results = results
        self.checkedAt = checkedAt
    }

    public var passed: Bool { results.allSatisfy(\.passed) }

    public var failedItems: [String] { results.filter { !$0.passed }.map(\.item) }

    /// Results must answer each checklist item exactly once (a type without a checklist takes
    /// the inspector's own items).
    public static func errors(inspectorName: String, results: [Result], checklist: [String]) -> [FieldError] {
        var errors = TextRules.lengthErrors(inspectorName, field: "inspector", limit: 100)
        if results.isEmpty { errors.append(FieldError(field: "results", message: "must answer at least one item")) }
        if results.count > 50 { errors.append(FieldError(field: "results", message: "may answer at most 50 items")) }
        for (index, result) in results.enumerated() {
            errors += TextRules.lengthErrors(result.item, field: "results[\(index)].item", limit: 200)
            if let note = result.note, note.count > 500 { errors.append(FieldError(field: "results[\(index)].note", message: "must be at most 500 characters")) }
            if !checklist.isEmpty && !checklist.contains(result.item) {
                errors.append(FieldError(field: "results[\(index)].item", message: "is not on this job type's checklist"))
            }
        }
        let answered = results.map(\.item)
        if Set(answered).count != answered.count { errors.append(FieldError(field: "results", message: "must answer each item once")) }
        let missing = checklist.filter { !answered.contains($0) }
        if !missing.isEmpty { errors.append(FieldError(field: "results", message: "must also answer: \(missing.joined(separator: ", "))")) }
        return errors
    }
}
