import ArgumentParser
import Foundation
import Kiln
import KilnIR
import KilnModels
import KilnONNX

/// Resolves the MODEL argument: a zoo name or a `.kiln` file.
enum ModelSource {
    /// The model `argument` names, with the parameter values of the safetensors file `weights`
    /// loaded (tensors the model does not have, such as optimizer state, are ignored).
    static func load(_ argument: String, seed: UInt64, batchSize: Int? = nil, weights: String?) throws -> Model {
        let model = try load(argument, seed: seed, batchSize: batchSize)
        guard let weights else { return model }
        return try model.loading(safetensors: weights, matching: .ignoringExtra)
    }

    static func load(_ argument: String, seed: UInt64, batchSize: Int? = nil) throws -> Model {
        if let entry = Zoo.entry(argument) { return entry.build(batchSize ?? entry.defaultBatchSize, seed) }
        if argument.hasSuffix(".onnx") {
            let imported = try ONNXImporter.load(argument)
            return Model(graph: imported.graph, parameters: imported.parameters, seed: seed)
        }
        if argument.hasSuffix(".kiln") || FileManager.default.fileExists(atPath: argument) {
            let text = try SafeFile.readText(argument)
            do {
                return try Model(graphFile: text, seed: seed)
            } catch {
                throw KilnError.io(path: argument, message: error.description)
            }
        }
        let names = Zoo.entries.map(\.name).joined(separator: ", ")
        throw KilnError.invalidArgument("unknown model '\(argument)': not a zoo model (\(names)) and not a .kiln file")
    }
}

/// Options every command that loads a model shares.
struct ModelOptions: ParsableArguments {
    @Argument(help: "A zoo model name, a .kiln graph file or an .onnx file.")
    var model: String

    @Option(name: .customLong("seed"), parsing: .unconditional, help: "Seed for parameter initialization and random inputs.")
    var seedArgument = SeedArgument(0)

    /// The seed given (checked by `validate()`).
    var seed: UInt64 { seedArgument.value ?? 0 }

    @Option(help: ArgumentHelp(
        "Parameter values from a safetensors file (for example a checkpoint written by 'kiln train --save').",
        discussion: "Every parameter of the model must be in the file with its shape; other tensors in it (optimizer state) are ignored.",
        valueName: "file.safetensors"))
    var weights: String?

    func validate() throws {
        try reportingErrors { try NumericOptions.seed("--seed", seedArgument) }
    }

    /// The model the arguments name, with the `--weights` values loaded.
    func loadModel(batchSize: Int? = nil) throws -> Model {
        try ModelSource.load(model, seed: seed, batchSize: batchSize, weights: weights)
    }
}

/// Runs `body`, turning Kiln errors into one line on standard error and exit code 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as KilnError {
        FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
        throw ExitCode(1)
    }
}
