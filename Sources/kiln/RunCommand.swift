import ArgumentParser
import Foundation
import Kiln
import KilnIR

/// `kiln run MODEL`: compile (tiered by default), run once, print the outputs and timings.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile a model and run it once on given or seeded random inputs.")

    @OptionGroup var options: ModelOptions

    @OptionGroup var optimization: OptimizationFlags

    @OptionGroup var execution: ExecutionOptions

    @Option(name: .customLong("input"), help: "An input as NAME=FILE.npy (C order, of the input's type: <f4, <i8, |b1, ...); repeatable.")
    var inputs: [String] = []

    @Option(name: .customLong("output"), help: "Write output NAME to FILE.npy as NAME=FILE.npy (FILE.npy alone: the first output); repeatable.")
    var outputFiles: [String] = []

    @Option(help: ArgumentHelp("Write every output to DIR/NAME.npy.", valueName: "DIR"))
    var outputDir: String?

    @Flag(help: "Also run the float64 reference interpreter and print the largest relative error.")
    var check = false

    func run() throws {
        try reportingErrors {
            let model = try options.loadModel()
            try model.validate()
            let values = try inputValues(for: model)
            let executable = try model.compile(backend: try execution.executionBackend(), optimization: execution.tuning(optimization.options))
            execution.settle(executable)
            let start = DispatchTime.now().uptimeNanoseconds
            let outputs = try executable.run(values)
            let runSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            for graphOutput in model.graph.outputs {
                guard let value = outputs[graphOutput.name] else { continue }
                print("\(graphOutput.name): \(value.type) \(preview(value))")
            }
            print(String(format: "compile (%@): %.2f ms, %d kernels", execution.backend == .native ? "native" : "tcc",
                         executable.compileSeconds * 1000, executable.kernelCount))
            if execution.backend == .tiered, let seconds = executable.nativeCompileSeconds, let outcome = executable.nativeCacheOutcome {
                print(String(format: "native tier (%@): %.2f ms", outcome.rawValue, seconds * 1000))
            }
            print("ran on \(executable.backendName), \(executable.threads) thread\(executable.threads == 1 ? "" : "s")")
            print(String(format: "run: %.3f ms", runSeconds * 1000))
            if check {
                let reference = try model.interpret(values)
                let worst = model.graph.outputs.map { graphOutput in
                    Approximate.normwiseRelativeError(outputs[graphOutput.name]!.doubles, reference[graphOutput.name]!.doubles)
                }.max() ?? 0
                print(String(format: "relative error against the float64 interpreter (max |a-e| / max |e|): %.3g", worst))
            }
            for (name, path) in try OutputFiles.destinations(outputFiles, directory: outputDir, outputs: model.graph.outputs.map(\.name)) {
                try NumPyFile.write(outputs[name]!, to: path)
                print("wrote \(name) to \(path)")
            }
        }
    }

    private func inputValues(for model: Model) throws -> [String: TensorValue] {
        var given: [String: TensorValue] = [:]
        for argument in inputs {
            guard let equals = argument.firstIndex(of: "=") else {
                throw KilnError.invalidArgument("--input takes NAME=FILE.npy, got '\(argument)'")
            }
            given[String(argument[..<equals])] = try NumPyFile.read(String(argument[argument.index(after: equals)...]))
        }
        var values: [String: TensorValue] = [:]
        for (index, node) in model.graph.inputs.enumerated() {
            if let value = given.removeValue(forKey: node.name) {
                guard value.type == node.type else {
                    throw KilnError.invalidArgument("input '\(node.name)' expects \(node.type), the file holds \(value.type)")
                }
                values[node.name] = value
            } else {
                values[node.name] = TensorValue.random(node.type, seed: options.seed &+ UInt64(index) &+ 1)
            }
        }
        if let extra = given.keys.sorted().first {
            let known = model.graph.inputs.map { "'\($0.name)'" }.joined(separator: ", ")
            throw KilnError.invalidArgument("the model has no input named '\(extra)' (its inputs: \(known))")
        }
        return values
    }
}

/// The first few values of a tensor, for printing.
func preview(_ value: TensorValue, count: Int = 6) -> String {
    let values = value.doubles
    let shown = values.prefix(count).map { String(format: "%.6g", $0) }.joined(separator: ", ")
    return "[" + shown + (values.count > count ? ", ..." : "") + "]"
}
