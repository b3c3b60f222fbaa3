import KilnIR
import KilnInterpreter
import KilnOps
import KilnPasses
import KilnTestSupport
import Testing

/// Focused tests of `gradients(of:wrt:)`: exact values, accumulation, inputs and parameters,
/// pruning, provenance and every error message.
@Suite struct AutodiffTests {
    private static let scalar = TensorType(.float32, [])

    /// Interprets `graph` with outputs set to `nodes` and returns their values in order.
    private func evaluate(
        _ graph: Graph, _ nodes: [NodeID], inputs: [String: ReferenceTensor] = [:],
        parameters: [String: ReferenceTensor] = [:]
    ) throws -> [[Double]] {
        var graph = graph
        graph.outputs = nodes.enumerated().map { GraphOutput(name: "out\($0)", node: $1) }
        try OperatorRegistry.verify(graph)
        let values = try Interpreter.run(graph, inputs: inputs, parameters: parameters)
        return nodes.indices.map { values["out\($0)"]?.values ?? [] }
    }

    @Test func squareThroughMultiplication() throws {
        var builder = GraphBuilder(name: "square")
        let x = builder.leaf(Node.inputOp, type: Self.scalar, name: "x")
        let y = try builder.add("mul", [x, x], name: "y")
        let gradient = try builder.gradients(of: y, wrt: [x])
        let values = try evaluate(builder.graph, gradient, inputs: ["x": ReferenceTensor(shape: [], [1.5])])
        #expect(values == [[3]])
    }

    @Test func sharedInputAccumulates() throws {
        var builder = GraphBuilder(name: "shared")
        let x = builder.leaf(Node.inputOp, type: Self.scalar, name: "x")
        let three = builder.scalar(3)
        let y = try builder.add("add", [try builder.add("mul", [x, three]), x], name: "y")
        let gradient = try builder.gradients(of: y, wrt: [x])
        #expect(builder.graph.nodes.contains { $0.name == "x.grad.accumulate" && $0.op == "add" })
        let values = try evaluate(builder.graph, gradient, inputs: ["x": ReferenceTensor(shape: [], [2])])
        #expect(values == [[4]])
    }

    @Test func gradientsOfInputsAndParameters() throws {
        var graph = Graph(name: "dot")
        let x = graph.append(op: Node.inputOp, type: .f32(1, 3), name: "x")
        let w = graph.append(op: Node.parameterOp, type: .f32(3, 1), name: "w")
        let y = graph.append(op: "matmul", inputs: [x, w], type: .f32(1, 1), name: "y")
        let gradients = try gradients(of: y, wrt: [x, w], in: &graph)
        let values = try evaluate(
            graph, gradients, inputs: ["x": ReferenceTensor(shape: [1, 3], [1, 2, 3])],
            parameters: ["w": ReferenceTensor(shape: [3, 1], [4, 5, 6])])
        #expect(values == [[4, 5, 6], [1, 2, 3]])
        #expect(graph[gradients[0]].type == .f32(1, 3))
        #expect(graph[gradients[1]].type == .f32(3, 1))
    }

    @Test func targetThatDoesNotAffectTheLossGetsZeros() throws {
        var builder = GraphBuilder(name: "unused")
        let x = builder.leaf(Node.inputOp, type: .f32(2), name: "x")
        let unused = builder.leaf(Node.inputOp, type: .f32(2, 2), name: "unused")
        let y = try builder.add("square", [try builder.add("reshape", [x], attributes: ["shape": .ints([2, 1])])])
        let loss = try builder.add("matmul", [y, y], attributes: ["transpose_a": .bool(true)], name: "loss")
        let gradients = try builder.gradients(of: loss, wrt: [unused, x])
        let zeros = builder.graph[gradients[0]]
        #expect(zeros.op == Node.constantOp && zeros.type == .f32(2, 2) && zeros.attributes.floats("value") == [0])
        let values = try evaluate(builder.graph, [gradients[1]], inputs: [
            "x": ReferenceTensor(shape: [2], [1, 2]), "unused": ReferenceTensor(shape: [2, 2], [0, 0, 0, 0]),
        ])
        #expect(values == [[4, 32]])  // d/dx Σx⁴ = 4x³
    }

    @Test func maskAlongsideADifferentiablePathIsNoError() throws {
        var builder = GraphBuilder(name: "relu")
        let x = builder.leaf(Node.inputOp, type: .f32(2), name: "x")
        let mask = try builder.add("greater", [x, builder.scalar(0)], name: "mask")
        let y = try builder.add("mul", [x, mask], name: "y")
        let loss = try builder.add("matmul", [
            try builder.add("reshape", [y], attributes: ["shape": .ints([1, 2])]),
            try builder.add("reshape", [x], attributes: ["shape": .ints([2, 1])]),
        ], name: "loss")
        let gradient = try builder.gradients(of: loss, wrt: [x])
        let values = try evaluate(builder.graph, gradient, inputs: ["x": ReferenceTensor(shape: [2], [-1, 3])])
        #expect(values == [[0, 6]])  // d/dx Σ relu(x)·x = 2x where x > 0
    }

    @Test func backwardNodesKeepTheirForwardNodesProvenance() throws {
        var builder = GraphBuilder(name: "provenance")
        let x = builder.leaf(Node.inputOp, type: Self.scalar, name: "x")
        let site = Provenance(layer: "fc1", file: "App/Model.swift", line: 12)
        let y = try builder.add("sin", [x], name: "y", provenance: site)
        let gradient = try builder.gradients(of: y, wrt: [x])
        let backward = builder.graph.nodes[(y.index + 1)...]
        #expect(backward.contains { $0.id == gradient[0] })
        #expect(backward.allSatisfy { $0.provenance == site })
    }

    @Test func unusedBackwardNodesAreDropped() throws {
        var builder = GraphBuilder(name: "power")
        let x = builder.leaf(Node.inputOp, type: .f32(3), name: "x")
        let y = try builder.add("pow", [x, builder.scalar(3)], name: "y")
        let gradient = try builder.gradients(of: y, wrt: [x], seed: builder.leaf(Node.inputOp, type: .f32(3), name: "seed"))
        #expect(!builder.graph.nodes.contains { $0.op == "log" })  // only the exponent's gradient needs ln x
        try OperatorRegistry.verify(Graph(name: "check", nodes: builder.graph.nodes, outputs: [GraphOutput(name: "g", node: gradient[0])]))
        let values = try evaluate(builder.graph, gradient, inputs: [
            "x": ReferenceTensor(shape: [3], [1, 2, 0.5]), "seed": ReferenceTensor(shape: [3], [1, 1, 2]),
        ])
        #expect(values == [[3, 12, 1.5]])
    }

    @Test func gradientOfTheLossItselfIsTheSeed() throws {
        var builder = GraphBuilder(name: "identity")
        let x = builder.leaf(Node.inputOp, type: Self.scalar, name: "x")
        let gradient = try builder.gradients(of: x, wrt: [x])
        let seed = builder.graph[gradient[0]]
        #expect(seed.op == Node.constantOp && seed.name == "x.grad.seed" && seed.attributes.floats("value") == [1])
    }

    @Test func nonDifferentiablePathIsAnError() throws {
        var builder = GraphBuilder(name: "step")
        builder.provenance = Provenance(file: "App/Model.swift", line: 7)
        let x = builder.leaf(Node.inputOp, type: Self.scalar, name: "x")
        let mask = try builder.add("less", [x, builder.scalar(1)], name: "mask")
        let y = try builder.add("mul", [mask, builder.scalar(2)], name: "y")
        let before = builder.graph
        #expect {
            try builder.gradients(of: y, wrt: [x])
        } throws: { error in
            (error as? KilnError)?.description
                == "cannot differentiate 'y' with respect to 'x': every path to the loss passes through input 0 of less 'mask' at App/Model.swift:7, which has no gradient"
        }
        #expect(builder.graph == before)
    }

    @Test func nonScalarLossIsAnError() throws {
        var builder = GraphBuilder(name: "vector")
        let x = builder.leaf(Node.inputOp, type: .f32(2, 3), name: "x")
        let y = try builder.add("exp", [x], name: "y")
        #expect {
            try builder.gradients(of: y, wrt: [x])
        } throws: { error in
            (error as? KilnError)?.description
                == "cannot differentiate 'y' of type f32[2,3]: the loss must be a scalar (give a seed gradient to differentiate a non-scalar output)"
        }
    }

    @Test func seedOfTheWrongTypeIsAnError() throws {
        var builder = GraphBuilder(name: "seeded")
        let x = builder.leaf(Node.inputOp, type: .f32(2, 3), name: "x")
        let seed = builder.leaf(Node.inputOp, type: .f32(3), name: "seed")
        let y = try builder.add("exp", [x], name: "y")
        #expect {
            try builder.gradients(of: y, wrt: [x], seed: seed)
        } throws: { error in
            (error as? KilnError)?.description == "the seed gradient 'seed' has type f32[3], but the loss 'y' has type f32[2,3]"
        }
    }

    @Test func integerTargetIsAnError() throws {
        var builder = GraphBuilder(name: "indices")
        let x = builder.leaf(Node.inputOp, type: Self.scalar, name: "x")
        let indices = builder.leaf(Node.inputOp, type: .i64(3), name: "indices")
        #expect {
            try builder.gradients(of: x, wrt: [indices])
        } throws: { error in
            (error as? KilnError)?.description
                == "cannot differentiate with respect to 'indices' of type i64[3]: only f32 tensors have gradients"
        }
    }
}
