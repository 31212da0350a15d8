import Foundation

/// The number people read out over the phone: `WO-20261125-0007`, the day in the tenant's zone
/// and that day's sequence. Unique per tenant; a rolled-back creation may leave a gap, which is
/// fine for a reference number and avoids serialising every creation on one counter row for long.
public enum WorkOrderNumber {
    public static func format(day: Date, in zone: TimeZone, sequence: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: day)
        return "WO-" + pad(parts.year ?? 0, 4) + pad(parts.month ?? 0, 2) + pad(parts.day ?? 0, 2) + "-" + pad(sequence, 4)
    }

    /// The calendar day `date` falls on in `zone`, as `YYYY-MM-DD`: the key of the day's sequence.
    public static func dayKey(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return pad(parts.year ?? 0, 4) + "-" + pad(parts.month ?? 0, 2) + "-" + pad(parts.day ?? 0, 2)
    }

    /// Whether `text` has the shape of a work-order number (for lookups by number).
    public static func isWellFormed(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0] == "WO" && parts[1].count == 8 && parts[1].allSatisfy(\.isASCII) && parts[1].allSatisfy(\.isNumber)
            && parts[2].count >= 4 && parts[2].allSatisfy(\.isASCII) && parts[2].allSatisfy(\.isNumber)
    }

    /// Sequences past 9999 widen rather than wrap.
    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
