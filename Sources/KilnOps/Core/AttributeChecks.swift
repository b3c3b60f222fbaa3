import KilnIR

/// Attribute readers for shape rules: each throws a `ShapeError` naming the attribute when its value
/// has the wrong kind or range.
extension Attributes {
    /// A numeric attribute (an integer is accepted), `fallback` when absent, or an error naming
    /// the attribute when it holds something else.
    func number(_ name: String, default fallback: Double) throws(ShapeError) -> Double {
        switch self[name] {
        case nil: return fallback
        case .float(let value)?: return value
        case .int(let value)?: return Double(value)
        case let other?: throw ShapeError("attribute '\(name)' is \(other); expected a number")
        }
    }

    /// A positive integer attribute, `fallback` when absent, or an error naming the attribute.
    func positiveInt(_ name: String, default fallback: Int) throws(ShapeError) -> Int {
        switch self[name] {
        case nil: return fallback
        case .int(let value)? where value > 0: return value
        case let other?: throw ShapeError("attribute '\(name)' is \(other); expected a positive integer")
        }
    }

    /// The `eps` attribute of a normalization: `fallback` when absent, or an error unless it is a
    /// number ≥ 0.
    func epsilon(default fallback: Double = 1e-5) throws(ShapeError) -> Double {
        let eps = try number("eps", default: fallback)
        guard eps >= 0 else { throw ShapeError("attribute 'eps' is \(eps); expected a number ≥ 0") }
        return eps
    }
}
