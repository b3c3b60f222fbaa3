import KilnIR
import KilnInterpreter
import KilnOps
import KilnPasses
import KilnTestSupport
import Testing

/// Gradients of the attention, positional-encoding, embedding and recurrent composites through
/// autodiff (backpropagation through time for the unrolled cells): interpreted against finite
/// differences, and compiled against interpreted.
@Suite struct SequenceGradientTests {
    /// Checks the gradient of the output `body` builds with respect to the inputs named `wrt`
    /// (every other input, a mask or token ids, is held fixed).
    private func check(
        _ values: [String: ReferenceTensor], wrt targets: [String], seed: UInt64 = 1,
        _ body: (inout GraphBuilder, [String: NodeID]) throws -> NodeID
    ) throws {
        var builder = GraphBuilder(name: "sequence")
        var leaves: [String: NodeID] = [:]
        for name in values.keys.sorted() { leaves[name] = builder.leaf(Node.inputOp, type: values[name]!.type, name: name) }
        let y = try body(&builder, leaves)
        builder.graph.outputs = [GraphOutput(name: "y", node: y)]
        let backward = try GradientChecker.backwardGraph(builder.graph, output: y, wrt: targets, seed: seed)
        let differences = try GradientChecker.checkFiniteDifferences(
            backward, values: values, tolerance: .init(relative: 1e-5, absolute: 1e-6))
        #expect(differences == nil, "\(differences ?? "")")
        let compiled = try GradientChecker.checkCompiled(backward, values: values)
        #expect(compiled == nil, "\(compiled ?? "")")
    }

    private func random(_ shape: Shape, _ seed: UInt64) -> ReferenceTensor {
        ReferenceTensor(TensorValue.random(TensorType(.float32, shape), seed: seed, low: -1, high: 1))
    }

    private func tensor(_ values: [Double], _ shape: Shape) -> ReferenceTensor { ReferenceTensor(shape: shape, values) }

    @Test func scaledDotProductAttentionWithMasks() throws {
        let values = [
            "q": random([2, 3, 4], 1), "k": random([2, 4, 4], 2), "v": random([2, 4, 3], 3),
            "keep": tensor([1, 1, 0, 1, 1, 1, 1, 1], [2, 4]),
        ]
        try check(values, wrt: ["q", "k", "v"]) { builder, x in
            let mask = try builder.add("mul", [try builder.causalMask(queries: 3, keys: 4), try builder.paddingMask(x["keep"]!)])
            return try builder.scaledDotProductAttention(query: x["q"]!, key: x["k"]!, value: x["v"]!, mask: mask).output
        }
    }

    private func seed(_ value: Int64) -> ReferenceTensor { ReferenceTensor(TensorValue(dtype: .int64, shape: [], integers: [value])) }

    @Test func scaledDotProductAttentionWithWeightDropout() throws {
        let values = ["q": random([2, 3, 4], 1), "k": random([2, 4, 4], 2), "v": random([2, 4, 3], 3), "seed": seed(11)]
        try check(values, wrt: ["q", "k", "v"]) { builder, x in
            try builder.scaledDotProductAttention(
                query: x["q"]!, key: x["k"]!, value: x["v"]!,
                dropout: AttentionDropout(seed: x["seed"]!, stream: 3, probability: 0.4)).output
        }
    }

    @Test(arguments: [0, 1])
    func gumbelSoftmax(axis: Int) throws {
        let values = ["logits": random([3, 5], 4), "seed": seed(5)]
        try check(values, wrt: ["logits"]) { builder, x in
            let sample = try builder.gumbelSoftmax(x["logits"]!, seed: x["seed"]!, stream: 1, temperature: 0.7, axis: axis)
            // A weighted sum, so that the gradient is not zero (a softmax's outputs sum to 1).
            return try builder.add("mul", [sample, try builder.constant((0..<15).map { Double($0) / 7 }, shape: [3, 5])])
        }
    }

    @Test func hardGumbelSoftmaxIsOneHotWithTheSoftGradient() throws {
        let logits = random([4, 6], 6)
        let weights = ReferenceTensor(TensorValue.random(TensorType(.float32, [4, 6]), seed: 9, low: -1, high: 1))
        func backward(hard: Bool) throws -> (forward: [Double], gradient: [Double]) {
            var builder = GraphBuilder(name: "gumbel")
            let x = builder.leaf(Node.inputOp, type: logits.type, name: "logits")
            let seedNode = builder.leaf(Node.inputOp, type: TensorType(.int64, []), name: "seed")
            let w = builder.leaf(Node.inputOp, type: weights.type, name: "w")
            let sample = try builder.gumbelSoftmax(x, seed: seedNode, stream: 2, temperature: 0.5, hard: hard)
            let y = try builder.add("sum", [try builder.add("mul", [sample, w])])
            let gradient = try builder.gradients(of: y, wrt: [x], seed: builder.scalar(1))[0]
            builder.graph.outputs = [GraphOutput(name: "sample", node: sample), GraphOutput(name: "gradient", node: gradient)]
            let result = try Interpreter.run(builder.graph, inputs: ["logits": logits, "seed": seed(3), "w": weights], parameters: [:])
            return (result["sample"]!.values, result["gradient"]!.values)
        }
        let (soft, hard) = (try backward(hard: false), try backward(hard: true))
        #expect(soft.gradient == hard.gradient, "straight-through: the hard sample's gradient is the soft sample's")
        for row in 0..<4 {
            let hardRow = Array(hard.forward[row * 6..<(row + 1) * 6]), softRow = Array(soft.forward[row * 6..<(row + 1) * 6])
            #expect(hardRow.sorted() == [0, 0, 0, 0, 0, 1], "row \(row) is one-hot")
            #expect(hardRow.firstIndex(of: 1) == softRow.firstIndex(of: softRow.max()!), "at the soft sample's maximum")
        }
    }

    @Test(arguments: [false, true])
    func multiHeadAttention(packed: Bool) throws {
        var values = ["x": random([2, 3, 4], 4), "wo": random([4, 4], 5), "bo": random([4], 6), "keep": tensor([1, 1, 0, 1, 1, 1], [2, 3])]
        if packed {
            values["w"] = random([4, 12], 7)
            values["b"] = random([12], 8)
        } else {
            for (index, name) in ["wq", "wk", "wv"].enumerated() { values[name] = random([4, 4], 10 + UInt64(index)) }
        }
        try check(values, wrt: values.keys.filter { $0 != "keep" }.sorted()) { builder, x in
            let projections: AttentionProjections = packed
                ? .packed(AffineWeights(weight: x["w"]!, bias: x["b"]!))
                : .separate(
                    query: AffineWeights(weight: x["wq"]!), key: AffineWeights(weight: x["wk"]!), value: AffineWeights(weight: x["wv"]!))
            return try builder.multiHeadAttention(
                query: x["x"]!, key: x["x"]!, value: x["x"]!, heads: 2, projections: projections,
                output: AffineWeights(weight: x["wo"]!, bias: x["bo"]!), mask: try builder.paddingMask(x["keep"]!)).output
        }
    }

    @Test func additiveAttention() throws {
        let values = [
            "s": random([2, 2, 3], 20), "h": random([2, 4, 3], 21), "w": random([3, 5], 22), "u": random([3, 5], 23),
            "b": random([5], 24), "v": random([5], 25),
        ]
        try check(values, wrt: ["s", "h", "w", "u", "b", "v"]) { builder, x in
            let weights = AdditiveAttentionWeights(query: x["w"]!, key: x["u"]!, bias: x["b"]!, score: x["v"]!)
            let keys = try builder.additiveAttentionKeys(x["h"]!, weights: weights)
            return try builder.additiveAttention(query: x["s"]!, projectedKeys: keys, values: x["h"]!, weights: weights).output
        }
    }

    @Test(arguments: [LocalAttentionCentre.aligned, .predicted])
    func localAttention(centre: LocalAttentionCentre) throws {
        let values = ["q": random([1, 5, 3], 30), "k": random([1, 5, 3], 31), "v": random([1, 5, 2], 32)]
        try check(values, wrt: ["q", "k", "v"]) { builder, x in
            try builder.localAttention(query: x["q"]!, key: x["k"]!, value: x["v"]!, window: 1, centre: centre).output
        }
    }

    @Test func hardAttentionPassesGradientsToTheValuesOnly() throws {
        let values = ["q": random([2, 3], 40), "k": random([4, 3], 41), "v": random([4, 2], 42)]
        try check(values, wrt: ["v"]) { builder, x in
            try builder.hardAttention(query: x["q"]!, key: x["k"]!, value: x["v"]!).output
        }
        var builder = GraphBuilder(name: "hard")
        let leaves = values.keys.sorted().map { builder.leaf(Node.inputOp, type: values[$0]!.type, name: $0) }
        let y = try builder.hardAttention(query: leaves[1], key: leaves[0], value: leaves[2]).output
        let loss = try builder.add("sum", [y])
        #expect(throws: KilnError.invalidArgument(
            "cannot differentiate 'sum' with respect to 'q': every path to the loss passes through input 0 of one_hot 'one_hot', which has no gradient")) {
            _ = try builder.gradients(of: loss, wrt: [leaves[1]])
        }
    }

    @Test func nonLocalBlock() throws {
        var values = ["x": random([1, 2, 2, 2], 50)]
        for (index, name) in ["theta", "phi", "g"].enumerated() {
            values[name] = random([3, 2], 51 + UInt64(index))
            values[name + "_bias"] = random([3], 61 + UInt64(index))
        }
        values["out"] = random([2, 3], 70)
        try check(values, wrt: values.keys.sorted()) { builder, x in
            let projection = { (name: String) in ChannelProjection(weight: x[name]!, bias: x[name + "_bias"]) }
            return try builder.nonLocalBlock(
                x["x"]!, NonLocalWeights(theta: projection("theta"), phi: projection("phi"), g: projection("g"), output: projection("out")))
        }
    }

    @Test func positionalEncodingsAndEmbedding() throws {
        try check(["x": random([2, 3, 4], 80)], wrt: ["x"]) { builder, x in try builder.addSinusoidalPositions(x["x"]!) }
        try check(["x": random([2, 3, 4], 81), "table": random([5, 4], 82)], wrt: ["x", "table"]) { builder, x in
            try builder.addLearnedPositions(x["x"]!, table: x["table"]!)
        }
        let ids = ReferenceTensor(TensorType(.int64, [2, 3]), [1, 4, 1, 0, 2, 1])
        try check(["ids": ids, "table": random([5, 3], 83)], wrt: ["table"]) { builder, x in
            try builder.embedding(x["ids"]!, table: x["table"]!)
        }
    }

    @Test(arguments: RecurrentCell.allCases)
    func backpropagationThroughTime(cell: RecurrentCell) throws {
        let (hidden, features) = (2, 3)
        let columns = cell.gateCount * hidden
        var values = [
            "x": random([2, 3, features], 90), "wx": random([features, columns], 91), "wh": random([hidden, columns], 92),
            "b": random([columns], 93), "h0": random([2, hidden], 94),
        ]
        if cell == .lstm { values["c0"] = random([2, hidden], 95) }
        for reverse in [false, true] {
            try check(values, wrt: values.keys.sorted()) { builder, x in
                let initial = RecurrentState(hidden: x["h0"]!, cell: x["c0"])
                let weights = RecurrentWeights(input: x["wx"]!, hidden: x["wh"]!, bias: x["b"]!)
                let result = try builder.recurrentLayer(cell, x["x"]!, weights: weights, initial: initial, reverse: reverse)
                let final = try builder.add("reshape", [result.final.cell ?? result.final.hidden], attributes: ["shape": .ints([2, 1, hidden])])
                return try builder.add("concat", [result.outputs, final], attributes: ["axis": .int(1)])
            }
        }
    }
}
