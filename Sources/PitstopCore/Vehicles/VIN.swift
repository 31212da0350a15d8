import Foundation

/// A vehicle identification number (ISO 3779): 17 characters, digits and capital letters without
/// I, O and Q, whose ninth character is the check digit that North America and China (GB 16735)
/// require.
public struct VIN: Hashable, Sendable, CustomStringConvertible {
    public let value: String
    public var description: String { value }

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case wrongLength(Int)
        case forbiddenCharacter(Character, position: Int)
        case checkDigitMismatch(expected: Character, found: Character)

        public var description: String {
            switch self {
            case .wrongLength(let count):
                "must be 17 characters, not \(count)"
            case .forbiddenCharacter(let character, let position):
                "character \(position) (\(character)) is not allowed: a VIN uses digits and capital letters except I, O and Q"
            case .checkDigitMismatch(let expected, let found):
                "check digit (character 9) is \(found) but the other characters give \(expected); the VIN was probably mistyped"
            }
        }
    }

    /// Accepts lower case and surrounding spaces; everything else must be right.
    public init(_ text: String) throws(Problem) {
        let normalised = text.trimmingCharacters(in: .whitespaces).uppercased()
        let characters = Array(normalised)
        guard characters.count == 17 else { throw .wrongLength(characters.count) }
        var sum = 0
        for (index, character) in characters.enumerated() {
            guard let value = Self.transliteration[character] else {
                throw .forbiddenCharacter(character, position: index + 1)
            }
            sum += value * Self.weights[index]
        }
        let remainder = sum % 11
        let expected: Character = remainder == 10 ? "X" : Character(String(remainder))
        guard characters[8] == expected else { throw .checkDigitMismatch(expected: expected, found: characters[8]) }
        value = normalised
    }

    /// ISO 3779 values: letters map to 1–9 in the pattern of the old typewriter rows.
    static let transliteration: [Character: Int] = {
        var table: [Character: Int] = [:]
        for digit in 0...9 { table[Character(String(digit))] = digit }
        let letters: [(Character, Int)] = [
            ("A", 1), ("B", 2), ("C", 3), ("D", 4), ("E", 5), ("F", 6), ("G", 7), ("H", 8),
            ("J", 1), ("K", 2), ("L", 3), ("M", 4), ("N", 5), ("P", 7), ("R", 9),
            ("S", 2), ("T", 3), ("U", 4), ("V", 5), ("W", 6), ("X", 7), ("Y", 8), ("Z", 9),
        ]
        for (letter, value) in letters { table[letter] = value }
        return table
    }()

    static let weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
}
