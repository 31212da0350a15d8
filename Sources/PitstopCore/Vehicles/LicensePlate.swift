import Foundation

/// A mainland China licence plate (GA 36-2018), normalised to `京A12345` form: the province
/// character, the issuing authority's letter, then five characters for ordinary plates or six
/// for new-energy ones (`沪AD12345` small, `粤B12345D` large).
public struct LicensePlate: Hashable, Sendable, CustomStringConvertible {
    public let value: String
    public var description: String { value }

    public enum Kind: String, Sendable {
        case ordinary
        case newEnergySmall = "new_energy_small"
        case newEnergyLarge = "new_energy_large"
    }

    public let kind: Kind

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case unknownProvince
        case badAuthority
        case badSerial

        public var description: String {
            switch self {
            case .unknownProvince: "must start with a province character such as 京, 沪 or 粤"
            case .badAuthority: "the second character must be the issuing authority's letter (A–Z)"
            case .badSerial: "must have 5 characters after the authority letter (6 for new-energy plates, starting or ending with D or F), digits and letters other than I and O"
            }
        }
    }

    static let provinces = Set("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")
    static let serialCharacters = Set("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
    static let digits = Set("0123456789")
    /// Last characters of special ordinary plates: trailer, learner, police, Hong Kong, Macau.
    static let specialSuffixes = Set("挂学警港澳")

    /// Accepts what people type: lower case, spaces, middle dots, hyphens and full-width forms.
    public init(_ text: String) throws(Problem) {
        let cleaned = text.applyingTransform(.fullwidthToHalfwidth, reverse: false) ?? text
        let characters = Array(cleaned.uppercased().filter { !" ·•・.-\t".contains($0) })
        guard let province = characters.first, Self.provinces.contains(province) else { throw .unknownProvince }
        guard characters.count > 1, let authority = characters[1].asciiValue, (65...90).contains(authority), authority != 73 else {
            throw .badAuthority
        }
        let serial = Array(characters.dropFirst(2))
        switch serial.count {
        case 5:
            guard serial.dropLast().allSatisfy(Self.serialCharacters.contains),
                  Self.serialCharacters.contains(serial[4]) || Self.specialSuffixes.contains(serial[4]) else { throw .badSerial }
            kind = .ordinary
        case 6 where serial[0] == "D" || serial[0] == "F":
            guard Self.serialCharacters.contains(serial[1]), serial.dropFirst(2).allSatisfy(Self.digits.contains) else { throw .badSerial }
            kind = .newEnergySmall
        case 6 where serial[5] == "D" || serial[5] == "F":
            guard serial.prefix(5).allSatisfy(Self.digits.contains) else { throw .badSerial }
            kind = .newEnergyLarge
        default:
            throw .badSerial
        }
        value = String(characters)
    }

    /// The first plate written inside free text ("刹车有异响，车牌浙A·12345"), as people type one
    /// (separators, lower case, full width); a new-energy plate is preferred over the ordinary
    /// plate its first seven characters would also make. Nil when the text holds none.
    public static func find(in text: String) -> LicensePlate? {
        let cleaned = Array((text.applyingTransform(.fullwidthToHalfwidth, reverse: false) ?? text).uppercased())
        for start in cleaned.indices where provinces.contains(cleaned[start]) {
            // The next characters that could belong to a plate, separators skipped.
            var candidate: [Character] = [cleaned[start]]
            var index = start + 1
            while index < cleaned.count, candidate.count < 8 {
                let character = cleaned[index]
                if " ·•・.-".contains(character) {
                    index += 1
                    continue
                }
                guard character.isASCII && (character.isLetter || character.isNumber) || specialSuffixes.contains(character) else { break }
                candidate.append(character)
                index += 1
            }
            for length in [8, 7] where candidate.count >= length {
                // A plate is not the start of a longer run of letters and digits.
                if length == 7, candidate.count == 8, candidate[7].isASCII, candidate[7].isNumber || candidate[7].isLetter,
                   (try? LicensePlate(String(candidate))) == nil { continue }
                if let plate = try? LicensePlate(String(candidate.prefix(length))) { return plate }
            }
        }
        return nil
    }
}
