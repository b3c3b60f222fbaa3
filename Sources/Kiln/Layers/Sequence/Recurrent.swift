import KilnIR
import KilnOps

/// The recurrent cells: `.rnn` (tanh), `.lstm` (input, forget, output gates and a cell state) and
/// `.gru` (update and reset gates); equations on `KilnOps.RecurrentCell`.
public typealias RecurrentCell = KilnOps.RecurrentCell

/// A recurrent cell's state in the DSL: the hidden state `[batch, H]` and, for an LSTM, the
/// cell state `[batch, H]`.
public struct HiddenState {
    /// h.
    public var hidden: Tensor
    /// C (LSTM only).
    public var cell: Tensor?

    /// Creates a state.
    public init(hidden: Tensor, cell: Tensor? = nil) {
        self.hidden = hidden
        self.cell = cell
    }

    var nodes: RecurrentState { RecurrentState(hidden: hidden.id, cell: cell?.id) }

    init(_ state: RecurrentState, in context: GraphContext) {
        hidden = Tensor(context: context, id: state.hidden)
        cell = state.cell.map { Tensor(context: context, id: $0) }
    }
}

/// The parameters of one cell: W_x `[inputSize, G·H]`, W_h `[H, G·H]` and b `[G·H]`, weights
/// uniform on ±1/√H (PyTorch's default), bias zero.
struct RecurrentParameters {
    let input: Parameter
    let hidden: Parameter
    let bias: Parameter?

    init(_ cell: RecurrentCell, inputSize: Int, hiddenSize: Int, bias: Bool, prefix: String) {
        let columns = cell.gateCount * hiddenSize
        let bound = 1 / Double(hiddenSize).squareRoot()
        input = Parameter("\(prefix)input_weight", shape: [inputSize, columns], initializer: .uniform(low: -bound, high: bound))
        hidden = Parameter("\(prefix)hidden_weight", shape: [hiddenSize, columns], initializer: .uniform(low: -bound, high: bound))
        self.bias = bias ? Parameter("\(prefix)bias", shape: [columns], initializer: .zeros) : nil
    }

    /// The parameters' nodes, as `layer`'s, in `x`'s graph.
    func weights(of layer: some Layer, for x: Tensor) -> RecurrentWeights {
        RecurrentWeights(
            input: layer.node(of: input, for: x).id, hidden: layer.node(of: hidden, for: x).id,
            bias: bias.map { layer.node(of: $0, for: x).id })
    }
}

/// One recurrent cell with its own weights, stepped by hand: a decoder that feeds each step's
/// output (or attention context) into the next. As a layer, it runs over a whole sequence.
public final class RecurrentCellLayer: Layer {
    /// The cell's kind.
    public let cell: RecurrentCell
    /// H.
    public let hiddenSize: Int
    public let name: String?
    let parameters: RecurrentParameters

    /// Creates a cell reading `inputSize` features with `hiddenSize` hidden units.
    public init(_ cell: RecurrentCell, inputSize: Int, hiddenSize: Int, bias: Bool = true, name: String? = nil) {
        self.cell = cell
        self.hiddenSize = hiddenSize
        self.name = name
        parameters = RecurrentParameters(cell, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, prefix: "")
    }

    /// The state after one step on `x` (`[batch, inputSize]`) from `state` (nil: zeros).
    public func step(_ x: Tensor, state: HiddenState?, file: String = #fileID, line: Int = #line) -> HiddenState {
        calling(x.context, file: file, line: line) {
            let weights = parameters.weights(of: self, for: x)
            let next = x.context.compositeResult([x], file: file, line: line) { builder throws(KilnError) in
                try builder.recurrentStep(cell, input: x.id, state: state?.nodes, weights: weights)
            }
            return next.map { HiddenState($0, in: x.context) } ?? HiddenState(hidden: x)
        }
    }

    /// The hidden state after every step of `x` (`[batch, steps, inputSize]` → `[batch, steps, H]`).
    public func forward(_ x: Tensor) -> Tensor {
        let weights = parameters.weights(of: self, for: x)
        return x.context.composite(fallback: x, file: nil, line: nil) { builder throws(KilnError) in
            try builder.recurrentLayer(cell, x.id, weights: weights).outputs
        }
    }
}

/// What a recurrent layer computes: the top layer's hidden state at every position and the final
/// state of every layer and direction.
public struct RecurrentOutput {
    /// `[batch, steps, directions·H]`: the forward and (bidirectional) backward states side by side.
    public let outputs: Tensor
    /// The final states, index `layer·directions + direction` (direction 1 is the backward one,
    /// whose final state is after reading position 0).
    public let final: [HiddenState]
}

/// A recurrent layer unrolled over the static sequence length of its input
/// `[batch, steps, inputSize]`: `layers` stacked cells (each reading the one below), each
/// optionally bidirectional (a second cell reads the sequence backwards and the two states are
/// concatenated). The weights of a cell are shared by all its steps; backpropagation through
/// time is the ordinary backward pass over the unrolled graph.
///
/// Parameters per cell: `G·H·(inputs + H + 1)` with G = 1 (RNN), 4 (LSTM) or 3 (GRU).
/// Use `RNN`, `LSTM` or `GRU`.
public class RecurrentLayer: Layer {
    /// The cell's kind.
    public let cell: RecurrentCell
    /// H per direction.
    public let hiddenSize: Int
    /// The number of stacked layers.
    public let layers: Int
    /// Whether each layer also reads the sequence backwards.
    public let bidirectional: Bool
    /// Dropout probability on the outputs of every layer but the last (training only).
    public let dropout: Double
    public let name: String?
    private let cells: [RecurrentParameters]

    /// Creates the stack; cell `l·directions + d` reads `inputSize` features (layer 0) or the
    /// outputs of layer `l − 1`.
    public init(
        _ cell: RecurrentCell, inputSize: Int, hiddenSize: Int, layers: Int = 1, bidirectional: Bool = false,
        dropout: Double = 0, bias: Bool = true, name: String? = nil
    ) {
        self.cell = cell
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.name = name
        let directions = bidirectional ? 2 : 1
        cells = (0..<max(layers, 1)).flatMap { layer in
            (0..<directions).map { direction in
                RecurrentParameters(
                    cell, inputSize: layer == 0 ? inputSize : directions * hiddenSize, hiddenSize: hiddenSize, bias: bias,
                    prefix: "l\(layer)\(direction == 1 ? "_reverse" : "").")
            }
        }
    }

    /// The top layer's outputs `[batch, steps, directions·H]`.
    public func forward(_ x: Tensor) -> Tensor { unrolled(x, initial: nil).outputs }

    /// Runs the stack on `x` from `initial` states (one per layer and direction, in the order of
    /// `RecurrentOutput.final`; nil: zeros).
    public func run(
        _ x: Tensor, initial: [HiddenState]? = nil, file: String = #fileID, line: Int = #line
    ) -> RecurrentOutput {
        calling(x.context, file: file, line: line) { unrolled(x, initial: initial) }
    }

    private func unrolled(_ x: Tensor, initial: [HiddenState]?) -> RecurrentOutput {
        let context = x.context
        let directions = bidirectional ? 2 : 1
        if let initial, initial.count != cells.count {
            context.record(.invalidArgument(
                "\(cell.rawValue): \(initial.count) initial states given; expected \(cells.count) (layers × directions)"))
            return RecurrentOutput(outputs: x, final: [])
        }
        var input = x
        var final: [HiddenState] = []
        for layer in 0..<max(layers, 1) {
            var outputs: [Tensor] = []
            for direction in 0..<directions {
                let index = layer * directions + direction
                let weights = cells[index].weights(of: self, for: input)
                let start = initial?[index].nodes
                let layerInput = input
                guard let result = context.compositeResult([layerInput], file: nil, line: nil, { builder throws(KilnError) in
                    try builder.recurrentLayer(cell, layerInput.id, weights: weights, initial: start, reverse: direction == 1)
                }) else { return RecurrentOutput(outputs: x, final: final) }
                outputs.append(Tensor(context: context, id: result.outputs))
                final.append(HiddenState(result.final, in: context))
            }
            input = outputs.count == 1 ? outputs[0] : concat(outputs, axis: 2)
            if layer < layers - 1 { input = Kiln.dropout(input, p: dropout) }
        }
        return RecurrentOutput(outputs: input, final: final)
    }
}

/// The plain (tanh) RNN, unrolled; see `RecurrentLayer`.
public final class RNN: RecurrentLayer {
    /// Creates an RNN stack.
    public init(
        inputSize: Int, hiddenSize: Int, layers: Int = 1, bidirectional: Bool = false, dropout: Double = 0,
        bias: Bool = true, name: String? = nil
    ) {
        super.init(
            .rnn, inputSize: inputSize, hiddenSize: hiddenSize, layers: layers, bidirectional: bidirectional,
            dropout: dropout, bias: bias, name: name)
    }
}

/// The LSTM, unrolled; see `RecurrentLayer`.
public final class LSTM: RecurrentLayer {
    /// Creates an LSTM stack.
    public init(
        inputSize: Int, hiddenSize: Int, layers: Int = 1, bidirectional: Bool = false, dropout: Double = 0,
        bias: Bool = true, name: String? = nil
    ) {
        super.init(
            .lstm, inputSize: inputSize, hiddenSize: hiddenSize, layers: layers, bidirectional: bidirectional,
            dropout: dropout, bias: bias, name: name)
    }
}

/// The GRU, unrolled; see `RecurrentLayer`.
public final class GRU: RecurrentLayer {
    /// Creates a GRU stack.
    public init(
        inputSize: Int, hiddenSize: Int, layers: Int = 1, bidirectional: Bool = false, dropout: Double = 0,
        bias: Bool = true, name: String? = nil
    ) {
        super.init(
            .gru, inputSize: inputSize, hiddenSize: hiddenSize, layers: layers, bidirectional: bidirectional,
            dropout: dropout, bias: bias, name: name)
    }
}
