import KilnIR

/// The sizes of an `lstm_sequence` (and of its backward node), read from its inputs
/// `x [B, T, F]`, `W_x` panels `[⌈4H/32⌉, F, 32]`, `W_h` panels `[⌈4H/32⌉, H, 32]`, `b [4H]` and
/// optionally `h₀, C₀ [B, H]`.
struct LSTMSequenceGeometry {
    /// The column width of a weight panel (`KILN_PANEL` in the C).
    static let panelWidth = 32

    var batch: Int, steps: Int, features: Int, hidden: Int
    var hasInitial: Bool
    var reverse: Bool

    /// 4H, the gate columns.
    var gates: Int { 4 * hidden }
    /// ⌈4H/32⌉.
    var panels: Int { (gates + Self.panelWidth - 1) / Self.panelWidth }

    /// The positions in processing order.
    var order: [Int] { reverse ? Array((0..<steps).reversed()) : Array(0..<steps) }

    /// The position processed before `t` (nil for the first one processed).
    func previous(_ t: Int) -> Int? {
        let p = reverse ? t + 1 : t - 1
        return (0..<steps).contains(p) ? p : nil
    }

    /// Checks inputs 0...3 (and 4, 5 when `initialAt` is 4) and reads the sizes.
    init(_ inputs: [TensorType], _ attributes: Attributes, initialAt: Int?) throws(ShapeError) {
        for (index, input) in inputs.enumerated() where input.dtype != .float32 {
            throw ShapeError("input \(index) is \(input); expected f32")
        }
        let x = inputs[0].shape, wh = inputs[2].shape
        guard x.rank == 3, x[1] >= 1 else { throw ShapeError("input 0 (sequence) has shape \(x); expected [batch, steps, features]") }
        guard wh.rank == 3, wh[2] == Self.panelWidth else {
            throw ShapeError("input 2 (hidden weight panels) has shape \(wh); expected [⌈4H/32⌉, H, 32]")
        }
        (batch, steps, features, hidden) = (x[0], x[1], x[2], wh[1])
        hasInitial = initialAt != nil
        reverse = attributes.bool("reverse", default: false)
        let expected: [(Int, String, Shape)] = [
            (1, "input weight panels", Shape([panels, features, Self.panelWidth])),
            (2, "hidden weight panels", Shape([panels, hidden, Self.panelWidth])),
            (3, "bias", Shape([gates])),
        ] + (initialAt.map { [($0, "initial hidden state", Shape([batch, hidden])), ($0 + 1, "initial cell state", Shape([batch, hidden]))] } ?? [])
        for (index, role, shape) in expected where inputs[index].shape != shape {
            throw ShapeError("input \(index) (\(role)) has shape \(inputs[index].shape); expected \(shape) for hidden size \(hidden)")
        }
    }
}

extension GraphBuilder {
    /// `w [K, N]` as column panels `[⌈N/32⌉, K, 32]` (zero-padded), the layout `kiln_panel_gemm`
    /// reads: a pad, a reshape and a transpose, so it has a gradient, and for weights that no
    /// update changes it runs once in the preparation kernels.
    mutating func packPanels(_ w: NodeID) throws(KilnError) -> NodeID {
        let shape = type(of: w).shape, width = LSTMSequenceGeometry.panelWidth
        let panels = (shape[1] + width - 1) / width
        var padded = w
        if panels * width != shape[1] {
            padded = try add("pad", [w], attributes: ["pads": .ints([0, 0, 0, panels * width - shape[1]])])
        }
        let grouped = try add("reshape", [padded], attributes: ["shape": .ints([shape[0], panels, width])])
        return try add("transpose", [grouped], attributes: ["perm": .ints([1, 0, 2])])
    }

    /// The `[K, columns]` matrix whose panels `p` (`[⌈columns/32⌉, K, 32]`) holds.
    mutating func unpackPanels(_ p: NodeID, columns: Int) throws(KilnError) -> NodeID {
        let shape = type(of: p).shape
        let rows = try add("transpose", [p], attributes: ["perm": .ints([1, 0, 2])])
        let matrix = try add("reshape", [rows], attributes: ["shape": .ints([shape[1], shape[0] * shape[2]])])
        guard shape[0] * shape[2] != columns else { return matrix }
        return try add("slice", [matrix], attributes: ["starts": .ints([0]), "ends": .ints([columns]), "axes": .ints([1])])
    }

    /// An LSTM layer as one `lstm_sequence` node: the hidden states `[B, T, H]` and the final state.
    mutating func lstmSequence(
        _ x: NodeID, weights: RecurrentWeights, hiddenSize: Int, initial: RecurrentState?, reverse: Bool
    ) throws(KilnError) -> (outputs: NodeID, final: RecurrentState) {
        let shape = type(of: x).shape
        let (batch, steps) = (shape[0], shape[1])
        let bias = weights.bias ?? constant([Double](repeating: 0, count: 4 * hiddenSize), shape: Shape([4 * hiddenSize]))
        var inputs = [x, try packPanels(weights.input), try packPanels(weights.hidden), bias]
        if let initial, let cell = initial.cell { inputs += [initial.hidden, cell] }
        let states = try add("lstm_sequence", inputs, attributes: ["reverse": .bool(reverse)])
        func plane(_ index: Int, steps range: Range<Int>, shape: [Int]) throws(KilnError) -> NodeID {
            let part = try add(
                "slice", [states],
                attributes: ["starts": .ints([index, range.lowerBound]), "ends": .ints([index + 1, range.upperBound]), "axes": .ints([0, 2])])
            return try add("reshape", [part], attributes: ["shape": .ints(shape)])
        }
        let last = reverse ? 0 : steps - 1
        let outputs = try plane(0, steps: 0..<steps, shape: [batch, steps, hiddenSize])
        let final = RecurrentState(
            hidden: try plane(0, steps: last..<(last + 1), shape: [batch, hiddenSize]),
            cell: try plane(1, steps: last..<(last + 1), shape: [batch, hiddenSize]))
        return (outputs, final)
    }
}
