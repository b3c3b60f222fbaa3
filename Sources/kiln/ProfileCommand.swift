import ArgumentParser
import Foundation
import Kiln
import KilnAnalysis
import KilnIR
import KilnRuntime

/// `kiln profile MODEL`: the cost of every kernel, its place on the roofline, and its measured time.
struct Profile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Profile a model: FLOPs, bytes and intensity per kernel, compute- or memory-bound, measured time.",
        discussion: """
            The machine model (peak GFLOP/s by OpenBLAS sgemm, bandwidth by a STREAM triad, and the \
            bandwidth of Kiln's JIT loops) is measured on first use and cached in \
            $XDG_CACHE_HOME/kiln/machine.json (default ~/.cache/kiln/machine.json), one entry per thread count, \
            OpenBLAS kernels and compiler of the tier profiled (--backend, --threads). \
            KILN_MACHINE=peak_gflops=P,bandwidth_gbs=B fixes it without measuring.
            """)

    @OptionGroup var options: ModelOptions

    @OptionGroup var optimization: OptimizationFlags

    @Flag(help: "Profile the training step (forward, loss, backward, Adam update) instead of inference.")
    var train = false

    @Option(parsing: .unconditional, help: "Timed runs per kernel (the median is reported).")
    var runs = 10

    @Option(help: "Write the report as JSON to FILE.")
    var json: String?

    @Option(help: "Write one row per kernel as CSV to FILE.")
    var csv: String?

    @Option(help: "Write the roofline chart as SVG to FILE (and as PNG beside it when rsvg-convert is installed).")
    var svg: String?

    @Option(help: "Write a Chrome trace (chrome://tracing, Perfetto) of one run to FILE.")
    var trace: String?

    @Flag(help: "Also print the cost of every operator (node).")
    var operators = false

    @Option(parsing: .unconditional, help: "Use this peak GFLOP/s instead of the measured one.")
    var peakGflops: Double?

    @Option(parsing: .unconditional, help: "Use this memory bandwidth in GB/s instead of the measured one.")
    var bandwidthGbs: Double?

    @Flag(help: "Measure the machine model again and update the cache.")
    var remeasure = false

    @OptionGroup var execution: ExecutionOptions

    func validate() throws {
        try reportingErrors {
            try NumericOptions.positive("--runs", runs)
            try NumericOptions.positiveFinite("--peak-gflops", peakGflops)
            try NumericOptions.positiveFinite("--bandwidth-gbs", bandwidthGbs)
        }
    }

    func run() throws {
        try reportingErrors {
            let backend = try execution.executionBackend()
            let model = try options.loadModel()
            try model.validate()
            // The diagnosis compares kernels with the ceilings of the compiler that built them.
            let machine = try MachineModelStore.resolve(
                MachineOverrides(peakGFLOPs: peakGflops, bandwidthGBs: bandwidthGbs, remeasure: remeasure),
                backend: backend.ceilingsBackend,
                progress: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
            let report = try Profiler.profile(
                model, training: train, machine: machine, runs: runs, seed: options.seed, backend: backend,
                optimization: execution.tuning(optimization.options))
            print(report.table())
            if operators { print("\n" + report.operatorTable()) }
            if let json { try write(try report.json(), to: json) }
            if let csv { try write(report.csv(), to: csv) }
            if let svg {
                try write(RooflineChart(report: report).svg(), to: svg)
                if let png = try RooflinePNG.write(besides: svg) { print("wrote \(png)") }
            }
            if let trace { try write(try report.chromeTrace(), to: trace) }
        }
    }

    private func write(_ text: String, to path: String) throws {
        try SafeFile.write(text, to: path)
        print("wrote \(path)")
    }
}
