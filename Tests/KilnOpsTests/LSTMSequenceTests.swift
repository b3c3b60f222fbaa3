import KilnIR
import KilnOps
import KilnRuntime
import Testing

/// `lstm_sequence` and its backward node compiled by tcc and by the native compiler (whose
/// AVX-512 panel products are another code path) against the float64 interpreter, on sizes at the
/// edges of the kernel's blocks: a batch past a block of 8 rows, a gate width that is not a
/// multiple of the 32-column panel, one step, one sequence; and the graph and plan the LSTM layer builds.
@Suite struct LSTMSequenceTests {
    static let native = NativeBackend(cache: nil)

    /// (batch, steps, features, hidden, initial state, reverse).
    static let shapes = [(9, 3, 7, 9, true, true), (1, 1, 3, 8, false, false), (16, 4, 5, 3, false, false), (2, 5, 1, 16, true, false)]

    private func inputs(_ shape: (Int, Int, Int, Int, Bool, Bool), backward: Bool) -> [TensorValue] {
        let (batch, steps, features, hidden, initial, _) = shape
        let panels = (4 * hidden + 31) / 32
        var types: [TensorType] = [.f32(batch, steps, features), .f32(panels, features, 32), .f32(panels, hidden, 32), .f32(4 * hidden)]
        if backward { types += [.f32(hidden, 4 * hidden), .f32(2, batch, steps, hidden), .f32(2, batch, steps, hidden)] }
        if initial { types += [.f32(batch, hidden), .f32(batch, hidden)] }
        return types.enumerated().map { TensorValue.random($0.element, seed: UInt64(17 + $0.offset)) }
    }

    @Test(arguments: [false, true], [false, true])
    func compiledMatchesInterpreter(native: Bool, backward: Bool) throws {
        if native { try #require(Self.native.compiler != nil, "no system C compiler") }
        let execution = native ? ExecutionBackend(.native, native: Self.native) : ExecutionBackend(.tcc)
        for shape in Self.shapes {
            let op = backward ? "lstm_sequence_backward" : "lstm_sequence"
            let run = try OneNodeRun(op, inputs(shape, backward: backward), ["reverse": .bool(shape.5)], execution: execution)
            #expect(close(run.compiled, run.reference, tolerance: 2e-5), "\(op) \(shape) native \(native)")
        }
    }

    @Test func layerIsOneNodeWithPreparedPanels() throws {
        let (batch, steps, features, hidden) = (3, 6, 4, 5)
        let types: [String: TensorType] = [
            "x": .f32(batch, steps, features), "wx": .f32(features, 4 * hidden), "wh": .f32(hidden, 4 * hidden), "b": .f32(4 * hidden),
        ]
        let graph = try CompositeRunner.graph(types) { builder, x in
            ["y": try builder.recurrentLayer(.lstm, x["x"]!, weights: RecurrentWeights(input: x["wx"]!, hidden: x["wh"]!, bias: x["b"]!)).outputs]
        }
        #expect(graph.nodes.filter { $0.op == "lstm_sequence" }.count == 1)
        #expect(graph.nodes.filter { $0.op == "matmul" }.isEmpty)  // no per-step products, no projection node
        let plan = KernelPlan.rules(for: graph).text(for: graph)
        #expect(plan.contains("lstm_sequence -> f32[2,\(batch),\(steps),\(hidden)]: lstm-panel-gemm+fused-gates"), "\(plan)")
    }

    @Test func mismatchedPanelsNameTheInput() {
        let message = shapeError("lstm_sequence", [.f32(2, 3, 4), .f32(1, 5, 32), .f32(1, 5, 32), .f32(20)])
        #expect(message == "input 1 (input weight panels) has shape [1,5,32]; expected [1,4,32] for hidden size 5")
    }
}
