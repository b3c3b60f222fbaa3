import KilnIR

/// The recurrent cells Kiln unrolls, with the equations of the seed catalog (§1.6). Each cell's
/// gates are computed together as `x·W_x + h·W_h + b` over `gateCount·H` columns, which is the
/// catalog's `W[h_{t−1}, x_t] + b` with `W` split into the rows that multiply `h` and those that
/// multiply `x`.
public enum RecurrentCell: String, Sendable, Hashable, CaseIterable {
    /// `h_t = tanh(x_t·W_x + h_{t−1}·W_h + b)` (one block of columns).
    case rnn
    /// Long short-term memory, column blocks in the order input gate i, forget gate f,
    /// candidate C̃, output gate o (PyTorch's order, so its weights load transposed):
    /// `i, f, o = σ(·)`, `C̃ = tanh(·)`, `C_t = f⊙C_{t−1} + i⊙C̃`, `h_t = o⊙tanh(C_t)`.
    case lstm
    /// Gated recurrent unit, column blocks update gate z, reset gate r, candidate h̃ (the catalog's
    /// equations; catalog Appendix A item 10: the gates are update and reset):
    /// `z, r = σ(x·W_x + h_{t−1}·W_h + b)`, `h̃ = tanh(x·W_x + (r⊙h_{t−1})·W_h + b)`,
    /// `h_t = (1 − z)⊙h_{t−1} + z⊙h̃`. The reset gate scales the previous state before its product,
    /// as in Cho et al. (PyTorch instead resets after the product, and swaps the roles of z).
    case gru

    /// The number of column blocks of the weights: 1, 4 or 3.
    public var gateCount: Int {
        switch self {
        case .rnn: 1
        case .lstm: 4
        case .gru: 3
        }
    }
}

/// A recurrent cell's parameters: `input` `[features, G·H]`, `hidden` `[H, G·H]` and an optional
/// `bias` `[G·H]`, with `G` the cell's gate count and `H` the hidden size.
public struct RecurrentWeights: Sendable, Hashable {
    /// W_x, `[features, G·H]`.
    public var input: NodeID
    /// W_h, `[H, G·H]`.
    public var hidden: NodeID
    /// b, `[G·H]`, or nil.
    public var bias: NodeID?

    /// Creates a recurrent cell's parameters.
    public init(input: NodeID, hidden: NodeID, bias: NodeID? = nil) {
        self.input = input
        self.hidden = hidden
        self.bias = bias
    }
}

/// A recurrent cell's state: the hidden state `[batch, H]` and, for an LSTM, the cell state
/// `[batch, H]`.
public struct RecurrentState: Sendable, Hashable {
    /// h.
    public var hidden: NodeID
    /// C (LSTM only).
    public var cell: NodeID?

    /// Creates a state.
    public init(hidden: NodeID, cell: NodeID? = nil) {
        self.hidden = hidden
        self.cell = cell
    }
}

extension GraphBuilder {
    /// One time step of `cell`: the next state from the input `x` `[batch, features]` and the
    /// previous state (nil: zeros, the usual start, which saves the products with W_h).
    ///
    /// - Throws: when the weights, the input or the state do not fit each other.
    public mutating func recurrentStep(
        _ cell: RecurrentCell, input x: NodeID, state: RecurrentState?, weights: RecurrentWeights
    ) throws(KilnError) -> RecurrentState {
        let xType = type(of: x)
        guard xType.dtype == .float32, xType.shape.rank == 2 else {
            throw compositeError(cell.rawValue, [x], "input 0 is \(xType); expected f32[batch, features]")
        }
        let hiddenSize = try checkRecurrentWeights(cell, features: xType.shape[1], weights: weights, input: x)
        try checkRecurrentState(cell, state, batch: xType.shape[0], hiddenSize: hiddenSize, input: x)
        let projected = try affine(x, AffineWeights(weight: weights.input, bias: weights.bias), op: cell.rawValue, role: "input")
        let hiddenWeights = try RecurrentHiddenWeights(cell, weights.hidden, hiddenSize: hiddenSize, builder: &self)
        return try step(cell, projected: projected, state: state, hiddenWeights: hiddenWeights)
    }

    /// The next state from the projected input `x·W_x + b` `[batch, G·H]`.
    mutating func step(
        _ cell: RecurrentCell, projected: NodeID, state: RecurrentState?, hiddenWeights: RecurrentHiddenWeights
    ) throws(KilnError) -> RecurrentState {
        switch cell {
        case .rnn: try rnnStep(projected: projected, hidden: state?.hidden, weights: hiddenWeights)
        case .lstm: try lstmStep(projected: projected, state: state, weights: hiddenWeights)
        case .gru: try gruStep(projected: projected, hidden: state?.hidden, weights: hiddenWeights)
        }
    }

    /// Columns `[block·size, (block + 1)·size)` of a `[rows, columns]` matrix.
    mutating func columnBlock(_ x: NodeID, _ block: Int, size: Int) throws(KilnError) -> NodeID {
        try add("slice", [x], attributes: ["starts": .ints([block * size]), "ends": .ints([(block + 1) * size]), "axes": .ints([1])])
    }

    /// Checks the weights of `cell` for inputs of `features` features and returns the hidden size.
    func checkRecurrentWeights(
        _ cell: RecurrentCell, features: Int, weights: RecurrentWeights, input: NodeID
    ) throws(KilnError) -> Int {
        let gates = cell.gateCount
        let inputs = [input, weights.input, weights.hidden] + (weights.bias.map { [$0] } ?? [])
        let hidden = type(of: weights.hidden)
        guard hidden.dtype == .float32, hidden.shape.rank == 2, hidden.shape[1] == gates * hidden.shape[0] else {
            throw compositeError(
                cell.rawValue, inputs, "the hidden weight is \(hidden); expected f32[H, \(gates)·H] (\(gates) gate blocks of H columns)")
        }
        let size = hidden.shape[0]
        let expected = [
            ("input weight", Optional(weights.input), TensorType(.float32, [features, gates * size])),
            ("bias", weights.bias, TensorType(.float32, [gates * size])),
        ]
        for (role, node, expectedType) in expected {
            guard let node, type(of: node) != expectedType else { continue }
            throw compositeError(
                cell.rawValue, inputs,
                "the \(role) is \(type(of: node)); expected \(expectedType) for \(features) input features and hidden size \(size)")
        }
        return size
    }

    /// Checks a given state against the batch and hidden size (and that an LSTM state has a cell).
    func checkRecurrentState(
        _ cell: RecurrentCell, _ state: RecurrentState?, batch: Int, hiddenSize: Int, input: NodeID
    ) throws(KilnError) {
        guard let state else { return }
        let expected = TensorType(.float32, [batch, hiddenSize])
        var parts = [("hidden state", state.hidden)]
        if cell == .lstm {
            guard let cellState = state.cell else {
                throw compositeError(cell.rawValue, [input, state.hidden], "the initial state has no cell state; an lstm needs one")
            }
            parts.append(("cell state", cellState))
        }
        for (role, node) in parts where type(of: node) != expected {
            throw compositeError(
                cell.rawValue, [input, node], "the initial \(role) is \(type(of: node)); expected \(expected) (batch × hidden size)")
        }
    }
}

/// W_h prepared for the steps of one cell: whole, or for a GRU split into the gate columns
/// (z, r) and the candidate's, so the split happens once rather than at every step.
struct RecurrentHiddenWeights {
    /// `[H, G·H]`, or for a GRU the gate columns `[H, 2H]`.
    var gates: NodeID
    /// For a GRU, the candidate's columns `[H, H]`.
    var candidate: NodeID?
    /// H.
    var hiddenSize: Int

    init(_ cell: RecurrentCell, _ weight: NodeID, hiddenSize: Int, builder: inout GraphBuilder) throws(KilnError) {
        self.hiddenSize = hiddenSize
        guard cell == .gru else {
            gates = weight
            return
        }
        gates = try builder.add(
            "slice", [weight], attributes: ["starts": .ints([0]), "ends": .ints([2 * hiddenSize]), "axes": .ints([1])])
        candidate = try builder.columnBlock(weight, 2, size: hiddenSize)
    }
}
