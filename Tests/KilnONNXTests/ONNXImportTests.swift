import Foundation
import Kiln
import KilnONNX
import Testing

/// ONNX models built with the onnx package's helpers, run by Kiln, against ONNX Runtime's outputs
/// (recorded by Fixtures/make_onnx_fixtures.py).
@Suite struct ONNXImportTests {
    static func fixture(_ name: String) -> String {
        Bundle.module.path(forResource: name, ofType: nil, inDirectory: "Fixtures") ?? "missing:\(name)"
    }

    static let models = ["mlp", "shapes", "convnet", "transformer", "lstm", "gru"]

    @Test(arguments: models)
    func matchesONNXRuntime(_ name: String) throws {
        let imported = try ONNXImporter.load(Self.fixture("\(name).onnx"))
        let model = Model(graph: imported.graph, parameters: imported.parameters)
        let x = try NumPyFile.read(Self.fixture("\(name).x.npy"))
        let expected = try NumPyFile.read(Self.fixture("\(name).y.npy"))
        let y = try #require(try model.compile().run(["x": x])["y"])
        #expect(y.shape == expected.shape)
        #expect(Approximate.mismatch(y.doubles, expected.doubles, relative: 1e-4, absolute: 1e-5) == nil, "\(name)")
        let reference = try #require(try model.interpret(["x": x])["y"])
        #expect(Approximate.normwiseRelativeError(reference.doubles, expected.doubles) < 1e-5)
    }

    @Test func shapeArithmeticIsFoldedAway() throws {
        let imported = try ONNXImporter.load(Self.fixture("mlp.onnx"))
        let ops = Set(imported.graph.nodes.map(\.op))
        #expect(!ops.contains("gather") && !ops.contains("concat"))
        #expect(imported.graph.parameters.map(\.name).sorted() == ["b1", "b2", "w1", "w2"])
        #expect(imported.parameters["w1"]?.shape == [16, 12])
    }

    @Test func unsupportedOperatorsAreListedTogether() throws {
        var model = try Onnx_ModelProto(serializedBytes: Data(contentsOf: URL(fileURLWithPath: Self.fixture("mlp.onnx"))))
        model.graph.node[5].opType = "FancyOp"
        model.graph.node[6].opType = "FancyOp"
        model.graph.node[7].opType = "Mystery"
        model.graph.node[7].name = "the \"mystery\" node"
        #expect(throws: KilnError.invalidArgument(
            "unsupported ONNX operators: FancyOp ('h', 'r'); Mystery ('the \"mystery\" node')")) {
            try ONNXImporter.decode(model.serializedData())
        }
    }

    @Test func malformedFilesGiveErrorsNotCrashes() throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: Self.fixture("mlp.onnx")))
        var generator = SeededGenerator(seed: 5)
        var failures = 0
        for trial in 0..<200 {
            var bytes = [UInt8](original)
            if trial < 100 {
                bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count))))
            } else {
                for _ in 0..<1 + Int(generator.next() % 8) {
                    bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
                }
            }
            do {
                let imported = try ONNXImporter.decode(Data(bytes))
                try OperatorRegistryCheck.verify(imported.graph)
            } catch {
                failures += 1
                #expect(!String(describing: error).isEmpty)
            }
        }
        #expect(failures > 100)
    }

    @Test func structuralErrorsAreNamed() throws {
        var model = try Onnx_ModelProto(serializedBytes: Data(contentsOf: URL(fileURLWithPath: Self.fixture("mlp.onnx"))))
        var dangling = model
        dangling.graph.node[5].input[0] = "nowhere"
        #expect(throws: KilnError.invalidArgument(
            "ONNX node 'h' (Gemm): input 'nowhere' is not produced by any earlier node, initializer or graph input")) {
            try ONNXImporter.decode(dangling.serializedData())
        }
        var missingInitializer = model
        missingInitializer.graph.initializer.removeAll { $0.name == "w1" }
        #expect(throws: KilnError.invalidArgument(
            "ONNX node 'h' (Gemm): input 'w1' is not produced by any earlier node, initializer or graph input")) {
            try ONNXImporter.decode(missingInitializer.serializedData())
        }
        model.graph.initializer[0].dims = [3, 3]
        #expect(throws: KilnError.invalidArgument("initializer 'w1': shape [3,3] needs 9 values, the data holds 192")) {
            try ONNXImporter.decode(model.serializedData())
        }
        var symbolic = try Onnx_ModelProto(serializedBytes: Data(contentsOf: URL(fileURLWithPath: Self.fixture("mlp.onnx"))))
        symbolic.graph.input[0].type.tensorType.shape.dim[0].dimParam = "batch"
        #expect(throws: KilnError.invalidArgument(
            "the model has symbolic dimensions: 'batch' (input 'x', axis 0); give each input's shape (kiln --shape NAME=D0,D1,...; ONNXImporter.load(_:shapes:))")) {
            try ONNXImporter.decode(symbolic.serializedData())
        }
        var oldOpset = symbolic
        oldOpset.opsetImport[0].version = 9
        #expect(throws: KilnError.invalidArgument("the model uses ONNX opset 9; Kiln imports opsets 13 to 21")) {
            try ONNXImporter.decode(oldOpset.serializedData())
        }
        #expect(throws: KilnError.self) { try ONNXImporter.load("/nonexistent/model.onnx") }
    }
}

@testable import KilnONNX
import KilnOps

/// Verification of an imported graph (the importer verifies already; this re-checks).
enum OperatorRegistryCheck {
    static func verify(_ graph: Graph) throws { try OperatorRegistry.verify(graph) }
}

/// An imported model is a model like any other: fine-tuned, emitted as standalone C, profiled.
@Suite struct ImportedModelTests {
    static func digitsModel() throws -> Model {
        try Model(onnx: URL(fileURLWithPath: ONNXImportTests.fixture("digits_mlp.onnx")))
    }

    @Test func fineTuningAnImportedClassifierLearnsTheDigits() throws {
        let model = try Self.digitsModel()
        let (train, test) = try DigitsData.load("digits")
        let trainer = try TrainingRecipe.standard.trainer(model: model, stepsPerEpoch: train.count / 32, epochs: 15)
        #expect(trainer.graph.node(named: "labels")?.op == Node.inputOp)
        let session = try ClassifierTraining(trainer: trainer, data: train, seed: 0)
        let before = try session.accuracy(on: test, executable: try model.compile())
        _ = try session.fit(train, epochs: 0..<15, totalEpochs: 15) { _ in }
        let after = try session.accuracy(on: test, executable: try model.compile())
        #expect(before < 0.5)
        #expect(after > 0.93, "accuracy \(before) before, \(after) after fine-tuning")
    }

    @Test func importedModelEmitsStandaloneCThatMatches() throws {
        let model = try Model(onnx: ONNXImportTests.fixture("convnet.onnx"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-onnx-emit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try model.standaloneProgram(name: "convnet")
        try program.write(to: directory.path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "cc -std=c99 -O2 -Wall -Wextra -Werror -o convnet main.c convnet.c -lm && ./convnet "
            + ONNXImportTests.fixture("convnet.x.npy") + " y.npy"]
        process.currentDirectoryURL = directory
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let y = try NumPyFile.read(directory.appendingPathComponent("y.npy").path)
        let expected = try NumPyFile.read(ONNXImportTests.fixture("convnet.y.npy"))
        #expect(Approximate.normwiseRelativeError(y.doubles, expected.doubles) < 1e-5)
    }

    @Test func importedModelProfiles() throws {
        let model = try Self.digitsModel()
        let machine = MachineModel(peakGFLOPs: 100, bandwidthGBs: 20)
        let report = try Profiler.profile(model, training: false, machine: machine, runs: 2, warmupRuns: 1)
        #expect(report.table().contains("gemm") || report.table().contains("matmul"))
    }
}
