import Foundation
import KilnIR
import KilnInterpreter
import KilnOps
import KilnRuntime
import Testing

/// Normalizations: hand-computed values, catalog §6 facts (group norm's limits, batch norm's
/// running statistics), and error messages.
@Suite struct NormalizationTests {
    /// Seeded values in [-2, 2) for a tensor of `shape`.
    private func random(_ shape: Shape, seed: UInt64) -> ReferenceTensor {
        ReferenceTensor(TensorValue.random(TensorType(.float32, shape), seed: seed, low: -2, high: 2))
    }

    /// A graph with input `x` of `shape`, whose output `y` is what `body` builds from it.
    private func graph(
        _ shape: Shape, _ body: (inout GraphBuilder, NodeID) throws -> NodeID
    ) throws -> Graph {
        var builder = GraphBuilder(name: "normalization")
        let x = builder.leaf(Node.inputOp, type: TensorType(.float32, shape), name: "x")
        let y = try body(&builder, x)
        builder.graph.outputs = [GraphOutput(name: "y", node: y)]
        return builder.graph
    }

    /// The interpreted output `y` of `graph` on `x`, after checking that compiled code agrees.
    private func output(_ graph: Graph, _ x: ReferenceTensor) throws -> [Double] {
        let (interpreted, compiled) = try GraphRunner.run(graph, inputs: ["x": x])
        let y = try #require(interpreted["y"])
        #expect(GraphRunner.close(try #require(compiled["y"]), y, relative: 1e-5, absolute: 1e-5))
        return y
    }

    @Test func batchNormInferenceUsesTheRunningStatistics() throws {
        let x = GraphRunner.tensor([1, 3, 2, 6], [1, 2, 1, 2])
        let (interpreted, compiled) = try GraphRunner.apply(
            "batch_norm",
            [x, GraphRunner.tensor([2, 1]), GraphRunner.tensor([0, 1]), GraphRunner.tensor([2, 4]), GraphRunner.tensor([4, 1])],
            attributes: ["eps": .float(0)])
        #expect(interpreted == [-1, 1, -1, 3])
        #expect(compiled == [-1, 1, -1, 3])
    }

    @Test func batchNormTrainingGivesZeroMeanUnitVariancePerChannel() throws {
        let x = random([4, 3, 2, 2], seed: 5)
        let (interpreted, compiled) = try GraphRunner.apply(
            "batch_norm_train", [x, GraphRunner.tensor([1, 1, 1]), GraphRunner.tensor([0, 0, 0])],
            attributes: ["eps": .float(0)])
        for values in [interpreted, compiled] {
            for c in 0..<3 {
                let channel = (0..<4).flatMap { n in (0..<4).map { values[(n * 3 + c) * 4 + $0] } }
                let mean = channel.reduce(0, +) / 16
                let variance = channel.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 16
                #expect(abs(mean) < 1e-6)
                #expect(abs(variance - 1) < 1e-5)
            }
        }
    }

    @Test func runningMeanAfterOneStepFromZeroIsATenthOfTheBatchMean() throws {
        var builder = GraphBuilder(name: "bn_step")
        let x = builder.leaf(Node.inputOp, type: .f32(2, 2, 1, 3), name: "x")
        let gamma = builder.leaf(Node.parameterOp, type: .f32(2), name: "gamma")
        let beta = builder.leaf(Node.parameterOp, type: .f32(2), name: "beta")
        let runningMean = builder.leaf(Node.parameterOp, type: .f32(2), name: "running_mean")
        let runningVariance = builder.leaf(Node.parameterOp, type: .f32(2), name: "running_var")
        let step = try builder.batchNormTraining(
            x, gamma: gamma, beta: beta, runningMean: runningMean, runningVariance: runningVariance)
        builder.graph.outputs = [
            GraphOutput(name: "y", node: step.output), GraphOutput(name: "mean", node: step.runningMean),
            GraphOutput(name: "var", node: step.runningVariance),
        ]
        let values: [Double] = [1, 2, 3, 10, 20, 30, 4, 5, 6, 40, 50, 60]
        // Channel 0 holds 1…6 (mean 3.5, unbiased variance 3.5); channel 1 holds 10…60 (mean 35, 350).
        let parameters = [
            "gamma": GraphRunner.tensor([1, 1]), "beta": GraphRunner.tensor([0, 0]),
            "running_mean": GraphRunner.tensor([0, 0]), "running_var": GraphRunner.tensor([0, 0]),
        ]
        let input = ReferenceTensor(shape: [2, 2, 1, 3], values)
        let interpreted = try Interpreter.run(builder.graph, inputs: ["x": input], parameters: parameters)
        #expect(GraphRunner.close(interpreted["mean"]?.values ?? [], [0.35, 3.5], relative: 1e-12))
        #expect(GraphRunner.close(interpreted["var"]?.values ?? [], [0.35, 35], relative: 1e-12))
        let executable = try Executable(graph: builder.graph, parameters: parameters.mapValues(\.tensorValue))
        _ = try executable.run(["x": input.tensorValue])
        let updated = executable.parameters()
        #expect(GraphRunner.close(updated["running_mean"]?.doubles ?? [], [0.35, 3.5], relative: 1e-6))
        #expect(GraphRunner.close(updated["running_var"]?.doubles ?? [], [0.35, 35], relative: 1e-6))
    }

    @Test func groupNormWithOneGroupIsLayerNormAndWithCGroupsInstanceNorm() throws {
        let shape: Shape = [2, 4, 3, 3]
        let x = random(shape, seed: 11)
        let layer = try output(graph(shape) { try $0.layerNorm($1, normalizedRank: 3) }, x)
        let oneGroup = try output(graph(shape) { try $0.groupNorm($1, groups: 1) }, x)
        #expect(GraphRunner.close(oneGroup, layer, relative: 1e-12, absolute: 1e-12))
        let instance = try output(graph(shape) { try $0.instanceNorm($1) }, x)
        let channelGroups = try output(graph(shape) { try $0.groupNorm($1, groups: 4) }, x)
        #expect(GraphRunner.close(channelGroups, instance, relative: 1e-12, absolute: 1e-12))
        #expect(!GraphRunner.close(layer, instance, relative: 1e-3))
    }

    @Test func switchableNormReducesToTheNormItsWeightsFavour() throws {
        let shape: Shape = [2, 3, 2, 2]
        let x = random(shape, seed: 13)
        func switchable(_ favoured: Int) throws -> [Double] {
            let logits = (0..<3).map { $0 == favoured ? 60.0 : 0 }
            return try output(graph(shape) { builder, x in
                let weights = builder.leaf(
                    Node.constantOp, type: .f32(3), name: "logits", attributes: ["value": .floats(logits)])
                return try builder.switchableNorm(x, meanLogits: weights, varianceLogits: weights)
            }, x)
        }
        let instance = try output(graph(shape) { try $0.instanceNorm($1) }, x)
        let layer = try output(graph(shape) { try $0.layerNorm($1, normalizedRank: 3) }, x)
        let batch = try output(graph(shape) { builder, x in
            let ones = builder.leaf(Node.constantOp, type: .f32(3), name: "ones", attributes: ["value": .floats([1])])
            let zeros = builder.leaf(Node.constantOp, type: .f32(3), name: "zeros", attributes: ["value": .floats([0])])
            return try builder.add("batch_norm_train", [x, ones, zeros])
        }, x)
        #expect(GraphRunner.close(try switchable(0), instance, relative: 1e-9, absolute: 1e-9))
        #expect(GraphRunner.close(try switchable(1), layer, relative: 1e-9, absolute: 1e-9))
        #expect(GraphRunner.close(try switchable(2), batch, relative: 1e-9, absolute: 1e-9))
    }

    @Test func layerNormStandardizesTheLastAxes() throws {
        let y = try output(graph([1, 4]) { try $0.layerNorm($1, eps: 0) }, GraphRunner.tensor([1, 2, 3, 4], [1, 4]))
        let deviation = 1.25.squareRoot()
        #expect(GraphRunner.close(y, [-1.5, -0.5, 0.5, 1.5].map { $0 / deviation }, relative: 1e-12))
    }

    @Test func localResponseNormSumsSquaresOverNeighbouringChannels() throws {
        let y = try output(
            graph([1, 3, 1, 1]) { try $0.localResponseNorm($1, size: 3, alpha: 1, beta: 1, k: 1) },
            GraphRunner.tensor([1, 2, 3], [1, 3, 1, 1]))
        #expect(GraphRunner.close(y, [1.0 / 6, 2.0 / 15, 3.0 / 14], relative: 1e-12))
    }

    @Test func errorMessages() throws {
        let x = GraphRunner.tensor(Array(repeating: 1, count: 12), [1, 3, 2, 2])
        let vector = GraphRunner.tensor([1, 1, 1])
        #expect(GraphRunner.errorMessage {
            _ = try GraphRunner.apply("batch_norm", [x, GraphRunner.tensor([1, 1]), vector, vector, vector])
        } == "batch_norm 'y': input 1 (gamma) is f32[2]; expected f32[3] (one value per channel of input 0, shape [1,3,2,2])")
        #expect(GraphRunner.errorMessage {
            _ = try GraphRunner.apply("batch_norm_train", [GraphRunner.tensor([1, 2, 3], [1, 3]), vector, vector])
        } == "batch_norm_train 'y': input 0 of shape [1,3] has 1 value per channel; batch statistics need more than 1")
        #expect(GraphRunner.errorMessage { _ = try graph([2, 6, 2, 2]) { try $0.groupNorm($1, groups: 4) } }
            == "group_norm 'group_norm': input 0 of shape [2,6,2,2] has 6 channels, not divisible by groups = 4")
        #expect(GraphRunner.errorMessage { _ = try graph([2, 6]) { try $0.layerNorm($1, normalizedRank: 3) } }
            == "layer_norm 'layer_norm': normalized_rank 3 is out of range for input 0 of shape [2,6]; expected 1 to 2")
        #expect(GraphRunner.errorMessage { _ = try graph([2, 6]) { try $0.instanceNorm($1) } }
            == "instance_norm 'instance_norm': input 0 has shape [2,6]; expected rank 3 or more ([N,C,H,...]): "
            + "each channel is normalized over the spatial axes")
        #expect(GraphRunner.errorMessage {
            _ = try graph([2, 3]) { builder, x in
                let statistics = builder.leaf(Node.inputOp, type: .f32(3), name: "stats")
                let gamma = builder.leaf(Node.parameterOp, type: .f32(3), name: "gamma")
                return try builder.batchNormTraining(
                    x, gamma: gamma, beta: gamma, runningMean: statistics, runningVariance: statistics
                ).output
            }
        } == "batch_norm_train 'batch_norm_train': input 3 (running mean) 'stats' must be a param node, not input, "
            + "so that the training step updates it in place")
    }
}
