import KilnAnalysis

/// Benchmark results as a Markdown table: one row per result, the speed in GFLOP/s for
/// compute-bound calls and in GB/s for memory-bound ones, and the share of the roofline reached.
public enum BenchmarkTable {
    /// The table's header lines.
    static let header = [
        "| workload | mode | threads | backend | compile ms (import + setup + passes + codegen + compilers) | median ms | spread | speed | % of roofline |",
        "|---|---|---:|---|---|---:|---:|---:|---:|",
    ]

    /// The table of `results`.
    public static func markdown(_ results: [BenchmarkResult]) -> String {
        (header + results.map(row)).joined(separator: "\n")
    }

    /// The phases the header names in order; the compilers' phases carry their name in the cell
    /// (`tcc 12`, `native 310`, `native cache hit 2.1`).
    static let unnamedPhases: Set = ["import", "setup", "passes", "code generation"]

    /// One result's row.
    public static func row(_ result: BenchmarkResult) -> String {
        let phases = result.compilePhases.map { phase in
            let time = Quantity.fixed(phase.seconds * 1e3, digits: 2)
            return unnamedPhases.contains(phase.name) ? time : "\(phase.name) \(time)"
        }.joined(separator: " + ")
        let speed = result.bound == .compute
            ? "\(Quantity.fixed(result.gflops)) GFLOP/s" : "\(Quantity.fixed(result.gbs)) GB/s"
        let cells = [
            result.workload, result.mode, String(result.threads), result.backend,
            "\(Quantity.fixed(result.compileSeconds * 1e3)) (\(phases))", Quantity.fixed(result.median * 1e3),
            "±\(Quantity.fixed(result.spread * 50, digits: 2))%", speed, "\(Quantity.fixed(result.rooflineFraction * 100, digits: 2))%",
        ]
        return "| " + cells.joined(separator: " | ") + " |"
    }

    /// One line naming each compile phase and its time: `import 1.2 ms, graph 3 ms, passes 20 ms, ...`.
    public static func phaseLine(_ phases: [CompilePhase]) -> String {
        phases.map { "\($0.name) \(Quantity.fixed($0.seconds * 1e3, digits: 2)) ms" }.joined(separator: ", ")
    }
}
