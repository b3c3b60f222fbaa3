import ArgumentParser
import KilnIR

/// The checks of every command's numeric options, run from `validate()` inside `reportingErrors`,
/// so that a bad value is reported like any bad input: one `error:` line naming the option and the
/// value given (`error: --epochs must be a positive integer, got -1`) and exit code 1.
///
/// Numeric options are declared with `parsing: .unconditional`, so that a negative value is read as
/// the option's value (and then rejected here) instead of being taken for another option.
enum NumericOptions {
    /// Fails unless `value`, when given, is 1 or more.
    static func positive(_ option: String, _ value: Int?) throws(KilnError) {
        if let value, value < 1 { throw .invalidArgument("\(option) must be a positive integer, got \(value)") }
    }

    /// Fails unless `value`, when given, is 0 or more.
    static func nonNegative(_ option: String, _ value: Int?) throws(KilnError) {
        if let value, value < 0 { throw .invalidArgument("\(option) must be a non-negative integer, got \(value)") }
    }

    /// Fails unless `value`, when given, lies in `range`.
    static func within(_ option: String, _ value: Int?, _ range: ClosedRange<Int>) throws(KilnError) {
        if let value, !range.contains(value) {
            throw .invalidArgument("\(option) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
    }

    /// Fails unless `value`, when given, is finite and greater than 0 (not NaN, not infinite).
    static func positiveFinite(_ option: String, _ value: Double?) throws(KilnError) {
        if let value, !(value.isFinite && value > 0) {
            throw .invalidArgument("\(option) must be a positive finite number, got \(text(value))")
        }
    }

    /// Fails unless the seed given is a whole number from 0 to `UInt64.max`.
    static func seed(_ option: String, _ seed: SeedArgument) throws(KilnError) {
        if seed.value == nil {
            throw .invalidArgument("\(option) must be an integer from 0 to \(UInt64.max), got \(seed.text)")
        }
    }

    /// `-1` rather than `-1.0`; `nan`, `inf` and `1e+30` as Swift writes them.
    private static func text(_ value: Double) -> String {
        let text = String(value)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}

/// A `--seed` as typed: any integer is read, so that one outside `0...UInt64.max` (such as `-1`) is
/// reported in the user's terms by `NumericOptions.seed` rather than as a value the parser cannot read.
struct SeedArgument: ExpressibleByArgument, Sendable {
    /// The integer as given.
    let text: String
    /// The seed, or nil when `text` is out of range.
    let value: UInt64?

    /// The seed `value`.
    init(_ value: UInt64) {
        text = String(value)
        self.value = value
    }

    init?(argument: String) {
        let digits = argument.first == "-" || argument.first == "+" ? argument.dropFirst() : argument[...]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        text = argument
        value = UInt64(argument)
    }

    var defaultValueDescription: String { text }
}
