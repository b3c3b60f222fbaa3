import KilnIR
import KilnOps
import KilnPasses
import KilnTestSupport
import Testing

/// A small residual CNN, as an inference graph (conv → batch norm → ReLU, residual add, pooling,
/// linear) and as a training step (batch statistics with running-statistic updates, the backward
/// pass through convolutions and pooling, SGD updates): optimized and unoptimized agree and the
/// memory plans pass the checker (`OptimizationHarness` checks every plan it compiles).
@Suite struct ConvolutionPipelineTests {
    /// The network; `training` switches batch norm to batch statistics and appends the loss,
    /// gradients and SGD updates.
    static func network(training: Bool) throws -> Graph {
        var builder = GraphBuilder(name: training ? "resnet_step" : "resnet")
        let x = builder.leaf(Node.inputOp, type: .f32(2, 3, 8, 8), name: "x")
        func param(_ name: String, _ type: TensorType) -> NodeID { builder.leaf(Node.parameterOp, type: type, name: name) }
        let w1 = param("w1", .f32(8, 3, 3, 3)), w2 = param("w2", .f32(8, 8, 3, 3)), w3 = param("w3", .f32(8, 4))
        let gamma = param("gamma", .f32(8)), beta = param("beta", .f32(8))
        let mean = param("mean", .f32(8)), variance = param("var", .f32(8))
        let conv1 = try builder.add("conv2d", [x, w1], attributes: ["padding": .int(1)], name: "conv1")
        let normalized = training
            ? try builder.batchNormTraining(conv1, gamma: gamma, beta: beta, runningMean: mean, runningVariance: variance).output
            : try builder.add("batch_norm", [conv1, gamma, beta, mean, variance], name: "bn1")
        let h = try builder.add("relu", [normalized], name: "h")
        let conv2 = try builder.add("conv2d", [h, w2], attributes: ["padding": .int(1)], name: "conv2")
        let residual = try builder.add("relu", [try builder.add("add", [conv2, h], name: "residual")])
        let pooled = try builder.add("global_avg_pool", [residual], name: "pool")
        let flat = try builder.add("reshape", [pooled], attributes: ["shape": .ints([2, 8])], name: "flat")
        let y = try builder.add("matmul", [flat, w3], name: "y")
        builder.graph.outputs = [GraphOutput(name: "y", node: y)]
        guard training else { return builder.graph }
        let target = builder.leaf(Node.inputOp, type: .f32(2, 4), name: "target")
        let error = try builder.add("sub", [y, target])
        let loss = try builder.add("mean", [try builder.add("square", [error])], name: "loss")
        builder.graph.outputs.append(GraphOutput(name: "loss", node: loss))
        let trained = [w1, w2, w3, gamma, beta]
        let gradients = try builder.gradients(of: loss, wrt: trained)
        let rate = builder.scalar(0.05)
        for (parameter, gradient) in zip(trained, gradients) {
            let next = try builder.add("sub", [parameter, try builder.add("mul", [gradient, rate])])
            builder.graph.updates.append(GraphUpdate(target: parameter, value: next))
        }
        return builder.graph
    }

    static func parameters(_ graph: Graph) -> [String: TensorValue] {
        Dictionary(uniqueKeysWithValues: graph.parameters.map { node in
            let range: ClosedRange<Double> = node.name == "var" ? 0.5...1.5 : (node.name == "gamma" ? 0.5...1.5 : -0.5...0.5)
            return (node.name, TensorValue.random(node.type, seed: UInt64(node.id.index), low: range.lowerBound, high: range.upperBound))
        })
    }

    static func feeds(_ graph: Graph, count: Int) -> [[String: TensorValue]] {
        (0..<count).map { run in
            Dictionary(uniqueKeysWithValues: graph.inputs.map { ($0.name, TensorValue.random($0.type, seed: UInt64(run * 5 + $0.id.index))) })
        }
    }

    @Test func inferenceMatchesUnoptimized() throws {
        let graph = try Self.network(training: false)
        let error = try OptimizationHarness.worstError(graph, parameters: Self.parameters(graph), feeds: Self.feeds(graph, count: 2))
        #expect(error <= 1e-5)
        let optimized = try GraphOptimizer.optimize(graph)
        let groups = optimized.fusion.kernels.map { $0.nodes.map { optimized.graph[$0].op }.joined(separator: "+") }
        #expect(groups.contains("conv2d+relu"), "\(groups)")
        #expect(groups.contains("conv2d+add+relu"), "\(groups)")
        #expect(!optimized.graph.nodes.contains { $0.op == "batch_norm" })
    }

    @Test func trainingStepMatchesUnoptimized() throws {
        let graph = try Self.network(training: true)
        let error = try OptimizationHarness.worstError(
            graph, parameters: Self.parameters(graph), feeds: Self.feeds(graph, count: 3), isTraining: true)
        #expect(error <= 1e-4)
        let optimized = try GraphOptimizer.optimize(graph, isTraining: true)
        let unfused = graph.nodes.filter { !$0.isLeaf }.count
        #expect(optimized.fusion.kernels.count < unfused / 2, "\(optimized.fusion.kernels.count) kernels for \(unfused) nodes")
        let inPlaceUpdates = optimized.graph.updates.filter { optimized.memory.offsets[$0.value.index] == optimized.memory.offsets[$0.target.index] }
        #expect(inPlaceUpdates.count >= 1)
        #expect(Double(optimized.memory.arenaBytes) <= 1.15 * Double(optimized.memory.lowerBound), "\(optimized.memory.summary)")
    }
}
