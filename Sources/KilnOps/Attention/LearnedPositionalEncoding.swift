import KilnIR

extension GraphBuilder {
    /// `x + table[0 ..< length]` for `x` of shape `[..., length, dimension]` and a learned
    /// position table `[maxLength, dimension]`: each position has its own trained vector. The
    /// table fixes the longest sequence the model handles.
    ///
    /// A composite: `slice` of the table's first `length` rows (none when the lengths agree) and a
    /// broadcast `add`; the table's gradient is the output gradient summed over the batch, zero
    /// for rows past `length`.
    ///
    /// - Throws: when `x` is longer than the table (a sequence longer than the compiled length),
    ///   or the feature counts differ.
    public mutating func addLearnedPositions(_ x: NodeID, table: NodeID) throws(KilnError) -> NodeID {
        let op = "learned_positions"
        let (xType, tableType) = (type(of: x), type(of: table))
        guard xType.dtype == .float32, xType.shape.rank >= 2 else {
            throw compositeError(op, [x, table], "input 0 is \(xType); expected f32[..., positions, features] of rank 2 or more")
        }
        let (length, features) = (xType.shape[xType.shape.rank - 2], xType.shape[xType.shape.rank - 1])
        guard tableType.dtype == .float32, tableType.shape.rank == 2, tableType.shape[1] == features else {
            throw compositeError(
                op, [x, table], "input 1 (position table) is \(tableType); expected f32[max_length, \(features)] for the features of input 0, shape \(xType.shape)")
        }
        guard length <= tableType.shape[0] else {
            throw compositeError(
                op, [x, table],
                "input 0 has \(length) positions (shape \(xType.shape)), more than the compiled length \(tableType.shape[0]) of the position table")
        }
        var rows = table
        if length < tableType.shape[0] {
            rows = try add("slice", [table], attributes: ["starts": .ints([0]), "ends": .ints([length]), "axes": .ints([0])])
        }
        return try add("add", [x, rows])
    }
}
