import Foundation
import Kiln
import KilnIR
import KilnModels
import Testing

/// Loading parameter values in bulk: `Model.loading`, `Executable.load(parameters:)` and the
/// CLI's `--weights`, with the exact messages for tensors that do not fit.
@Suite struct WeightsTests {
    static func tinyModel() -> Model {
        Model("tiny") { g in
            let x = g.input("x", [2, 3])
            g.output("y", Sequential { Linear(3, 4, name: "fc1"); ReLU(); Linear(4, 2, name: "fc2") }(x))
        }
    }

    /// Random values for every parameter of `model`.
    static func randomWeights(_ model: Model, seed: UInt64) throws -> [String: TensorValue] {
        var seedOffset: UInt64 = 0
        return try model.initialParameters().sorted { $0.key < $1.key }.reduce(into: [:]) { weights, entry in
            seedOffset += 1
            weights[entry.key] = TensorValue.random(entry.value.type, seed: seed + seedOffset)
        }
    }

    static let input = TensorValue.random(TensorType(.float32, [2, 3]), seed: 99)

    @Test func loadedWeightsDriveTheCompiledProgramAndTheInterpreter() throws {
        let model = Self.tinyModel()
        let weights = try Self.randomWeights(model, seed: 7)
        let loaded = try model.loading(weights)
        let compiled = try loaded.compile().run(["x": Self.input])["y"]!.floats
        let reference = try loaded.interpret(["x": Self.input])["y"]!.floats
        let initial = try model.compile().run(["x": Self.input])["y"]!.floats
        #expect(zip(compiled, reference).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
        #expect(compiled != initial)
        #expect(try loaded.initialParameters() == weights)
    }

    @Test func strictMatchingNamesEveryMisfit() throws {
        let model = Self.tinyModel()
        var weights = try Self.randomWeights(model, seed: 1)
        weights["fc2.bias"] = nil
        weights["fc1.weight"] = TensorValue.random(TensorType(.float32, [4, 3]), seed: 2)
        weights["fc3.weight"] = TensorValue.random(TensorType(.float32, [1]), seed: 3)
        #expect(throws: KilnError.invalidArgument(
            "parameters does not match model 'tiny': missing tensor 'fc2.bias'; unexpected tensor 'fc3.weight'; "
                + "'fc1.weight' is f32[4,3] but the model expects f32[3,4]")) {
            try model.loading(weights)
        }
    }

    @Test func ignoringExtraAcceptsOptimizerStateButNotAMissingParameter() throws {
        let model = Self.tinyModel()
        var weights = try Self.randomWeights(model, seed: 4)
        weights["fc1.weight.adam.m"] = TensorValue.random(TensorType(.float32, [3, 4]), seed: 5)
        let loaded = try model.loading(weights, matching: .ignoringExtra)
        #expect(try loaded.initialParameters()["fc1.weight"] == weights["fc1.weight"])
        weights["fc1.bias"] = nil
        #expect(throws: KilnError.invalidArgument("parameters does not match model 'tiny': missing tensor 'fc1.bias'")) {
            try model.loading(weights, matching: .ignoringExtra)
        }
    }

    @Test func partialMatchingLoadsASubsetAndRejectsUnknownNames() throws {
        let model = Self.tinyModel()
        let bias = TensorValue(shape: [2], floats: [5, -5])
        let loaded = try model.loading(["fc2.bias": bias], matching: .partial)
        let parameters = try loaded.initialParameters()
        #expect(parameters["fc2.bias"] == bias)
        #expect(parameters["fc1.weight"] == (try model.initialParameters())["fc1.weight"])
        #expect(throws: KilnError.invalidArgument("parameters does not match model 'tiny': unexpected tensor 'fc2.bais'")) {
            try model.loading(["fc2.bais": bias], matching: .partial)
        }
    }

    @Test func executableLoadWritesNothingWhenOneTensorDoesNotFit() throws {
        let model = Self.tinyModel()
        let executable = try model.compile()
        let before = executable.parameters()
        var weights = try Self.randomWeights(model, seed: 8)
        weights["fc2.weight"] = TensorValue.random(TensorType(.float32, [2, 4]), seed: 9)
        #expect(throws: KilnError.self) { try executable.load(parameters: weights) }
        #expect(executable.parameters() == before)
        weights = try Self.randomWeights(model, seed: 8)
        try executable.load(parameters: weights)
        #expect(executable.parameters() == weights)
        let output = try executable.run(["x": Self.input])["y"]!.floats
        #expect(output == (try model.loading(weights).compile().run(["x": Self.input]))["y"]!.floats)
    }

    @Test func cliRunsWithWeightsAndNamesAFileThatDoesNotFit() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-weights-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let entry = try #require(Zoo.entry("mlp"))
        let model = entry.build(entry.defaultBatchSize, 0)
        var weights = try Self.randomWeights(model, seed: 11)
        weights["fc1.weight.velocity"] = TensorValue.random(TensorType(.float32, [2]), seed: 12)
        let weightsPath = directory.appendingPathComponent("w.safetensors").path
        try SafeTensors.write(weights, to: weightsPath)
        let input = TensorValue.random(TensorType(.float32, [entry.defaultBatchSize, 784]), seed: 13)
        let inputPath = directory.appendingPathComponent("x.npy").path, outputPath = directory.appendingPathComponent("y.npy").path
        try NumPyFile.write(input, to: inputPath)

        let result = try CommandLineTests.kiln([
            "run", "mlp", "--weights", weightsPath, "--input", "x=\(inputPath)", "--output", outputPath, "--backend", "tcc",
        ])
        #expect(result.status == 0, "\(result.error)")
        // Same weights, same program; OpenBLAS may split the products over another thread count in the
        // test process (other tests change it), so the sums can differ in their last bits.
        let expected = try model.loading(weights, matching: .ignoringExtra).compile().run(["x": input])["y"]!
        #expect(Approximate.normwiseRelativeError(try NumPyFile.read(outputPath).doubles, expected.doubles) < 1e-6)

        weights["fc3.bias"] = nil
        try SafeTensors.write(weights, to: weightsPath)
        let mismatch = try CommandLineTests.kiln(["show", "mlp", "--weights", weightsPath])
        #expect(mismatch.status == 1)
        #expect(mismatch.error == "error: weights file \(weightsPath) does not match model 'mlp': missing tensor 'fc3.bias'\n")
    }
}
