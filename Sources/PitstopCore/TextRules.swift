import Foundation

/// The checks text fields share, so a rule and its message read the same everywhere.
public enum TextRules {
    /// The problem with `text` as a field of 1 to `limit` characters once trimmed, if any.
    static func lengthProblem(_ text: String, limit: Int) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty || trimmed.count > limit ? "must be 1 to \(limit) characters" : nil
    }

    /// A `FieldError` for `field` when `text` breaks `lengthProblem`, else none.
    public static func lengthErrors(_ text: String?, field: String, limit: Int) -> [FieldError] {
        guard let text, let problem = lengthProblem(text, limit: limit) else { return [] }
        return [FieldError(field: field, message: problem)]
    }

    /// A person's name as they write it: 1 to 100 characters.
    public static func nameErrors(_ text: String, field: String) -> [FieldError] {
        lengthErrors(text, field: field, limit: 100)
    }

    /// Machine names chosen by people: type codes, custom-field keys, skills.
    static let codeRule = "must be 1 to 64 lower-case letters, digits or underscores, starting with a letter"

    static func isCode(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first), text.unicodeScalars.count <= 64 else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
