import ArgumentParser
import Foundation
import Kiln
import KilnIR
import KilnInterpreter

/// `kiln run MODEL`: compile (tiered by default), run once, print the outputs and timings.
///
/// Seeded random inputs are generated in place in the executable's arena, and outputs are
/// printed and written to `.npy` files from there, so a run holds each large tensor once.
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
            var values = try givenInputs(for: model)
            let seeds = Dictionary(uniqueKeysWithValues: model.graph.inputs.enumerated().map { ($1.name, options.seed &+ UInt64($0) &+ 1) })
            if check {
                do throws(KilnError) { try Interpreter.checkFootprint(model.graph) } catch { throw KilnError.invalidArgument("--check: \(error.description)") }
                for node in model.graph.inputs where values[node.name] == nil {
                    values[node.name] = TensorValue.random(node.type, seed: seeds[node.name]!)
                }
            }
            let destinations = try OutputFiles.destinations(outputFiles, directory: outputDir, outputs: model.graph.outputs.map(\.name))
            let executable = try model.compile(backend: try execution.executionBackend(), optimization: execution.tuning(optimization.options))
            execution.settle(executable)
            var start = DispatchTime.now().uptimeNanoseconds
            var runSeconds: Double?
            var lines: [String] = [], written: [String] = []
            var outputs: [String: TensorValue] = [:]
            try executable.run(values, filling: { node, bytes in
                TensorValue.fillRandom(node.type, seed: seeds[node.name] ?? options.seed, into: bytes.baseAddress!)
                start = DispatchTime.now().uptimeNanoseconds
            }, reading: { name, type, bytes throws(KilnError) in
                if runSeconds == nil { runSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
                lines.append("\(name): \(type) \(preview(type, bytes))")
                for (output, path) in destinations where output == name {
                    try NumPyFile.write(type, bytes: bytes, to: path)
                    written.append("wrote \(name) to \(path)")
                }
                if check { outputs[name] = TensorValue(type: type, copyingFrom: bytes.baseAddress!) }
            })
            lines.forEach { print($0) }
            print(String(format: "compile (%@): %.2f ms, %d kernels", execution.backend == .native ? "native" : "tcc",
                         executable.compileSeconds * 1000, executable.kernelCount))
            if execution.backend == .tiered, let seconds = executable.nativeCompileSeconds, let outcome = executable.nativeCacheOutcome {
                print(String(format: "native tier (%@): %.2f ms", outcome.rawValue, seconds * 1000))
            }
            print("ran on \(executable.backendName), \(executable.threads) thread\(executable.threads == 1 ? "" : "s")")
            print(String(format: "run: %.3f ms", (runSeconds ?? 0) * 1000))
            if check {
                let reference = try model.interpret(values)
                let worst = model.graph.outputs.map { graphOutput in
                    Approximate.normwiseRelativeError(outputs[graphOutput.name]!.doubles, reference[graphOutput.name]!.doubles)
                }.max() ?? 0
                print(String(format: "relative error against the float64 interpreter (max |a-e| / max |e|): %.3g", worst))
            }
            written.forEach { print($0) }
        }
    }

    /// The inputs given with `--input`, checked against the model's inputs.
    private func givenInputs(for model: Model) throws -> [String: TensorValue] {
        var given: [String: TensorValue] = [:]
        for argument in inputs {
            guard let equals = argument.firstIndex(of: "=") else {
                throw KilnError.invalidArgument("--input takes NAME=FILE.npy, got '\(argument)'")
            }
            given[String(argument[..<equals])] = try NumPyFile.read(String(argument[argument.index(after: equals)...]))
        }
        for node in model.graph.inputs {
            if let value = given[node.name], value.type != node.type {
                throw KilnError.invalidArgument("input '\(node.name)' expects \(node.type), the file holds \(value.type)")
            }
        }
        if let extra = given.keys.sorted().first(where: { name in !model.graph.inputs.contains { $0.name == name } }) {
            let known = model.graph.inputs.map { "'\($0.name)'" }.joined(separator: ", ")
            throw KilnError.invalidArgument("the model has no input named '\(extra)' (its inputs: \(known))")
        }
        return given
    }
}

/// The first few elements of a tensor of `type` laid out in `bytes` (compiled code's layout), for printing.
func preview(_ type: TensorType, _ bytes: UnsafeRawBufferPointer, count: Int = 6) -> String {
    let total = type.shape.elementCount
    let shown = TensorValue(type: TensorType(type.dtype, Shape([min(count, total)])), copyingFrom: bytes.baseAddress!)
    let text = shown.doubles.map { String(format: "%.6g", $0) }.joined(separator: ", ")
    return "[" + text + (total > count ? ", ..." : "") + "]"
}
