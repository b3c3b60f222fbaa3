import Kiln
import KilnModels
import Testing

/// The profiler end to end on real compiled code. Times are measured but never asserted.
@Suite struct ProfilerTests {
    @Test func profilesInferenceKernelByKernel() throws {
        let model = MLP.mnist(batch: 2)
        let report = try Profiler.profile(model, training: false, machine: GraphFixtures.machine, runs: 2, warmupRuns: 1)
        // Fused: each layer's GEMM carries its bias add and ReLU as an epilogue.
        #expect(report.kernels.map(\.cost.name) == ["k000_matmul_add_relu", "k001_matmul_add_relu", "k002_matmul_add"])
        #expect(report.kernels.allSatisfy { $0.measuredSeconds >= 0 && $0.cost.phase == .forward })
        #expect(Set(report.kernels.map(\.rank)) == Set(1...3))
        #expect(Set(report.layers.map(\.layer)) == ["fc1", "fc2", "fc3"])
    }

    @Test func profilesTheTrainingStepByPhase() throws {
        // 64-128-10 at batch 32: forward 32·(64·128 + 128·10) MACs; backward dW2, dh, dW1 (no dx).
        let report = try Profiler.profile(
            DigitsModels.mlp(batch: 32), training: true, machine: GraphFixtures.machine, runs: 1, warmupRuns: 0)
        #expect(report.mode == "training")
        #expect(report.costs.phases == [.forward, .backward, .update])
        #expect(report.costs.totals(.forward).macs == 32 * (64 * 128 + 128 * 10))
        #expect(report.costs.totals(.backward).macs == 128 * 10 * 32 + 32 * 10 * 128 + 64 * 128 * 32)
        #expect(report.costs.totals(.update).macs == 0)
        #expect(report.costs.parameterCount == 64 * 128 + 128 + 128 * 10 + 10)
        // Backward nodes keep their forward layer; optimizer nodes take the layer they update.
        let backwardLayers = Set(report.kernels.filter { $0.cost.phase == .backward && $0.cost.macs > 0 }.map(\.cost.layer))
        #expect(backwardLayers == ["fc1", "fc2"])
        let updateLayers = Set(report.kernels.filter { $0.cost.phase == .update }.map(\.cost.layer))
        #expect(updateLayers.isSuperset(of: ["fc1", "fc2"]))
    }
}

/// A model whose batch norms fold has preparation kernels (the folded weights, computed once per
/// change of the parameters): they are neither timed nor reported per run.
@Suite struct PreparationProfilingTests {
    @Test func preparationKernelsAreNotProfiledPerRun() throws {
        let model = try #require(Zoo.entry("cnn-digits")).build(seed: 0)
        let executable = try model.compile()
        #expect(executable.preparationKernelCount > 0)
        let report = try Profiler.profile(model, training: false, machine: GraphFixtures.machine, runs: 1, warmupRuns: 0)
        #expect(report.kernels.count == executable.kernelCount - executable.preparationKernelCount)
        #expect(!report.kernels.contains { $0.cost.name.hasPrefix("k000_") })
    }
}
