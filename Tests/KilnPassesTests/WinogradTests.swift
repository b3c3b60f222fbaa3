import Foundation
import KilnIR
import KilnInterpreter
import KilnOps
import KilnPasses
import KilnRuntime
import KilnTestSupport
import Testing

/// Winograd convolution: each variant, compiled by tcc and by the native compiler, against the
/// float64 interpreter's direct `conv2d` on unit-scale data with the bound `Conv2DWinograd`
/// states; the rule's choices; the rewrite in inference (filters in a preparation kernel) and in a
/// training step.
@Suite struct WinogradTests {
    /// Batch, input channels, output channels, height, width, padding.
    static let shapes: [(Int, Int, Int, Int, Int, [Int])] = [
        (1, 3, 5, 7, 9, [1]),  // odd sizes: partial tiles on both axes
        (2, 5, 33, 6, 11, [1, 0, 2, 1]),  // asymmetric padding, a channel count past every block
        (1, 17, 4, 5, 5, [0]),  // unpadded: a 3x3 output, smaller than one F(4x4) tile
    ]

    /// The bound of each tile size, relative to the largest output magnitude.
    static func bound(_ tile: Int) -> Double { tile == 2 ? 1e-5 : 1e-4 }

    /// The direct convolution and its Winograd form over the same inputs x, w, b.
    static func graphs(_ shape: (Int, Int, Int, Int, Int, [Int]), tile: Int) throws -> (direct: Graph, winograd: Graph) {
        let (n, c, k, h, w, padding) = shape
        func build(_ winograd: Bool) throws -> Graph {
            var builder = GraphBuilder(name: winograd ? "winograd" : "direct")
            let x = builder.leaf(Node.inputOp, type: .f32(n, c, h, w), name: "x")
            let weights = builder.leaf(Node.inputOp, type: .f32(k, c, 3, 3), name: "w")
            let bias = builder.leaf(Node.inputOp, type: .f32(k), name: "b")
            let y = winograd
                ? try builder.add(
                    "conv2d_winograd",
                    [x, try builder.add("winograd_filter", [weights], attributes: ["tile": .int(tile)]), bias],
                    attributes: ["tile": .int(tile), "padding": .ints(padding)], name: "y")
                : try builder.add("conv2d", [x, weights, bias], attributes: ["padding": .ints(padding)], name: "y")
            builder.graph.outputs = [GraphOutput(name: "y", node: y)]
            return builder.graph
        }
        return (try build(false), try build(true))
    }

    static func inputs(_ graph: Graph) -> [String: TensorValue] {
        Dictionary(uniqueKeysWithValues: graph.inputs.enumerated().map { index, node in
            (node.name, TensorValue.random(node.type, seed: UInt64(index) + 11))
        })
    }

    /// max |computed − reference| / max |reference|.
    static func errorOfLargest(_ computed: [Double], _ reference: [Double]) -> Double {
        let scale = reference.map(abs).max() ?? 0
        let worst = zip(computed, reference).map { abs($0 - $1) }.max() ?? .infinity
        return computed.count == reference.count && scale > 0 ? worst / scale : .infinity
    }

    static func nativeBackend() -> NativeBackend {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kiln-winograd-test-\(getpid())-\(UUID().uuidString)").path
        return NativeBackend(cache: NativeCodeCache(directory: directory, maxBytes: 64 << 20))
    }

    @Test(arguments: [2, 4])
    func eachVariantMatchesTheDirectConvolution(tile: Int) throws {
        let native = Self.nativeBackend()
        for shape in Self.shapes {
            let (direct, winograd) = try Self.graphs(shape, tile: tile)
            let values = Self.inputs(direct)
            let reference = try #require(
                try Interpreter.run(direct, inputs: values.mapValues(ReferenceTensor.init), parameters: [:])["y"]).values
            var backends: [ExecutionBackend] = [.tcc]
            if native.compiler != nil { backends.append(ExecutionBackend(.native, native: native)) }
            for backend in backends {
                let computed = try #require(
                    try Executable(graph: winograd, parameters: [:], backend: backend).run(values)["y"]).doubles
                let error = Self.errorOfLargest(computed, reference)
                #expect(error <= Self.bound(tile), "F(\(tile)x\(tile)) \(shape) on \(backend.kind): error \(error)")
            }
        }
    }

    /// A conv2d of `channels` → `channels` on a `size`×`size` plane, padding 1, with a weight parameter.
    static func convolution(channels: Int, size: Int) -> Graph {
        var builder = GraphBuilder(name: "conv")
        let x = builder.leaf(Node.inputOp, type: .f32(1, channels, size, size), name: "x")
        let w = builder.leaf(Node.parameterOp, type: .f32(channels, channels, 3, 3), name: "w")
        let y = try! builder.add("relu", [try! builder.add("conv2d", [x, w], attributes: ["padding": .int(1)], name: "conv")])
        builder.graph.outputs = [GraphOutput(name: "y", node: y)]
        return builder.graph
    }

    @Test func theRuleChoosesByShape() throws {
        let cases: [(channels: Int, size: Int, expected: KernelAlgorithm)] = [
            (32, 28, .winogradF4x4), (32, 14, .winogradF2x2), (32, 7, .im2colGEMM), (16, 28, .im2colGEMM),
        ]
        for (channels, size, expected) in cases {
            let optimized = try GraphOptimizer.optimize(Self.convolution(channels: channels, size: size))
            let convolution = try #require(optimized.graph.nodes.first { $0.op.hasPrefix("conv2d") })
            #expect(optimized.kernelPlan[convolution.id]?.algorithm == expected, "\(channels) channels, \(size)x\(size)")
        }
    }

    @Test func theFilterTransformIsAPreparationKernelAndTheResultMatches() throws {
        let graph = Self.convolution(channels: 32, size: 14)
        let w = try #require(graph.node(named: "w"))
        let parameters = ["w": TensorValue.random(w.type, seed: 5, low: -0.1, high: 0.1)]
        let (_, optimized) = try OptimizationHarness.executable(graph, parameters: parameters)
        let filter = try #require(optimized.graph.nodes.first { $0.op == "winograd_filter" })
        let preparation = optimized.fusion.kernels.prefix(optimized.fusion.preparationKernelCount)
        #expect(preparation.contains { $0.nodes.contains(filter.id) })
        let feed = ["x": TensorValue.random(try #require(graph.node(named: "x")).type, seed: 6)]
        #expect(try OptimizationHarness.worstError(graph, parameters: parameters, feeds: [feed]) <= Self.bound(2))
    }

    @Test func aTrainingStepUsesWinogradForwardAndMatches() throws {
        var builder = GraphBuilder(name: "step")
        let x = builder.leaf(Node.inputOp, type: .f32(2, 32, 14, 14), name: "x")
        let w = builder.leaf(Node.parameterOp, type: .f32(32, 32, 3, 3), name: "w")
        let y = try builder.add("conv2d", [x, w], attributes: ["padding": .int(1)], name: "conv")
        let loss = try builder.add("mean", [try builder.add("square", [y])], name: "loss")
        builder.graph.outputs = [GraphOutput(name: "loss", node: loss)]
        let gradient = try builder.gradients(of: loss, wrt: [w])[0]
        let next = try builder.add("sub", [w, try builder.add("mul", [gradient, builder.scalar(0.01)])])
        builder.graph.updates.append(GraphUpdate(target: w, value: next))
        let parameters = ["w": TensorValue.random(.f32(32, 32, 3, 3), seed: 7, low: -0.1, high: 0.1)]
        let optimized = try GraphOptimizer.optimize(builder.graph, isTraining: true)
        #expect(optimized.graph.nodes.contains { $0.op == "conv2d_winograd" })
        let feeds = (0..<2).map { ["x": TensorValue.random(.f32(2, 32, 14, 14), seed: 8 + UInt64($0))] }
        let error = try OptimizationHarness.worstError(builder.graph, parameters: parameters, feeds: feeds, isTraining: true)
        #expect(error <= 1e-4)
    }
}
