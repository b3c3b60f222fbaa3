import ArgumentParser
import Kiln
import KilnIR

/// `kiln emit MODEL -o DIR`: standalone C inference code.
struct Emit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write standalone C99 inference code (NAME.h, NAME.c, weights, main.c, Makefile) for a model.")

    @OptionGroup var options: ModelOptions

    @OptionGroup var optimization: OptimizationFlags

    @Option(name: .shortAndLong, help: "The folder to write.")
    var output: String

    @Option(help: "The file and C prefix name (default: the model's name, sanitized).")
    var name: String?

    @Flag(help: "Embed the weights in NAME.c instead of writing NAME.weights.bin.")
    var embedWeights = false

    @Option(help: "builtin (a blocked GEMM, libc and libm only) or cblas (OpenBLAS).")
    var blas = "builtin"

    @Option(help: "Fail unless the read-write memory (workspace and prepared buffer) fits in this many bytes.")
    var maxRam: Int?

    func run() throws {
        try reportingErrors {
            guard let choice = StandaloneBLAS(rawValue: blas) else {
                throw KilnError.invalidArgument("unknown --blas '\(blas)' (expected builtin or cblas)")
            }
            let model = try options.loadModel()
            let program = try model.standaloneProgram(
                name: name, blas: choice, embedWeights: embedWeights, optimization: optimization.options, maxRAM: maxRam)
            try program.write(to: output)
            for file in program.files.keys.sorted() { print("wrote \(output)/\(file)") }
            for line in program.footprint.lines { print(line) }
            print("build: make -C \(output) && \(output)/\(program.name) " + model.graph.inputs.map { "\($0.name).npy" }.joined(separator: " ")
                + " " + model.graph.outputs.map { "\($0.name)_out.npy" }.joined(separator: " "))
        }
    }
}
