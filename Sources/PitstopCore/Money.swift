import Foundation

/// Amounts of money in yuan as the API takes them (a number with at most two decimals), and as
/// the customer reads them (¥1,234.50). Sums are worked in whole fen, so ten lines of 0.10 make
/// exactly 1.00.
public enum Money {
    /// The largest single amount Pitstop takes, for a price or a line.
    public static let maximum = 9_999_999_999.0

    /// Problems with a price the caller gave (`field` names it).
    public static func errors(_ value: Double, field: String) -> [FieldError] {
        // In binary 0.29 × 100 is 28.999…96: whole fen within a hair's breadth count as whole.
        guard value.isFinite, value >= 0, value <= maximum, abs(value * 100 - (value * 100).rounded()) < 1e-6 else {
            return [FieldError(field: field, message: "must be an amount from 0 with at most two decimals")]
        }
        return []
    }

    public static func fen(_ yuan: Double) -> Int {
        Int((yuan * 100).rounded())
    }

    /// `fen` as a customer reads it: ¥1,234.50.
    public static func text(fen: Int) -> String {
        let yuan = String(abs(fen) / 100)
        var grouped = ""
        for (index, digit) in yuan.enumerated() {
            if index > 0 && (yuan.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return (fen < 0 ? "-" : "") + "¥" + grouped + "." + String(format: "%02d", abs(fen) % 100)
    }
}
