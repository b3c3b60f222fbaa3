import ArgumentParser
import Foundation
import Kiln
import KilnIR
import KilnModels
import KilnONNX

/// Resolves the MODEL argument: a zoo name, a `.kiln` file or an `.onnx` file.
enum ModelSource {
    /// The model `argument` names, with the parameter values of the safetensors file `weights`
    /// loaded (tensors the model does not have, such as optimizer state, are ignored).
    static func load(
        _ argument: String, seed: UInt64, batchSize: Int? = nil, weights: String?, shapes: [String: Shape] = [:]
    ) throws -> Model {
        let model = try load(argument, seed: seed, batchSize: batchSize, shapes: shapes)
        guard let weights else { return model }
        return try model.loading(safetensors: weights, matching: .ignoringExtra)
    }

    static func load(_ argument: String, seed: UInt64, batchSize: Int? = nil, shapes: [String: Shape] = [:]) throws -> Model {
        if argument.hasSuffix(".onnx") { return try Model(onnx: argument, shapes: shapes, seed: seed) }
        if !shapes.isEmpty {
            throw KilnError.invalidArgument("--shape fixes the symbolic dimensions of .onnx models; '\(argument)' is not one")
        }
        if let entry = Zoo.entry(argument) { return entry.build(batchSize ?? entry.defaultBatchSize, seed) }
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

    @Option(name: .customLong("shape"), help: ArgumentHelp(
        "The shape of an input of an .onnx model, fixing its symbolic dimensions; repeatable.",
        discussion: "Kiln graphs have static shapes: a model exported with a dynamic batch or sequence axis needs the shape of each input that has one.",
        valueName: "name=d0,d1,..."))
    var shapeArguments: [String] = []

    func validate() throws {
        try reportingErrors {
            try NumericOptions.seed("--seed", seedArgument)
            _ = try shapes()
        }
    }

    /// The `--shape` arguments by input name.
    func shapes() throws(KilnError) -> [String: Shape] {
        var shapes: [String: Shape] = [:]
        for argument in shapeArguments {
            let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let texts = parts.count == 2 ? parts[1].split(separator: ",", omittingEmptySubsequences: false) : []
            let values = texts.compactMap { Int($0) }
            guard parts.count == 2, !parts[0].isEmpty, values.count == texts.count, values.allSatisfy({ $0 >= 0 }) else {
                throw .invalidArgument("--shape takes NAME=D0,D1,... with non-negative integer dimensions, got '\(argument)'")
            }
            guard shapes.updateValue(Shape(values), forKey: String(parts[0])) == nil else {
                throw .invalidArgument("--shape gives input '\(parts[0])' twice")
            }
        }
        return shapes
    }

    /// The model the arguments name, with the `--weights` values loaded.
    func loadModel(batchSize: Int? = nil) throws -> Model {
        try ModelSource.load(model, seed: seed, batchSize: batchSize, weights: weights, shapes: shapes())
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
