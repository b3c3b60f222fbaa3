import Foundation
import Kiln
import KilnModels
import Testing

/// The `kiln` tool as a user runs it: output, exit codes and one-line errors.
@Suite struct CommandLineTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    /// Runs the built `kiln` tool with `arguments` in `directory` (the temporary folder unless
    /// given), its environment the test process's with `environment` laid over it.
    static func kiln(
        _ arguments: [String], environment: [String: String] = [:], in directory: URL = FileManager.default.temporaryDirectory
    ) throws -> Result {
        let process = Process()
        process.executableURL = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("kiln")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      error: String(decoding: errorData, as: UTF8.self))
    }

    @Test func runWritesAnOutputThatMatchesTheInterpreter() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let input = TensorValue.random(TensorType(.float32, [64, 784]), seed: 12)
        let inputPath = directory.appendingPathComponent("x.npy").path, outputPath = directory.appendingPathComponent("y.npy").path
        try NumPyFile.write(input, to: inputPath)
        let result = try Self.kiln(["run", "mlp", "--input", "x=\(inputPath)", "--output", outputPath])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("y: f32[64,10]"))
        #expect(result.output.contains("compile (tcc):"))
        let output = try NumPyFile.read(outputPath)
        let reference = try MLP.mnist().interpret(["x": input])["y"]!
        #expect(Approximate.normwiseRelativeError(output.doubles, reference.doubles) < 1e-5)
        let fromFile = try Self.kiln(["run", Self.root.appendingPathComponent("graphs/mlp.kiln").path, "--input", "x=\(inputPath)", "--output", outputPath + "2.npy"])
        #expect(fromFile.status == 0, "\(fromFile.error)")
        // Within rounding, not bits: either process may already run the native tier, whose split
        // products round differently from tcc's single OpenBLAS calls (CPrelude.parallelGEMM).
        #expect(Approximate.normwiseRelativeError(try NumPyFile.read(outputPath + "2.npy").doubles, output.doubles) < 1e-6)
    }

    @Test func badInputExitsWithOneLine() throws {
        let cases: [([String], String)] = [
            (["run", "nosuchmodel"], "error: unknown model 'nosuchmodel': not a zoo model"),
            (["run", "mlp", "--input", "x=/nonexistent.npy"], "error: /nonexistent.npy: cannot read"),
            (["train", "mlp-digits", "--data", "/nonexistent.csv"], "error: /nonexistent.csv: cannot read"),
            (["train", "mlp-digits", "--optimizer", "magic"], "error: unknown optimizer 'magic'"),
            (["train", "mlp-digits", "--resume", "/nonexistent.safetensors", "--epochs", "1"], "error: /nonexistent.safetensors: cannot read"),
        ]
        for (arguments, prefix) in cases {
            let result = try Self.kiln(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.error.hasPrefix(prefix), "\(arguments): \(result.error)")
            #expect(result.error.split(separator: "\n").count == 1, "\(arguments): \(result.error)")
        }
    }

    @Test func modelsAndShowList() throws {
        let models = try Self.kiln(["models"])
        #expect(models.output.contains("mlp-digits"))
        let show = try Self.kiln(["show", "mlp"])
        #expect(show.output.contains("669,706 parameters"))
        #expect(show.output.contains("fc1.weight"))
    }
}
