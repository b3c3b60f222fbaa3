import Foundation
import Kiln
import KilnONNX
import Testing

/// `kiln` on ONNX files: `--shape` for symbolic dimensions, every output written, the operator census.
@Suite struct ONNXCommandLineTests {
    static let model = CommandLineTests.root.appendingPathComponent("Tests/KilnONNXTests/Fixtures/operators/dynamic_two_outputs.onnx").path

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-onnx-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func withoutShapesTheErrorNamesTheSymbolicDimensions() throws {
        let result = try CommandLineTests.kiln(["run", Self.model])
        #expect(result.status == 1)
        #expect(result.error == "error: \(Self.model): the model has symbolic dimensions: 'batch' (input 'x', axis 0); 'batch' (input 'mask', axis 0); give each input's shape (kiln --shape NAME=D0,D1,...; ONNXImporter.load(_:shapes:))\n")
        let bad = try CommandLineTests.kiln(["show", Self.model, "--shape", "x=3,four"])
        #expect(bad.status == 1)
        #expect(bad.error == "error: --shape takes NAME=D0,D1,... with non-negative integer dimensions, got 'x=3,four'\n")
        let zoo = try CommandLineTests.kiln(["show", "mlp", "--shape", "x=1,784"])
        #expect(zoo.error == "error: --shape fixes the symbolic dimensions of .onnx models; 'mlp' is not one\n")
    }

    @Test func runWritesEveryOutputWithABooleanInput() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let x = TensorValue.random(TensorType(.float32, [3, 4]), seed: 4)
        let mask = TensorValue.random(TensorType(.bool, [3, 4]), seed: 5)
        let xPath = directory.appendingPathComponent("x.npy").path, maskPath = directory.appendingPathComponent("mask.npy").path
        try NumPyFile.write(x, to: xPath)
        try NumPyFile.write(mask, to: maskPath)
        let yPath = directory.appendingPathComponent("chosen.npy").path
        let result = try CommandLineTests.kiln([
            "run", Self.model, "--shape", "x=3,4", "--shape", "mask=3,4", "--input", "x=\(xPath)", "--input", "mask=\(maskPath)",
            "--output", "y=\(yPath)", "--output-dir", directory.path,
        ])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("wrote y to \(yPath)"))
        #expect(result.output.contains("wrote scores/max to \(directory.path)/scores_max.npy"))
        let expected = try Model(onnx: Self.model, shapes: ["x": [3, 4], "mask": [3, 4]]).interpret(["x": x, "mask": mask])
        #expect(try NumPyFile.read(yPath) == expected["y"])
        #expect(try NumPyFile.read(directory.appendingPathComponent("scores_max.npy").path) == expected["scores/max"])
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("y.npy").path))
        let unknown = try CommandLineTests.kiln(["run", Self.model, "--shape", "x=3,4", "--shape", "mask=3,4", "--output", "z=\(yPath)"])
        #expect(unknown.error == "error: the model has no output named 'z' (its outputs: 'y', 'scores/max')\n")
    }

    @Test func showListsTheONNXOperatorsNextToKilnsNodes() throws {
        let result = try CommandLineTests.kiln(["show", Self.model, "--shape", "x=2,4", "--shape", "mask=2,4"])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        let heading = try #require(lines.firstIndex { $0.hasPrefix("ONNX operators (2 nodes)") })
        #expect(lines[heading].contains("Kiln operators ("))
        let rows = lines[(heading + 1)...]
        #expect(rows.first?.hasPrefix("  ReduceMax") == true && rows.dropFirst().first?.hasPrefix("  Where") == true)
        for kiln in ["cast", "max", "where"] { #expect(rows.contains { $0.contains("  \(kiln) ") }, "\(kiln)") }
    }

    @Test func exportWritesAModelThatRunsBack() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("lenet5.onnx").path
        let exported = try CommandLineTests.kiln(["export", "lenet5", "-o", path])
        #expect(exported.status == 0, "\(exported.error)")
        #expect(exported.output.hasPrefix("wrote \(path): "))
        let run = try CommandLineTests.kiln(["run", path, "--check"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("y: f32[1,10]"))
        let missing = try CommandLineTests.kiln(["export", "lenet5"])
        #expect(missing.status != 0)
    }
}
