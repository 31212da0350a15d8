import Foundation

/// Work-order numbers read out over the phone: `WO-20261125-0007`, the calendar day in the
/// tenant's zone and that day's sequence (four digits, widening past 9999). The store allocates the
/// sequence and writes the number in the statement that creates the order; a rolled-back creation
/// may leave a gap, which is fine for a reference number.
public enum WorkOrderNumber {
    /// The calendar day `date` falls on in `zone`, as `YYYY-MM-DD`: the key of the day's sequence.
    public static func dayKey(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return pad(parts.year ?? 0, 4) + "-" + pad(parts.month ?? 0, 2) + "-" + pad(parts.day ?? 0, 2)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
