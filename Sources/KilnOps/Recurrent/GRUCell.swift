import KilnIR

extension GraphBuilder {
    /// One GRU step from `p = x_t·W_x + b` (`[batch, 3H]`, blocks z, r, h̃):
    /// `z = σ(p_z + h_{t−1}·W_hz)`, `r = σ(p_r + h_{t−1}·W_hr)`,
    /// `h̃ = tanh(p_h̃ + (r⊙h_{t−1})·W_hh̃)`, `h_t = (1 − z)⊙h_{t−1} + z⊙h̃`
    /// (computed as `h_{t−1} + z⊙(h̃ − h_{t−1})`). Without a previous state (zeros),
    /// `h̃ = tanh(p_h̃)` and `h_t = z⊙h̃`.
    mutating func gruStep(projected: NodeID, hidden: NodeID?, weights: RecurrentHiddenWeights) throws(KilnError) -> RecurrentState {
        let size = weights.hiddenSize
        let inputGates = try add("slice", [projected], attributes: ["starts": .ints([0]), "ends": .ints([2 * size]), "axes": .ints([1])])
        var candidateInput = try columnBlock(projected, 2, size: size)
        guard let hidden, let candidateWeight = weights.candidate else {
            let update = try add("sigmoid", [try columnBlock(inputGates, 0, size: size)])
            return RecurrentState(hidden: try add("mul", [update, try add("tanh", [candidateInput])]))
        }
        let gates = try add("sigmoid", [try add("add", [inputGates, try add("matmul", [hidden, weights.gates])])])
        let update = try columnBlock(gates, 0, size: size)
        let reset = try columnBlock(gates, 1, size: size)
        let resetHidden = try add("mul", [reset, hidden])
        candidateInput = try add("add", [candidateInput, try add("matmul", [resetHidden, candidateWeight])])
        let candidate = try add("tanh", [candidateInput])
        let change = try add("mul", [update, try add("sub", [candidate, hidden])])
        return RecurrentState(hidden: try add("add", [hidden, change]))
    }
}
