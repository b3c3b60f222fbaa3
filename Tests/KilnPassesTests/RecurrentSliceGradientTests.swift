import Kiln
import KilnIR
import KilnInterpreter
import KilnOps
import KilnPasses
import KilnRuntime
import Testing

/// Backpropagation through time after the standard passes: the slice gradients of the input
/// projection are one concatenation (no pad to the whole sequence is left), and the optimized
/// step's gradients equal the unoptimized ones (interpreted; those are checked against finite
/// differences above) and compiled float32 matches them.
@Suite struct RecurrentSliceGradientTests {
    /// The unrolled cells; an LSTM is one `lstm_sequence` node, which slices nothing per step.
    @Test(arguments: [KilnOps.RecurrentCell.rnn, .gru])
    func sliceGradientsAreOneConcatenation(cell: KilnOps.RecurrentCell) throws {
        let (batch, steps, features, hidden) = (2, 5, 3, 4)
        let columns = cell.gateCount * hidden
        var builder = GraphBuilder(name: "bptt")
        let x = builder.leaf(Node.inputOp, type: .f32(batch, steps, features), name: "x")
        let wx = builder.leaf(Node.parameterOp, type: .f32(features, columns), name: "wx")
        let wh = builder.leaf(Node.parameterOp, type: .f32(hidden, columns), name: "wh")
        let b = builder.leaf(Node.parameterOp, type: .f32(columns), name: "b")
        let result = try builder.recurrentLayer(cell, x, weights: RecurrentWeights(input: wx, hidden: wh, bias: b))
        let loss = try builder.add("mean", [try builder.add("mul", [result.outputs, result.outputs])], attributes: ["keepdims": .bool(false)])
        let gradients = try builder.gradients(of: loss, wrt: [x, wx, wh, b])
        builder.graph.outputs = zip(["x", "wx", "wh", "b"], gradients).map { GraphOutput(name: "grad.\($0)", node: $1) }
        let graph = builder.graph
        let optimized = try GraphOptimizer.optimize(graph, isTraining: true).graph
        let sequence = Shape([batch, steps, columns])
        #expect(graph.nodes.contains { $0.op == "pad" && $0.type.shape == sequence })
        #expect(!optimized.nodes.contains { $0.op == "pad" && $0.type.shape == sequence })
        #expect(optimized.nodes.contains { $0.op == "concat" && $0.type.shape == sequence && $0.inputs.count == steps })

        var values: [String: ReferenceTensor] = [:]
        for (index, node) in graph.nodes.enumerated() where node.op == Node.inputOp || node.op == Node.parameterOp {
            values[node.name] = ReferenceTensor(TensorValue.random(node.type, seed: UInt64(index) + 40))
        }
        let inputs = ["x": values["x"]!], parameters = values.filter { $0.key != "x" }
        let expected = try Interpreter.run(graph, inputs: inputs, parameters: parameters)
        let interpreted = try Interpreter.run(optimized, inputs: inputs, parameters: parameters)
        let compiled = try Executable(graph: optimized, parameters: parameters.mapValues(\.tensorValue))
            .run(inputs.mapValues(\.tensorValue))
        for name in ["x", "wx", "wh", "b"].map({ "grad.\($0)" }) {
            let reference = try #require(expected[name]).values
            let exact = zip(try #require(interpreted[name]).values, reference).map { abs($0 - $1) }.max() ?? 0
            #expect(exact <= 1e-12, "\(name): optimized differs from unoptimized by \(exact)")
            let scale = max(1e-3, reference.map(abs).max() ?? 0)
            let mismatch = Approximate.mismatch(try #require(compiled[name]).doubles, reference, relative: 1e-4, absolute: 1e-4 * scale)
            #expect(mismatch == nil, "\(name) compiled: \(mismatch ?? "")")
        }
    }
}
