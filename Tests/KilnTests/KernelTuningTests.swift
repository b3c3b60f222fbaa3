import Foundation
import Kiln
import KilnCodegen
import KilnInterpreter
import KilnOps
import Testing

/// `--tune`: the tuner times every candidate of each convolution shape, the tuned and the default
/// programs agree within the documented error of the algorithms they use, a stored choice is
/// followed without measuring (the Winograd rewrite and the kernel plan both follow it), and the
/// cache file survives damaged lines.
@Suite struct KernelTuningTests {
    /// A fresh cache in a temporary folder.
    static func temporaryCache() -> KernelTuningCache {
        KernelTuningCache(directory: FileManager.default.temporaryDirectory
            .appendingPathComponent("kiln-tuning-test-\(getpid())-\(UUID().uuidString)").path)
    }

    /// `y = conv2d(x, w, b)` with these attributes, over parameters w and b.
    static func graph(_ x: TensorType, _ w: TensorType, _ attributes: Attributes) throws -> Graph {
        var builder = GraphBuilder(name: "conv")
        let input = builder.leaf(Node.inputOp, type: x, name: "x")
        let weights = builder.leaf(Node.parameterOp, type: w, name: "w")
        let bias = builder.leaf(Node.parameterOp, type: .f32(w.shape[0]), name: "b")
        let y = try builder.add("conv2d", [input, weights, bias], attributes: attributes, name: "y")
        builder.graph.outputs = [GraphOutput(name: "y", node: y)]
        return builder.graph
    }

    static func parameters(_ graph: Graph) -> [String: TensorValue] {
        Dictionary(uniqueKeysWithValues: graph.parameters.map { ($0.name, TensorValue.random($0.type, seed: UInt64($0.id.index) + 3)) })
    }

    /// The optimized program's output and its optimized graph and plan.
    static func run(_ graph: Graph, tuned: TunedKernels, input: TensorValue) throws -> (y: [Double], optimized: OptimizedGraph) {
        var options = OptimizationOptions.standard
        options.tuned = tuned
        let optimized = try GraphOptimizer.optimize(graph, options: options)
        let program = try CodeGenerator.generate(
            optimized.graph, fusion: optimized.fusion, memory: optimized.memory, kernelPlan: optimized.kernelPlan)
        let executable = try Executable(graph: optimized.graph, parameters: parameters(graph), program: program)
        return (try #require(try executable.run(["x": input])["y"]).doubles, optimized)
    }

    /// The documented error of an algorithm on unit-scale data, relative to the largest output.
    static func bound(_ algorithm: KernelAlgorithm) -> Double { algorithm == .winogradF4x4 ? 1e-4 : 1e-5 }

    /// Seeded random convolution shapes of the kinds with several candidates: 3x3 stride 1 (im2col
    /// and both Winograd variants), depthwise (direct and im2col), 1x1 (one GEMM and im2col), at odd
    /// sizes and channel counts.
    static func randomShapes(count: Int, seed: UInt64) -> [(TensorType, TensorType, Attributes)] {
        var generator = SeededGenerator(seed: seed)
        func draw(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(generator.next() % UInt64(range.count)) }
        return (0..<count).map { index in
            let n = draw(1...2), c = draw(1...9), h = draw(3...13), w = draw(3...13)
            switch index % 3 {
            case 0:
                return (.f32(n, c, h, w), .f32(draw(1...11), c, 3, 3), ["padding": .ints([draw(0...1)])])
            case 1:
                return (.f32(n, c, h, w), .f32(c, 1, 3, 3), ["padding": .ints([1]), "groups": .int(c)])
            default:
                return (.f32(n, c, h, w), .f32(draw(1...11), c, 1, 1), [:])
            }
        }
    }

    @Test func tunedAndDefaultProgramsAgreeWithinTheAlgorithmsErrors() throws {
        let cache = Self.temporaryCache()
        for (x, w, attributes) in Self.randomShapes(count: 6, seed: 14) {
            let graph = try Self.graph(x, w, attributes)
            let tuned = try KernelTuner.tune(graph, isTraining: false, optimization: .standard, backend: .tcc, cache: cache)
            let conv = try #require(graph.node(named: "y"))
            let choice = try #require(tuned.choice(for: conv, in: graph), "no tuned choice for \(x) * \(w)")
            #expect(choice.microseconds.count == KernelTuner.candidates(OperatorRegistry.signature(of: conv, in: graph)).count)
            let input = TensorValue.random(x, seed: 5)
            let (tunedY, optimized) = try Self.run(graph, tuned: tuned, input: input)
            let (defaultY, defaultOptimized) = try Self.run(graph, tuned: TunedKernels(), input: input)
            let used = try #require(optimized.graph.nodes.compactMap { optimized.kernelPlan[$0.id] }.first)
            #expect(used.algorithm == choice.algorithm && used.reason == choice.reason)
            let defaultUsed = try #require(defaultOptimized.graph.nodes.compactMap { defaultOptimized.kernelPlan[$0.id] }.first)
            let scale = defaultY.map(abs).max() ?? 0
            let worst = zip(tunedY, defaultY).map { abs($0 - $1) }.max() ?? .infinity
            #expect(tunedY.count == defaultY.count && worst <= (Self.bound(used.algorithm) + Self.bound(defaultUsed.algorithm)) * scale,
                "\(x) * \(w) \(attributes): \(used.algorithm.rawValue) against \(defaultUsed.algorithm.rawValue) differ by \(worst)")
        }
    }

    @Test func aStoredChoiceIsFollowedWithoutMeasuring() throws {
        let cache = Self.temporaryCache()
        let small = try Self.graph(.f32(1, 4, 9, 9), .f32(6, 4, 3, 3), ["padding": .ints([1])])
        let large = try Self.graph(.f32(1, 32, 14, 14), .f32(32, 32, 3, 3), ["padding": .ints([1])])
        func key(_ graph: Graph) throws -> String {
            let node = try #require(graph.node(named: "y"))
            return TunedKernels.key(op: node.op, OperatorRegistry.signature(of: node, in: graph))
        }
        let setting = KernelTuningCache.Setting(tier: .tcc, threads: BLASThreads.defaultCount)
        try cache.store([
            try key(small): try #require(TunedKernels.Choice(microseconds: [(.im2colGEMM, 9), (.winogradF4x4, 1)])),
            try key(large): try #require(TunedKernels.Choice(microseconds: [(.im2colGEMM, 1), (.winogradF2x2, 9)])),
        ], for: setting)
        let smallTuned = try KernelTuner.tune(small, isTraining: false, optimization: .standard, backend: .tcc, cache: cache)
        let smallResult = try Self.run(small, tuned: smallTuned, input: TensorValue.random(.f32(1, 4, 9, 9), seed: 2))
        let winograd = try #require(smallResult.optimized.graph.nodes.first { $0.op == "conv2d_winograd" })
        #expect(smallResult.optimized.kernelPlan.text(for: smallResult.optimized.graph).contains(
            "'\(winograd.name)' conv2d_winograd -> f32[1,6,9,9]: winograd-f4x4-3x3, NCHW; tuned: im2col+gemm 9.0 µs, winograd-f4x4-3x3 1.0 µs"))

        let largeTuned = try KernelTuner.tune(large, isTraining: false, optimization: .standard, backend: .tcc, cache: cache)
        let largeResult = try Self.run(large, tuned: largeTuned, input: TensorValue.random(.f32(1, 32, 14, 14), seed: 2))
        #expect(!largeResult.optimized.graph.nodes.contains { $0.op == "conv2d_winograd" })
        #expect(try Self.run(large, tuned: TunedKernels(), input: TensorValue.random(.f32(1, 32, 14, 14), seed: 2))
            .optimized.graph.nodes.contains { $0.op == "conv2d_winograd" })
    }

    @Test func theCacheSkipsDamagedLinesAndKeepsOtherSettings() throws {
        let cache = Self.temporaryCache()
        let other = KernelTuningCache.Setting(tier: .native, threads: 2, core: "Haswell")
        let mine = KernelTuningCache.Setting(tier: .tcc, threads: 1, core: "Haswell")
        let choice = try #require(TunedKernels.Choice(microseconds: [(.im2colGEMM, 3), (.depthwiseDirect, 2)]))
        try cache.store(["conv2d(a)": choice], for: other)
        let kept = try SafeFile.readText(cache.path)
        try SafeFile.write(kept + "garbage\ntcc\t1\tHaswell\tconv2d(b)\tim2col+gemm=nan\ntcc\t1\tHaswell\tconv2d(c)\tno-such=1\n", to: cache.path)
        #expect(cache.choices(for: mine).isEmpty)
        try cache.store(["conv2d(d)": choice], for: mine)
        #expect(cache.choices(for: mine) == ["conv2d(d)": choice])
        #expect(cache.choices(for: other) == ["conv2d(a)": choice])
        #expect(cache.choices(for: other)["conv2d(a)"]?.algorithm == .depthwiseDirect)
    }
}
