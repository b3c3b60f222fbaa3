import KilnIR

extension GraphBuilder {
    /// One step of the plain RNN: `h_t = tanh(p + h_{t−1}·W_h)` with `p = x_t·W_x + b` given
    /// (`[batch, H]`); without a previous state, `h_t = tanh(p)`.
    mutating func rnnStep(projected: NodeID, hidden: NodeID?, weights: RecurrentHiddenWeights) throws(KilnError) -> RecurrentState {
        var preactivation = projected
        if let hidden { preactivation = try add("add", [projected, try add("matmul", [hidden, weights.gates])]) }
        return RecurrentState(hidden: try add("tanh", [preactivation]))
    }
}
