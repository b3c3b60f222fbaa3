import ArgumentParser
import KilnPasses

/// The optimization options every command that compiles a model shares: `run`, `show`, `profile`
/// and `emit`.
struct OptimizationFlags: ParsableArguments {
    @Option(
        name: .customLong("dump-after"),
        help: ArgumentHelp("Print the graph after pass ID (repeatable; 'all' for every pass).", valueName: "ID"))
    var dumpAfter: [String] = []

    @Flag(name: .customLong("print-passes"), help: "Print the passes run and the node counts before and after each.")
    var printPasses = false

    @Flag(name: .customLong("no-optimize"), help: "Compile as written: no passes, one kernel per node, one buffer per tensor.")
    var noOptimize = false

    /// The options these flags select.
    var options: OptimizationOptions {
        var options = noOptimize ? OptimizationOptions.none : .standard
        options.dumpAfter = Set(dumpAfter)
        options.printPasses = printPasses
        return options
    }
}
