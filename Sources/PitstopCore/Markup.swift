/// Escaping for the markup Pitstop writes itself: one home, so no page or chart escapes differently.
public enum Markup {
    /// Text as character data or a quoted attribute value, in XML (the report charts) and HTML
    /// (the customer's pages) alike; control characters XML 1.0 forbids are dropped.
    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // Control characters are not allowed in XML 1.0.
                if let scalar = character.unicodeScalars.first, scalar.value < 0x20, !"\t\n\r".unicodeScalars.contains(scalar) { continue }
                out.append(character)
            }
        }
        return out
    }
}
