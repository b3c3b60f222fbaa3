import Kiln
import KilnIR
import KilnModels
import KilnPasses
import Testing

/// Every zoo model, forward and (when it declares a loss) training step: the optimized program
/// computes what the unoptimized one does, its memory plan passes the checker, the arena stays
/// within 1.15 times the lower bound, and fusion leaves fewer kernels and fewer bytes moved.
@Suite(.serialized) struct OptimizationZooTests {
    static let names = Zoo.entries.map(\.name)

    /// Seeded inputs for `graph`: class indices for `labels` (below the width of output `y`),
    /// uniform values elsewhere.
    static func inputs(_ graph: Graph, seed: UInt64) -> [String: TensorValue] {
        let classes = graph.outputs.first { $0.name == "y" }.map { graph[$0.node].type.shape.dimensions.last ?? 1 } ?? 1
        var result: [String: TensorValue] = [:]
        for (index, node) in graph.inputs.enumerated() where node.name != Trainer.learningRateInput {
            let value = node.name == "labels"
                ? TensorValue.random(node.type, seed: seed &+ UInt64(index), low: 0, high: Double(classes)).doubles.map { $0.rounded(.down) }
                : TensorValue.random(node.type, seed: seed &+ UInt64(index)).doubles
            result[node.name] = TensorValue(type: node.type, doubles: value)
        }
        return result
    }

    static func model(_ name: String) throws -> Model {
        try #require(Zoo.entry(name)).build(seed: 1)
    }

    static func trainable(_ model: Model) -> Bool {
        (try? Trainer.stepGraph(model: model, optimizer: SGD())) != nil
    }

    @Test(arguments: names)
    func forwardMatchesUnoptimized(name: String) throws {
        let model = try Self.model(name)
        let plain = try model.compile(optimization: .none), optimized = try model.compile()
        for seed in UInt64(0)..<2 {
            let feed = Self.inputs(model.graph, seed: seed)
            let expected = try plain.run(feed), actual = try optimized.run(feed)
            for output in model.graph.outputs {
                let error = Approximate.normwiseRelativeError(
                    try #require(actual[output.name]).doubles, try #require(expected[output.name]).doubles)
                #expect(error <= 1e-5, "\(name) output \(output.name): relative error \(error)")
            }
        }
    }

    @Test(arguments: names)
    func trainingStepMatchesUnoptimized(name: String) throws {
        let model = try Self.model(name)
        guard Self.trainable(model) else { return }
        let plain = try Trainer(model: model, optimizer: Adam(), learningRate: 0.01, optimization: .none)
        let optimized = try Trainer(model: model, optimizer: Adam(), learningRate: 0.01)
        for step in UInt64(0)..<3 {
            let feed = Self.inputs(plain.graph, seed: step)
            let expected = try plain.train(feed), actual = try optimized.train(feed)
            for (outputName, value) in expected {
                let error = Approximate.normwiseRelativeError(try #require(actual[outputName]).doubles, value.doubles)
                #expect(error <= 1e-4, "\(name) step \(step) output \(outputName): relative error \(error)")
            }
        }
        let after = optimized.checkpoint()
        for (parameter, value) in plain.checkpoint() {
            let error = Approximate.normwiseRelativeError(try #require(after[parameter]).doubles, value.doubles)
            #expect(error <= 1e-4, "\(name) parameter \(parameter) after 3 steps: relative error \(error)")
        }
    }

    @Test func theZooMovesFewerBytesInAllAndEachNetworkFewer() throws {
        var unfused = 0, fused = 0
        for name in Self.names {
            let report = try Self.model(name).optimizationReport()
            unfused += report.stages[0].bytesMoved
            fused += report.stages[report.stages.count - 1].bytesMoved
            if !name.hasSuffix("_block") && !name.hasSuffix("_module") {
                #expect(report.stages[report.stages.count - 1].bytesMoved < report.stages[0].bytesMoved, "\(name)")
            }
        }
        #expect(Double(fused) < 0.8 * Double(unfused), "\(fused) bytes fused, \(unfused) unfused")
    }

    @Test(arguments: names)
    func plansAreSafeTightAndSmaller(name: String) throws {
        let model = try Self.model(name)
        var reports = [try model.optimizationReport()]
        if Self.trainable(model) { reports.append(try model.trainingOptimizationReport()) }
        for report in reports {
            let optimized = report.optimized
            let what = "\(name) \(report.isTraining ? "training step" : "forward")"
            #expect(MemoryPlanChecker.violations(optimized.graph, fusion: optimized.fusion, memory: optimized.memory) == [], "\(what)")
            let memory = report.memory
            #expect(Double(memory.arenaBytes) <= 1.15 * Double(memory.lowerBound), "\(what): \(memory.summary)")
            #expect(memory.arenaBytes < memory.naiveBytes, "\(what): \(memory.summary)")
            let unfused = report.stages[0], fused = report.stages[report.stages.count - 1]
            #expect(fused.kernels < unfused.kernels, "\(what): \(fused.kernels) kernels fused, \(unfused.kernels) unfused")
            // Never more bytes; the same where every elementwise node follows a GEMM or convolution
            // alone (its epilogue re-reads the output as the separate kernel did) and the program
            // already moves the least it can (se_block reads x twice and writes once, fused or not).
            #expect(fused.bytesMoved <= unfused.bytesMoved, "\(what): \(fused.bytesMoved) bytes fused, \(unfused.bytesMoved) unfused")
        }
    }
}
