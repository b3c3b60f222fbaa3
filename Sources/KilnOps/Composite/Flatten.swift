import KilnIR

extension GraphBuilder {
    /// Flattens x to a matrix: the axes before `axis` become the rows, the rest the columns
    /// ([d₀…d_{axis−1}] × [d_axis…]), as ONNX `Flatten`. The default `axis: 1` keeps the batch and
    /// flattens each sample (a CNN's features before a linear head); `axis: 0` gives [1, all];
    /// `axis` may equal the rank ([all, 1]) and may be negative.
    ///
    /// A composite: one `reshape` (a copy at most, no arithmetic).
    ///
    /// - Throws: when `axis` is outside −rank…rank.
    public mutating func flatten(_ x: NodeID, axis: Int = 1) throws(KilnError) -> NodeID {
        let shape = type(of: x).shape
        let normalized = axis < 0 ? axis + shape.rank : axis
        guard (0...shape.rank).contains(normalized) else {
            throw compositeError(
                "flatten", [x], "axis \(axis) is out of range for input 0 of shape \(shape); expected \(-shape.rank) to \(shape.rank)")
        }
        let rows = shape.dimensions[..<normalized].reduce(1, *)
        let columns = shape.dimensions[normalized...].reduce(1, *)
        return try add("reshape", [x], attributes: ["shape": .ints([rows, columns])])
    }
}
