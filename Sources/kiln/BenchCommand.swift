import ArgumentParser
import Foundation
import Kiln
import KilnIR
import KilnModels

/// `kiln bench MODEL`: the optimized program against the program as written, in one run, with
/// compile time by phase and speed against the roofline; `kiln bench --suite`: the standard set.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time a model optimized and as written (no passes, no fusion, one buffer per tensor), or the standard suite.",
        discussion: """
            Variants run alternately, so machine noise hits both; times are medians of --runs runs after --warmup runs, \
            with the spread (± half the interquartile range). Compile time is split into import, setup (graph building, \
            autodiff for training, parameters), passes, code generation and the compiler. Speed is by Kiln's cost model: GFLOP/s \
            for compute-bound programs, GB/s for memory-bound ones, and the share of the roofline reached (the \
            roofline's time over the median), from the measured machine model of the thread count. --suite runs \
            the standard workloads (mlp, lenet5_mnist, resnet18, mobilenet_v2, transformer_block, lstm, gelu_stream; \
            SGD steps for training rows) at 1 and 2 threads and prints a Markdown table.
            """)

    @Argument(help: "A zoo model name, a .kiln graph file or an .onnx file (omit with --suite).")
    var model: String?

    @Option(name: .customLong("seed"), parsing: .unconditional, help: "Seed for parameter initialization and random inputs.")
    var seedArgument = SeedArgument(0)

    @Option(help: "Parameter values from a safetensors file (for example a 'kiln train --save' checkpoint).")
    var weights: String?

    @Option(parsing: .unconditional, help: "Timed runs of each variant.")
    var runs = 20

    @Option(parsing: .unconditional, help: "Untimed runs of each variant first.")
    var warmup = 3

    @Flag(help: "Time a training step (the model must declare a loss) instead of inference.")
    var train = false

    @Option(help: "The optimizer of --train: \(OptimizerCatalog.names.joined(separator: ", ")).")
    var optimizer = "adam"

    @Flag(help: "Run the standard suite instead of one model.")
    var suite = false

    @Option(help: "With --suite, only the workloads whose name contains TEXT (repeatable).")
    var filter: [String] = []

    @Flag(help: "Few runs (3 timed, 1 warm-up): the table's structure in seconds, not a measurement.")
    var quick = false

    @Option(help: ArgumentHelp(
        "tcc, native (the system C compiler) or tiered (tcc, then the native code, which is what is timed).",
        valueName: "BACKEND"))
    var backend: ExecutionBackend.Kind = .tiered

    @Option(parsing: .unconditional, help: "Threads for Kiln's loops and OpenBLAS together (default: KILN_NUM_THREADS, else OpenBLAS's count; with --suite, 1 and 2).")
    var threads: Int?

    /// The seed given (checked by `validate()`).
    private var seed: UInt64 { seedArgument.value ?? 0 }

    func validate() throws {
        try reportingErrors {
            try NumericOptions.seed("--seed", seedArgument)
            try NumericOptions.positive("--runs", runs)
            try NumericOptions.nonNegative("--warmup", warmup)
            try NumericOptions.within("--threads", threads, BLASThreads.allowedCounts)
        }
    }

    func run() throws {
        try reportingErrors {
            let (runs, warmup) = quick ? (3, 1) : (runs, warmup)
            if suite {
                guard model == nil else { throw KilnError.invalidArgument("--suite takes no MODEL (got '\(model ?? "")')") }
                try runSuite(runs: runs, warmup: warmup)
            } else {
                guard let model else { throw KilnError.invalidArgument("give a MODEL to benchmark, or --suite") }
                try compare(model, runs: runs, warmup: warmup)
            }
        }
    }

    /// The optimized program against the program as written.
    private func compare(_ name: String, runs: Int, warmup: Int) throws {
        if let threads { try BLASThreads.setDefault(threads) }
        let mode: BenchmarkMode = train
            ? .training(try OptimizerCatalog.optimizer(named: optimizer), learningRate: OptimizerCatalog.defaultLearningRate(named: optimizer))
            : .inference
        let variants: [(String, OptimizationOptions)] = [("as written", .none), ("optimized", .standard)]
        let benchmarks = try variants.map { _, optimization in
            try PreparedBenchmark(mode: mode, optimization: optimization, backend: ExecutionBackend(backend), seed: seed) {
                try ModelSource.load(name, seed: seed, weights: weights)
            }
        }
        let times = try Benchmark.time(benchmarks, runs: runs, warmup: warmup)
        let machine = try machineModel()
        let threadCount = benchmarks[0].executable.threads
        let results = zip(benchmarks, times).map { benchmark, times in
            BenchmarkResult(benchmark, workload: benchmark.model, threads: threadCount, times: times, machine: machine)
        }
        print("\(benchmarks[0].model) (\(mode.label)), \(results[0].backend), \(threadCount) thread\(threadCount == 1 ? "" : "s"), "
            + "median of \(runs) runs after \(warmup) warm-up runs:")
        for ((label, _), result) in zip(variants, results) {
            print(String(format: "  %-11@ %10.3f ms ±%.1f%%  ", label as NSString, result.median * 1e3, result.spread * 50)
                + speedLine(result))
            print("              compile \(Quantity.fixed(result.compileSeconds * 1e3)) ms: \(BenchmarkTable.phaseLine(result.compilePhases))")
        }
        print(String(format: "  speed-up of the optimized program: %.2fx", results[0].median / results[1].median))
        noteAboveRoofline(results)
    }

    /// The standard suite as a Markdown table, rows printed as they finish.
    private func runSuite(runs: Int, warmup: Int) throws {
        let workloads = BenchmarkSuite.workloads(matching: filter)
        guard !workloads.isEmpty else {
            let names = BenchmarkSuite.workloads.map(\.name).joined(separator: ", ")
            throw KilnError.invalidArgument("no suite workload matches \(filter.map { "'\($0)'" }.joined(separator: ", ")) (the workloads: \(names))")
        }
        let environment = ProcessInfo.processInfo.environment
        print("kiln bench --suite, \(MachineBenchmark.cpuName()), OpenBLAS \(BLASThreads.core) kernels (OPENBLAS_CORETYPE="
            + "\(environment["OPENBLAS_CORETYPE"] ?? "unset"), OPENBLAS_L2_SIZE=\(environment["OPENBLAS_L2_SIZE"] ?? "unset")), "
            + "median of \(runs) runs after \(warmup) warm-up runs\n")
        print(BenchmarkTable.markdown([]))
        let results = try BenchmarkSuite.run(
            workloads, threadCounts: threads.map { [$0] } ?? BenchmarkSuite.threadCounts, runs: runs, warmup: warmup,
            backend: ExecutionBackend(backend), setThreads: { try BLASThreads.setDefault($0) }, machine: { _ in try machineModel() },
            progress: { print(BenchmarkTable.row($0)) })
        noteAboveRoofline(results)
    }

    /// A note on standard error for every result faster than its roofline, which the roofline says
    /// cannot happen: the cached machine model was measured under load, or the program keeps in
    /// cache data that the cost model counts as memory traffic.
    private func noteAboveRoofline(_ results: [BenchmarkResult]) {
        let above = results.filter { $0.rooflineFraction > 1.05 }
        guard !above.isEmpty else { return }
        let rows = above.map {
            "\($0.workload) \($0.mode) at \($0.threads) thread\($0.threads == 1 ? "" : "s") "
                + "(\(Quantity.fixed($0.rooflineFraction * 100, digits: 2))%)"
        }
        FileHandle.standardError.write(Data((
            "note: faster than the roofline: \(rows.joined(separator: ", ")). Either the cached machine model was "
            + "measured under load (`kiln profile MODEL --remeasure` measures it again) or the program keeps in cache "
            + "data the cost model counts as memory traffic.\n").utf8))
    }

    private func speedLine(_ result: BenchmarkResult) -> String {
        "\(Quantity.fixed(result.gflops)) GFLOP/s, \(Quantity.fixed(result.gbs)) GB/s (\(result.bound.rawValue)-bound), "
            + "\(Quantity.fixed(result.rooflineFraction * 100, digits: 2))% of the roofline"
    }

    /// The machine model for the current thread count and the compiler of the timed tier, measured on first use.
    private func machineModel() throws -> MachineModel {
        try MachineModelStore.resolve(
            MachineOverrides(), backend: ExecutionBackend(backend).ceilingsBackend,
            progress: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
    }
}
