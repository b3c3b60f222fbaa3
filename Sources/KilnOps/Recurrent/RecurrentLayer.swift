import KilnIR

extension GraphBuilder {
    /// A recurrent layer unrolled over the static sequence length: `cell` applied at every step
    /// of `x` (`[batch, steps, features]`) with the same weights (one parameter node read by every
    /// step), in time order or, with `reverse`, from the last step to the first (the backward half
    /// of a bidirectional layer).
    ///
    /// - Parameters:
    ///   - initial: the state before the first step processed; nil for zeros.
    /// - Returns: the hidden state after each step `[batch, steps, H]` in position order (for
    ///   `reverse`, position t holds the state after reading x_t ... x_{T−1}), and the final state.
    ///
    /// An LSTM is one `lstm_sequence` node (one kernel for the whole layer, its gradient one
    /// reverse-sweep node). The RNN and GRU are unrolled: backpropagation through time is the
    /// ordinary reverse sweep over the unrolled graph, where W_x, W_h and b get the sum of their
    /// gradients over the steps. The input projection `x·W_x + b` of all steps is one GEMM before
    /// the loop; each step adds one GEMM `h·W_h`.
    ///
    /// - Throws: when `x` is not `[batch, steps, features]`, or the weights or the initial state
    ///   do not fit it.
    public mutating func recurrentLayer(
        _ cell: RecurrentCell, _ x: NodeID, weights: RecurrentWeights, initial: RecurrentState? = nil, reverse: Bool = false
    ) throws(KilnError) -> (outputs: NodeID, final: RecurrentState) {
        let xType = type(of: x)
        guard xType.dtype == .float32, xType.shape.rank == 3, xType.shape[1] >= 1 else {
            throw compositeError(cell.rawValue, [x], "input 0 (sequence) is \(xType); expected f32[batch, steps, features] with 1 or more steps")
        }
        let (batch, steps, features) = (xType.shape[0], xType.shape[1], xType.shape[2])
        let hiddenSize = try checkRecurrentWeights(cell, features: features, weights: weights, input: x)
        try checkRecurrentState(cell, initial, batch: batch, hiddenSize: hiddenSize, input: x)
        if cell == .lstm { return try lstmSequence(x, weights: weights, hiddenSize: hiddenSize, initial: initial, reverse: reverse) }
        let projected = try affine(x, AffineWeights(weight: weights.input, bias: weights.bias), op: cell.rawValue, role: "input")
        let hiddenWeights = try RecurrentHiddenWeights(cell, weights.hidden, hiddenSize: hiddenSize, builder: &self)
        let width = cell.gateCount * hiddenSize
        var state = initial
        var outputs = [NodeID?](repeating: nil, count: steps)
        for position in reverse ? Array((0..<steps).reversed()) : Array(0..<steps) {
            let slice = try add(
                "slice", [projected], attributes: ["starts": .ints([position]), "ends": .ints([position + 1]), "axes": .ints([1])])
            let input = try add("reshape", [slice], attributes: ["shape": .ints([batch, width])])
            let next = try step(cell, projected: input, state: state, hiddenWeights: hiddenWeights)
            outputs[position] = try add("reshape", [next.hidden], attributes: ["shape": .ints([batch, 1, hiddenSize])])
            state = next
        }
        let sequence = try add("concat", outputs.compactMap { $0 }, attributes: ["axis": .int(1)])
        return (sequence, state!)  // steps ≥ 1 (checked above), so the loop set it
    }
}
