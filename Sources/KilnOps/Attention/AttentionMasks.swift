import KilnIR

// Attention masks: float32 0/1 tensors, 1 where a query may attend to a key, built from small
// position constants and a comparison (so a graph file holds `L` numbers, not `L²`). Combine
// masks by multiplying them.

extension GraphBuilder {
    /// The causal mask `[queries, keys]`: query `i` sees keys `j ≤ i` (itself and the past),
    /// never a later position. For a decoder's self-attention, where queries and keys are the
    /// same positions.
    public mutating func causalMask(queries: Int, keys: Int) throws(KilnError) -> NodeID {
        let queryPositions = positions(queries, shape: [queries, 1])
        let keyPositions = positions(keys, shape: [keys])
        return try add("less_equal", [keyPositions, queryPositions])
    }

    /// The band mask `[queries, keys]` of local attention centred on each query's own position:
    /// query `i` sees keys `j` with `|i − j| ≤ window`.
    public mutating func windowMask(queries: Int, keys: Int, window: Int) throws(KilnError) -> NodeID {
        let queryPositions = positions(queries, shape: [queries, 1])
        let keyPositions = positions(keys, shape: [keys])
        let distance = try add("abs", [try add("sub", [keyPositions, queryPositions])])
        return try add("less_equal", [distance, scalar(Double(window))])
    }

    /// The padding mask for attention scores `[batch, queries, keys]` from a per-key mask
    /// `[batch, keys]` (1 for a real token, 0 for padding): `[batch, 1, keys]`, so no query
    /// attends to padding.
    ///
    /// - Throws: when `keyMask` is not a float32 matrix.
    public mutating func paddingMask(_ keyMask: NodeID) throws(KilnError) -> NodeID {
        let maskType = type(of: keyMask)
        guard maskType.dtype == .float32, maskType.shape.rank == 2 else {
            throw compositeError(
                "padding_mask", [keyMask], "input 0 (key mask) is \(maskType); expected f32[batch, keys] of 0 and 1")
        }
        return try add("reshape", [keyMask], attributes: ["shape": .ints([maskType.shape[0], 1, maskType.shape[1]])])
    }
}
