import KilnIR

extension GraphBuilder {
    /// One LSTM step from `p = x_t·W_x + b` (`[batch, 4H]`, blocks i, f, C̃, o):
    /// `g = p + h_{t−1}·W_h`; `i = σ(g_i)`, `f = σ(g_f)`, `C̃ = tanh(g_C̃)`, `o = σ(g_o)`;
    /// `C_t = f⊙C_{t−1} + i⊙C̃`; `h_t = o⊙tanh(C_t)`. Without a previous state (zeros),
    /// `g = p` and `C_t = i⊙C̃`.
    mutating func lstmStep(projected: NodeID, state: RecurrentState?, weights: RecurrentHiddenWeights) throws(KilnError) -> RecurrentState {
        let size = weights.hiddenSize
        var gates = projected
        if let hidden = state?.hidden { gates = try add("add", [projected, try add("matmul", [hidden, weights.gates])]) }
        let inputGate = try add("sigmoid", [try columnBlock(gates, 0, size: size)])
        let candidate = try add("tanh", [try columnBlock(gates, 2, size: size)])
        let outputGate = try add("sigmoid", [try columnBlock(gates, 3, size: size)])
        var cell = try add("mul", [inputGate, candidate])
        if let previous = state?.cell {
            let forgetGate = try add("sigmoid", [try columnBlock(gates, 1, size: size)])
            cell = try add("add", [try add("mul", [forgetGate, previous]), cell])
        }
        let hidden = try add("mul", [outputGate, try add("tanh", [cell])])
        return RecurrentState(hidden: hidden, cell: cell)
    }
}
