import Foundation
import Kiln
import KilnModels
import Testing

/// Standalone C: built by gcc, clang and tcc with warnings as errors, run on .npy files, and
/// compared with the JIT; sanitizers; hostile names.
@Suite(.serialized) struct StandaloneTests {
    struct Run {
        var status: Int32
        var output: String
    }

    static func shell(_ command: String, in directory: URL) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Emits `model`, builds it with `compiler` and `flags`, runs it on seeded inputs and returns
    /// the largest normwise relative error against the JIT over the outputs.
    static func buildAndCompare(_ model: Model, compiler: String, flags: String, embed: Bool = false) throws -> Double {
        let directory = try temporaryDirectory(model.name)
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try model.standaloneProgram(name: model.name, embedWeights: embed)
        try program.write(to: directory.path)
        let build = try shell("\(compiler) \(flags) -o program main.c \(program.name).c -lm", in: directory)
        guard build.status == 0 else { throw KilnError.runtime("\(compiler) failed:\n\(build.output)") }
        var inputs: [String: TensorValue] = [:]
        var arguments: [String] = []
        for (index, node) in model.graph.inputs.enumerated() {
            let value = TensorValue.random(node.type, seed: UInt64(index) + 3, low: 0, high: node.type.dtype.isInteger ? 2 : 1)
            inputs[node.name] = value
            try NumPyFile.write(value, to: directory.appendingPathComponent("in\(index).npy").path)
            arguments.append("in\(index).npy")
        }
        arguments += model.graph.outputs.indices.map { "out\($0).npy" }
        let run = try shell("./program " + arguments.joined(separator: " "), in: directory)
        guard run.status == 0 else { throw KilnError.runtime("the program failed:\n\(run.output)") }
        let expected = try model.compile().run(inputs)
        var worst = 0.0
        for (index, output) in model.graph.outputs.enumerated() {
            let actual = try NumPyFile.read(directory.appendingPathComponent("out\(index).npy").path)
            worst = max(worst, Approximate.normwiseRelativeError(actual.doubles, expected[output.name]!.doubles))
        }
        return worst
    }

    static let strict = "-std=c99 -O2 -Wall -Wextra -Werror"

    /// Every compiler at -O2 and -O3 with warnings as errors, on embedded weights (lenet5), external
    /// weights (the MLP) and prepared values (cnn-digits' folded batch norms).
    @Test(arguments: ["gcc", "clang", "tcc"], ["-O2", "-O3"])
    func buildsWithEveryCompilerAndMatchesTheJIT(compiler: String, level: String) throws {
        let flags = "-std=c99 \(level) -Wall -Wextra -Werror"
        for model in [ClassicNets.lenet5(), MLP.mnist(batch: 4), DigitsModels.cnn(batch: 2, seed: 1)] {
            let error = try Self.buildAndCompare(model, compiler: compiler, flags: flags, embed: model.name == "lenet5")
            #expect(error < 1e-5, "\(model.name) with \(compiler) \(level): relative error \(error)")
        }
    }

    @Test func sanitizersRunClean() throws {
        let flags = "-std=c99 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -Wall -Wextra -Werror"
        for model in [ClassicNets.lenet5(), ResNet.resnextBlock(size: 6)] {
            let error = try Self.buildAndCompare(model, compiler: "clang", flags: flags)
            #expect(error < 1e-5, "\(model.name): relative error \(error)")
        }
    }

    /// Names with quotes, comment terminators, newlines, preprocessor lines, C keywords,
    /// non-ASCII text and great length become valid C, and the program computes the same.
    @Test func hostileNamesProduceValidC() throws {
        let hostile = "x\"; */ #include <stdio.h>\n int main é\\ ?? " + String(repeating: "long", count: 100)
        let model = Model("int") { g in
            let x = g.input(hostile, [2, 3])
            let layer = Linear(3, 4, name: "*/ return 0; /* \"fc\"\n#define float int")
            g.output("while", relu(layer(x)))
            g.output("out\"put*/", x.sum(axes: [1]))
        }
        #expect(model.buildError == nil)
        let error = try Self.buildAndCompare(model, compiler: "gcc", flags: Self.strict)
        #expect(error < 1e-5)
        let program = try model.standaloneProgram()
        let source = String(decoding: program.files["\(program.name).c"]!, as: UTF8.self)
        let directives = source.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("#") }
        #expect(!directives.contains { $0.contains("stdio") || $0.contains("float int") })
    }

    @Test func badArgumentsGiveClearErrors() throws {
        let directory = try Self.temporaryDirectory("args")
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try MLP.mnist(batch: 2).standaloneProgram(name: "mlp")
        try program.write(to: directory.path)
        #expect(try Self.shell("cc \(Self.strict) -o program main.c mlp.c -lm", in: directory).status == 0)
        let wrongShape = TensorValue.random(TensorType(.float32, [3, 784]), seed: 1)
        try NumPyFile.write(wrongShape, to: directory.appendingPathComponent("x.npy").path)
        let run = try Self.shell("./program x.npy y.npy", in: directory)
        #expect(run.status == 1)
        #expect(run.output == "error: x.npy has shape (3, 784); expected (2, 784)\n")
        #expect(try Self.shell("./program", in: directory).status == 2)
    }
}
