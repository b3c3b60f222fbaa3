import Foundation
import Kiln
import KilnModels
import Testing

/// The structure of `kiln bench`: the suite's workloads, the figures of a result and how they
/// follow from the cost model and the machine model, and the table. No time is asserted.
@Suite struct BenchmarkTests {
    static let machine = MachineModel(peakGFLOPs: 100, bandwidthGBs: 10, source: .fixed)

    @Test func theSuiteHoldsTheStandardWorkloads() throws {
        let rows = BenchmarkSuite.workloads.map { "\($0.name) \($0.mode.label)" }
        #expect(rows == [
            "mlp (batch 64) inference", "mlp (batch 64) sgd step", "lenet5_mnist (batch 64) inference",
            "lenet5_mnist (batch 64) sgd step", "resnet18 (batch 1) inference", "mobilenet_v2 (batch 1) inference",
            "transformer_block (batch 1) inference", "lstm (batch 16) inference", "gelu_stream (batch 1) inference",
        ])
        #expect(BenchmarkSuite.threadCounts == [1, 2])
        let inputs: [String: Shape] = [
            "mlp": [64, 784], "lenet5_mnist": [64, 1, 28, 28], "resnet18": [1, 3, 224, 224], "mobilenet_v2": [1, 3, 224, 224],
            "transformer_block": [1, 128, 256], "lstm": [16, 32, 128], "gelu_stream": [1, 4096, 1024],
        ]
        for workload in BenchmarkSuite.workloads {
            let model = try workload.load()
            try model.validate()
            #expect(model.graph.node(named: "x")?.type.shape == inputs[workload.model], "\(workload.name)")
        }
        #expect(BenchmarkSuite.workloads(matching: ["lenet5"]).count == 2)
        #expect(BenchmarkSuite.workloads(matching: []).count == BenchmarkSuite.workloads.count)
    }

    @Test func theLSTMRowOutputsEveryHiddenState() throws {
        let model = try #require(BenchmarkSuite.workloads.first { $0.model == "lstm" }).load()
        let y = try #require(model.graph.outputs.first { $0.name == "y" })
        #expect(model.graph[y.node].type.shape == [16, 32, 256])
    }

    @Test func resultsFollowFromTheCostModelAndTheRoofline() throws {
        var rows: [BenchmarkResult] = []
        let results = try BenchmarkSuite.run(
            BenchmarkSuite.workloads(matching: ["mlp"]), threadCounts: [BLASThreads.count], runs: 3, warmup: 0,
            setThreads: { _ in }, machine: { _ in Self.machine }, progress: { rows.append($0) })
        #expect(results.count == 2 && rows.count == 2)
        #expect(results.map(\.mode) == ["inference", "sgd step"])
        for result in results {
            #expect(result.times.count == 3 && result.backend == "tcc")
            #expect(result.compilePhases.map(\.name) == ["import", "setup", "passes", "code generation", "tcc"])
            #expect(result.compilePhases.allSatisfy { $0.seconds >= 0 })
            #expect(result.median >= result.times.min()! && result.median <= result.times.max()!)
            #expect(result.spread >= 0)
            #expect(abs(result.gflops - Double(result.flops) / result.median / 1e9) <= 1e-9 * result.gflops)
            #expect(abs(result.gbs - Double(result.bytes) / result.median / 1e9) <= 1e-9 * result.gbs)
            #expect(abs(result.rooflineFraction - result.rooflineSeconds / result.median) <= 1e-9)
            // At least the time the matrix products' FLOPs take at the peak.
            #expect(result.rooflineSeconds >= Double(result.flops) / 100e9 * 0.999)
            #expect(result.bound == .compute)
        }
        // Inference: 2 FLOPs per multiply-accumulate of the three layers, plus a few per output for
        // the bias and ReLU epilogues.
        let macs = 64 * (784 * 512 + 512 * 512 + 512 * 10)
        #expect(results[0].flops >= 2 * macs && results[0].flops < 2 * macs + 64 * 1034 * 4)
        #expect(results[1].flops > 2 * results[0].flops)

        let table = BenchmarkTable.markdown(results).split(separator: "\n")
        #expect(table.count == 4)
        #expect(table[0].hasPrefix("| workload | mode | threads | backend | compile ms"))
        #expect(table[3].hasPrefix("| mlp (batch 64) | sgd step | \(BLASThreads.count) | tcc | "))
        #expect(table[2].contains("GFLOP/s"))
    }

    @Test func theMemoryBoundRowIsMeasuredInBytes() throws {
        let model = Model("small_gelu") { g in
            let x = g.input("x", [1 << 16])
            g.output("y", gelu(x * 1.5 + 0.25) + x)
        }
        let benchmark = try PreparedBenchmark(mode: .inference) { model }
        let times = try Benchmark.time([benchmark], runs: 2, warmup: 0)[0]
        let result = BenchmarkResult(benchmark, workload: "small_gelu", threads: 1, times: times, machine: Self.machine)
        #expect(result.bound == .memory)
        // One fused loop: x and the two scalar constants read once, y written once.
        #expect(result.bytes == 2 * 4 << 16 + 2 * 4)
        #expect(abs(result.rooflineSeconds - Double(result.bytes) / 10e9) <= 1e-12)
        #expect(BenchmarkTable.row(result).contains("GB/s"))
    }

    @Test func compilePhasesAreRecordedOnlyInsideRecording() throws {
        let recorder = CompilePhaseRecorder()
        _ = try MLP.mnist().compile()
        #expect(recorder.phases.isEmpty)
        try recorder.recording {
            _ = try MLP.mnist().compile()
            _ = try MLP.mnist().compile()
        }
        #expect(recorder.phases.map(\.name) == ["passes", "code generation", "tcc"])
        recorder.record("tcc", seconds: 1)
        #expect(try #require(recorder.phases.last).seconds >= 1)
    }
}
