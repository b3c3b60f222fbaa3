import KilnIR

extension Operator {
    /// Checks the `eps` attribute of a normalization: absent, or a number ≥ 0.
    func checkEpsilon(_ attributes: Attributes) throws(ShapeError) {
        let eps = try float(attributes, "eps", default: 1e-5)
        guard eps >= 0 else { throw ShapeError("attribute 'eps' is \(eps); expected a number ≥ 0") }
    }
}
