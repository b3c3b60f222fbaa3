import KilnAnalysis
import KilnIR

extension Executable {
    /// Times every per-run kernel: `warmupRuns` untimed runs of the whole program, then `runs` runs
    /// in which each kernel is timed alone on the monotonic clock (state updates run after each, as
    /// in `run`). Returns, per kernel after the preparation kernels (which run once per change of
    /// the parameters, not per run), the median time and its start (from the first kernel's start)
    /// and duration in the first measured run (the run a trace shows).
    public func timeKernels(
        _ inputs: [String: TensorValue], warmupRuns: Int = 2, runs: Int = 10
    ) throws(KilnError) -> [KernelMeasurement] {
        guard runs >= 1, warmupRuns >= 0 else {
            throw .invalidArgument("timing needs at least 1 run and no negative warm-up count (got \(runs) runs, \(warmupRuns) warm-ups)")
        }
        for _ in 0..<warmupRuns { _ = try runKernels(inputs) { _, run in run() } }
        let first = preparationKernelCount
        var samples = [[Double]](repeating: [], count: kernelCount - first)
        var traceStarts = [Double](repeating: 0, count: kernelCount - first)
        for runIndex in 0..<runs {
            _ = try runKernels(inputs) { index, run in
                let start = MonotonicClock.seconds()
                run()
                samples[index - first].append(MonotonicClock.seconds() - start)
                if runIndex == 0 { traceStarts[index - first] = start }
            }
        }
        let firstStart = traceStarts.first ?? 0
        return samples.indices.map { index in
            KernelMeasurement(
                medianSeconds: Executable.median(samples[index]), traceStartSeconds: traceStarts[index] - firstStart,
                traceSeconds: samples[index][0])
        }
    }

    /// The median (the mean of the middle two for an even count).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
