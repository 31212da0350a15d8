/// Quantities and amounts as people write them: whole numbers without a point (3, not 3.0).
public enum Amount {
    public static func text(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
