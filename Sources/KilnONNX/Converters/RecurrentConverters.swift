import KilnIR

extension ONNXConverters {
    /// `LSTM`, `GRU` and `RNN`, unrolled over the static sequence length.
    static let recurrent: [String: ONNXConverter] = [
        "LSTM": recurrentLayer(.lstm), "GRU": recurrentLayer(.gru), "RNN": recurrentLayer(.rnn),
    ]

    /// The recurrent cells ONNX defines, with their gate counts and orders: LSTM i, o, f, c;
    /// GRU z (update), r (reset), h; RNN one.
    enum RecurrentCell {
        case lstm, gru, rnn

        var gates: Int {
            switch self {
            case .lstm: 4
            case .gru: 3
            case .rnn: 1
            }
        }
    }

    /// A recurrent layer in ONNX layout 0 (`X` is [seq, batch, input]) with the default
    /// activations, forward, reverse or bidirectional. Outputs Y [seq, directions, batch, hidden],
    /// Y_h [directions, batch, hidden] (and Y_c for LSTM).
    static func recurrentLayer(_ cell: RecurrentCell) -> ONNXConverter {
        { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
            guard node.int("layout", default: 0) == 0 else { throw node.error("only layout 0 ([seq, batch, input]) is supported") }
            guard !node.has("activations"), !node.has("clip"), node.int("input_forget", default: 0) == 0 else {
                throw node.error("only the default activations, without clip or input_forget, are supported")
            }
            guard node.input(4) == nil, node.input(7) == nil else {
                throw node.error("sequence_lens and peepholes are not supported (all sequences have the static length)")
            }
            let recurrent = RecurrentUnroll(cell: cell, node: node, hidden: node.int("hidden_size", default: 0))
            return try recurrent.build(&context)
        }
    }
}

/// Builds the unrolled graph of one ONNX recurrent node.
struct RecurrentUnroll {
    let cell: ONNXConverters.RecurrentCell
    let node: ONNXNode
    let hidden: Int

    func build(_ context: inout ImportContext) throws(KilnError) -> [NodeID] {
        let x = try context.input(0, of: node), w = try context.input(1, of: node), r = try context.input(2, of: node)
        let xShape = context.type(of: x).shape
        guard xShape.rank == 3 else { throw node.error("X must be [seq, batch, input], got \(xShape)") }
        let (length, batch) = (xShape[0], xShape[1])
        let direction = node.string("direction", default: "forward")
        let directions: [Bool]
        switch direction {
        case "forward": directions = [false]
        case "reverse": directions = [true]
        case "bidirectional": directions = [false, true]
        default: throw node.error("unknown direction '\(direction)'")
        }
        guard (1...Int(Int32.max)).contains(hidden) else { throw node.error("hidden_size \(hidden) must be from 1 to 2^31 - 1") }
        guard context.type(of: w).shape == [directions.count, cell.gates * hidden, xShape[2]],
              context.type(of: r).shape == [directions.count, cell.gates * hidden, hidden] else {
            throw node.error("W \(context.type(of: w).shape) or R \(context.type(of: r).shape) do not fit hidden_size \(hidden), \(directions.count) direction(s) and input \(xShape)")
        }
        var sequences: [NodeID] = [], finalHidden: [NodeID] = [], finalCell: [NodeID] = []
        for (index, reverse) in directions.enumerated() {
            let result = try unrollDirection(index, reverse: reverse, x: x, w: w, r: r, length: length, batch: batch, &context)
            sequences.append(try context.add("reshape", [result.sequence], attributes: ["shape": .ints([length, 1, batch, hidden])], for: node))
            finalHidden.append(try context.add("reshape", [result.hidden], attributes: ["shape": .ints([1, batch, hidden])], for: node))
            if let state = result.cell {
                finalCell.append(try context.add("reshape", [state], attributes: ["shape": .ints([1, batch, hidden])], for: node))
            }
        }
        func joined(_ parts: [NodeID], axis: Int) throws(KilnError) -> NodeID {
            parts.count == 1 ? parts[0] : try context.add("concat", parts, attributes: ["axis": .int(axis)], for: node)
        }
        var outputs = [try joined(sequences, axis: 1), try joined(finalHidden, axis: 0)]
        if cell == .lstm { outputs.append(try joined(finalCell, axis: 0)) }
        return outputs
    }

    /// One direction: its weights, the input projection for every step at once, then the steps.
    private func unrollDirection(
        _ index: Int, reverse: Bool, x: NodeID, w: NodeID, r: NodeID, length: Int, batch: Int, _ context: inout ImportContext
    ) throws(KilnError) -> (sequence: NodeID, hidden: NodeID, cell: NodeID?) {
        let gatesWidth = cell.gates * hidden
        func pick(_ tensor: NodeID, _ shape: [Int]) throws(KilnError) -> NodeID {
            let slice = try context.add("slice", [tensor], attributes: ["starts": .ints([index]), "ends": .ints([index + 1]), "axes": .ints([0])], for: node)
            return try context.add("reshape", [slice], attributes: ["shape": .ints(shape)], for: node)
        }
        func columns(_ tensor: NodeID, gate: Int, axis: Int = -1) throws(KilnError) -> NodeID {
            try context.add("slice", [tensor], attributes: [
                "starts": .ints([gate * hidden]), "ends": .ints([(gate + 1) * hidden]), "axes": .ints([axis]),
            ], for: node)
        }
        let wd = try pick(w, [gatesWidth, context.type(of: x).shape[2]]), rd = try pick(r, [gatesWidth, hidden])
        var projected = try context.add("matmul", [x, wd], attributes: ["transpose_b": .bool(true)], for: node)
        var recurrentBias: NodeID?
        if node.input(3) != nil {
            let biases = try pick(try context.input(3, of: node), [2 * gatesWidth])
            let inputBias = try context.add("slice", [biases], attributes: ["starts": .ints([0]), "ends": .ints([gatesWidth])], for: node)
            let hiddenBias = try context.add("slice", [biases], attributes: ["starts": .ints([gatesWidth]), "ends": .ints([2 * gatesWidth])], for: node)
            projected = try context.add("add", [projected, inputBias], for: node)
            if cell == .gru {
                recurrentBias = hiddenBias
            } else {
                projected = try context.add("add", [projected, hiddenBias], for: node)
            }
        }
        var h: NodeID, c: NodeID? = nil
        if node.input(5) != nil {
            h = try pick(try context.input(5, of: node), [batch, hidden])
        } else {
            h = zeros(batch, &context)
        }
        if cell == .lstm {
            c = node.input(6) != nil ? try pick(try context.input(6, of: node), [batch, hidden]) : zeros(batch, &context)
        }
        var steps = [NodeID?](repeating: nil, count: length)
        for t in reverse ? Array((0..<length).reversed()) : Array(0..<length) {
            let step = try context.add("slice", [projected], attributes: ["starts": .ints([t]), "ends": .ints([t + 1]), "axes": .ints([0])], for: node)
            let xt = try context.add("reshape", [step], attributes: ["shape": .ints([batch, gatesWidth])], for: node)
            let hr = try context.add("matmul", [h, rd], attributes: ["transpose_b": .bool(true)], for: node)
            switch cell {
            case .rnn:
                h = try context.add("tanh", [try context.add("add", [xt, hr], for: node)], for: node)
            case .lstm:
                let gates = try context.add("add", [xt, hr], for: node)
                let i = try context.add("sigmoid", [try columns(gates, gate: 0)], for: node)
                let o = try context.add("sigmoid", [try columns(gates, gate: 1)], for: node)
                let f = try context.add("sigmoid", [try columns(gates, gate: 2)], for: node)
                let candidate = try context.add("tanh", [try columns(gates, gate: 3)], for: node)
                let kept = try context.add("mul", [f, c!], for: node), added = try context.add("mul", [i, candidate], for: node)
                c = try context.add("add", [kept, added], for: node)
                h = try context.add("mul", [o, try context.add("tanh", [c!], for: node)], for: node)
            case .gru:
                var hrBiased = hr
                if let recurrentBias { hrBiased = try context.add("add", [hr, recurrentBias], for: node) }
                let z = try context.add("sigmoid", [try context.add("add", [try columns(xt, gate: 0), try columns(hrBiased, gate: 0)], for: node)], for: node)
                let resetGate = try context.add("sigmoid", [try context.add("add", [try columns(xt, gate: 1), try columns(hrBiased, gate: 1)], for: node)], for: node)
                let hiddenPart: NodeID
                if node.int("linear_before_reset", default: 0) != 0 {
                    hiddenPart = try context.add("mul", [resetGate, try columns(hrBiased, gate: 2)], for: node)
                } else {
                    let gated = try context.add("mul", [resetGate, h], for: node)
                    let rh = try columns(rd, gate: 2, axis: 0)
                    var product = try context.add("matmul", [gated, rh], attributes: ["transpose_b": .bool(true)], for: node)
                    if let recurrentBias { product = try context.add("add", [product, try columns(recurrentBias, gate: 2)], for: node) }
                    hiddenPart = product
                }
                let candidate = try context.add("tanh", [try context.add("add", [try columns(xt, gate: 2), hiddenPart], for: node)], for: node)
                let oneMinusZ = try context.add("sub", [context.scalar(1, for: node), z], for: node)
                h = try context.add("add", [try context.add("mul", [oneMinusZ, candidate], for: node), try context.add("mul", [z, h], for: node)], for: node)
            }
            steps[t] = try context.add("reshape", [h], attributes: ["shape": .ints([1, batch, hidden])], for: node)
        }
        let sequence = length == 1 ? steps[0]! : try context.add("concat", steps.compactMap { $0 }, attributes: ["axis": .int(0)], for: node)
        return (sequence, h, c)
    }

    private func zeros(_ batch: Int, _ context: inout ImportContext) -> NodeID {
        context.builder.leaf(Node.constantOp, type: TensorType(.float32, [batch, hidden]), name: "\(node.name).zeros",
                             attributes: ["value": .floats([0])], provenance: Provenance(layer: node.name))
    }
}
