import Foundation

/// Number formatting for reports: a few significant digits, SI prefixes for large counts.
public enum Quantity {
    /// `value` with `digits` significant digits in plain notation, trailing zeros dropped:
    /// 131.89 → `132`, 0.08333 → `0.0833`, 0.5 → `0.5`. Not finite → `-`.
    public static func fixed(_ value: Double, digits: Int = 3) -> String {
        guard value.isFinite else { return "-" }
        guard value != 0 else { return "0" }
        let magnitude = Int(floor(log10(abs(value))))
        let decimals = max(0, digits - 1 - magnitude)
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.last == "0" { text.removeLast() }
            if text.last == "." { text.removeLast() }
        }
        return text
    }

    /// `value` scaled by an SI prefix (k, M, G, T, P) with `digits` significant digits:
    /// 231,211,008 → `231M`, 1,753,088 → `1.75M`, 512 → `512`.
    public static func si(_ value: Double, digits: Int = 3) -> String {
        let prefixes = ["", "k", "M", "G", "T", "P"]
        var scaled = value
        var index = 0
        while abs(scaled) >= 999.5, index < prefixes.count - 1 {
            scaled /= 1000
            index += 1
        }
        return fixed(scaled, digits: digits) + prefixes[index]
    }
}
