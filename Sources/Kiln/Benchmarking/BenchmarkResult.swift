import KilnAnalysis

/// One benchmark's figures: compile time by phase, the steady-state time per call with its
/// spread, and the speed by Kiln's cost model against the machine's roofline.
public struct BenchmarkResult: Sendable {
    /// The row's name (`mlp`).
    public var workload: String
    /// `inference`, `sgd step`, ...
    public var mode: String
    /// The thread count it ran on.
    public var threads: Int
    /// The compiler of the code timed (`tcc`).
    public var backend: String
    /// Compile time by phase.
    public var compilePhases: [CompilePhase]
    /// Seconds per timed call, in the order run.
    public var times: [Double]
    /// FLOPs of one call by the cost model.
    public var flops: Int
    /// Bytes one call moves across kernel boundaries by the cost model.
    public var bytes: Int
    /// The roofline's time for one call: the sum over its kernels of `max(FLOPs / peak, bytes / bandwidth)`.
    public var rooflineSeconds: Double
    /// Whether the roofline says the call is limited by arithmetic or by memory (from its total intensity).
    public var bound: Bound

    /// The figures of `benchmark` timed as `times` on `machine`.
    public init(_ benchmark: PreparedBenchmark, workload: String, threads: Int, times: [Double], machine: MachineModel) {
        self.workload = workload
        mode = benchmark.mode.label
        self.threads = threads
        backend = benchmark.executable.backendName
        compilePhases = benchmark.compilePhases
        self.times = times
        let totals = benchmark.costs.totals()
        flops = totals.flops
        bytes = totals.bytes
        rooflineSeconds = benchmark.costs.kernels.reduce(0) { $0 + machine.predictedSeconds(flops: $1.flops, bytes: $1.bytes) }
        bound = machine.bound(intensity: totals.intensity)
    }

    /// Seconds from the import to code ready to run.
    public var compileSeconds: Double { compilePhases.reduce(0) { $0 + $1.seconds } }

    /// The median time per call in seconds.
    public var median: Double { quantile(0.5) }

    /// The spread of the times: the interquartile range relative to the median.
    public var spread: Double { median > 0 ? (quantile(0.75) - quantile(0.25)) / median : 0 }

    /// GFLOP/s at the median time.
    public var gflops: Double { median > 0 ? Double(flops) / median / 1e9 : 0 }

    /// GB/s at the median time.
    public var gbs: Double { median > 0 ? Double(bytes) / median / 1e9 : 0 }

    /// The roofline's time as a share of the median time: 1 is the machine's ceiling.
    public var rooflineFraction: Double { median > 0 ? rooflineSeconds / median : 0 }

    /// The `q` quantile of the times, interpolating between neighbours (0 when there are none).
    func quantile(_ q: Double) -> Double {
        let sorted = times.sorted()
        guard !sorted.isEmpty else { return 0 }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position), upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
