import KilnIR
import KilnOps
import KilnPasses
import KilnTestSupport
import Testing

/// Gradients of the composites (normalizations, structure operators) through autodiff, against
/// finite differences and compiled, and which of batch norm's inputs are learned.
@Suite struct CompositeGradientTests {
    /// Checks the gradient of `body`'s output with respect to its input `x` of `shape` (and the
    /// parameters it declares), interpreted against finite differences and compiled against
    /// interpreted.
    private func check(
        _ shape: Shape, seed: UInt64 = 1, _ body: (inout GraphBuilder, NodeID) throws -> NodeID
    ) throws {
        var builder = GraphBuilder(name: "composite")
        let x = builder.leaf(Node.inputOp, type: TensorType(.float32, shape), name: "x")
        let y = try body(&builder, x)
        builder.graph.outputs = [GraphOutput(name: "y", node: y)]
        let leaves = builder.graph.nodes.filter { $0.op == Node.inputOp || $0.op == Node.parameterOp }
        let backward = try GradientChecker.backwardGraph(builder.graph, output: y, wrt: leaves.map(\.name), seed: seed)
        var values: [String: ReferenceTensor] = [:]
        for (index, leaf) in leaves.enumerated() {
            let isScale = leaf.name.hasSuffix("gamma")
            values[leaf.name] = ReferenceTensor(TensorValue.random(
                leaf.type, seed: seed &+ UInt64(index), low: isScale ? 0.5 : -2, high: isScale ? 1.5 : 2))
        }
        #expect(try GradientChecker.checkFiniteDifferences(
            backward, values: values, tolerance: .init(relative: 1e-5, absolute: 1e-6)) == nil)
        #expect(try GradientChecker.checkCompiled(backward, values: values) == nil)
    }

    /// γ and β parameters of shape `shape`.
    private func affine(_ builder: inout GraphBuilder, _ shape: Shape) -> (NodeID, NodeID) {
        (builder.leaf(Node.parameterOp, type: TensorType(.float32, shape), name: "gamma"),
         builder.leaf(Node.parameterOp, type: TensorType(.float32, shape), name: "beta"))
    }

    @Test func layerNorm() throws {
        try check([2, 3, 4]) { builder, x in
            let (gamma, beta) = affine(&builder, [3, 4])
            return try builder.layerNorm(x, gamma: gamma, beta: beta, normalizedRank: 2)
        }
    }

    @Test func instanceNorm() throws {
        try check([2, 3, 2, 3]) { builder, x in
            let (gamma, beta) = affine(&builder, [3])
            return try builder.instanceNorm(x, gamma: gamma, beta: beta)
        }
    }

    @Test func groupNorm() throws {
        try check([2, 4, 2, 2]) { builder, x in
            let (gamma, beta) = affine(&builder, [4])
            return try builder.groupNorm(x, groups: 2, gamma: gamma, beta: beta)
        }
    }

    @Test func switchableNorm() throws {
        try check([2, 3, 2, 2]) { builder, x in
            let (gamma, beta) = affine(&builder, [3])
            let meanLogits = builder.leaf(Node.parameterOp, type: .f32(3), name: "mean_logits")
            let varianceLogits = builder.leaf(Node.parameterOp, type: .f32(3), name: "variance_logits")
            return try builder.switchableNorm(
                x, meanLogits: meanLogits, varianceLogits: varianceLogits, gamma: gamma, beta: beta)
        }
    }

    @Test func switchableNormWithRunningStatistics() throws {
        try check([2, 3, 2, 2]) { builder, x in
            let (gamma, beta) = affine(&builder, [3])
            let logits = ["mean_logits", "variance_logits"].map { builder.leaf(Node.parameterOp, type: .f32(3), name: $0) }
            let mean = builder.constant([0.1, -0.2, 0.3], shape: [3], name: "running_mean")
            let variance = builder.constant([0.5, 1.5, 2], shape: [3], name: "running_var")
            return try builder.switchableNorm(
                x, meanLogits: logits[0], varianceLogits: logits[1], gamma: gamma, beta: beta, runningStatistics: (mean, variance))
        }
    }

    @Test func localResponseNorm() throws {
        try check([2, 6, 2, 2]) { builder, x in try builder.localResponseNorm(x, size: 3, alpha: 0.1, beta: 0.75, k: 2) }
    }

    @Test func structureOperators() throws {
        try check([2, 6, 2, 2]) { builder, x in try builder.channelShuffle(x, groups: 3) }
        try check([1, 2, 4, 6]) { builder, x in try builder.spaceToDepth(x) }
        try check([2, 3, 2]) { builder, x in try builder.flatten(x) }
        try check([2, 5, 2]) { builder, x in
            let parts = try builder.channelSplit(x, sizes: [2, 3])
            let squared = try builder.add("square", [parts[1]])
            return try builder.add("add", [try builder.add("sum", [parts[0]]), try builder.add("sum", [squared])])
        }
    }

    @Test func batchNormHasTwoLearnableParametersPerChannel() throws {
        var builder = GraphBuilder(name: "bn_parameters")
        let channels = 3
        let x = builder.leaf(Node.inputOp, type: .f32(2, channels, 2, 2), name: "x")
        let leaves = ["gamma", "beta", "running_mean", "running_var"].map {
            builder.leaf(Node.parameterOp, type: .f32(channels), name: $0)
        }
        let step = try builder.batchNormTraining(
            x, gamma: leaves[0], beta: leaves[1], runningMean: leaves[2], runningVariance: leaves[3])
        let seed = builder.leaf(Node.inputOp, type: .f32(2, channels, 2, 2), name: "seed")
        let gradients = try builder.gradients(of: step.output, wrt: leaves, seed: seed)
        let learned = zip(leaves, gradients).filter { builder.graph[$0.1].op != Node.constantOp }
        #expect(learned.map { builder.graph[$0.0].name } == ["gamma", "beta"])
        #expect(learned.reduce(0) { $0 + builder.graph[$1.0].type.shape.elementCount } == 2 * channels)
    }

}
