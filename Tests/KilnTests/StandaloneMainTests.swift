import Foundation
import Kiln
import Testing

/// The emitted `main.c` and `Makefile`: outputs of any rank, graphs without a matrix product under
/// `-Werror`, inputs checked against their header and shape, and no leak on an error path.
@Suite(.serialized) struct StandaloneMainTests {
    typealias Standalone = StandaloneTests

    static let sanitized = "cc -std=c99 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all "
        + "-Wall -Wextra -Werror -Wformat-truncation=2"

    /// `y = relu(x)` with `x` of `shape`.
    static func rectifier(_ shape: [Int]) -> Model {
        Model("rectifier") { g in g.output("y", relu(g.input("x", Shape(shape)))) }
    }

    /// Writes the program of `model` into a new folder and builds it with `command` (`-o program`
    /// and the sources appended).
    static func build(_ model: Model, with command: String = sanitized) throws -> URL {
        let directory = try Standalone.temporaryDirectory("main")
        let program = try model.standaloneProgram(name: "rectifier")
        try program.write(to: directory.path)
        let build = try Standalone.shell("\(command) -o program main.c rectifier.c -lm", in: directory)
        #expect(build.status == 0, "\(build.output)")
        return directory
    }

    @Test func anOutputOfRank70IsWrittenWhole() throws {
        let shape = Array(repeating: 1, count: 69) + [3]
        let directory = try Self.build(Self.rectifier(shape))
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = TensorValue(shape: Shape(shape), floats: [-1, 2, 0.5])
        try NumPyFile.write(input, to: directory.appendingPathComponent("x.npy").path)
        let run = try Standalone.shell("./program x.npy y.npy", in: directory)
        #expect(run.status == 0, "\(run.output)")
        let output = try NumPyFile.read(directory.appendingPathComponent("y.npy").path)
        #expect(output.type.shape.dimensions == shape)
        #expect(output.floats == [0, 2, 0.5])
    }

    @Test func aGraphWithoutMatrixProductsBuildsWithTheEmittedMakefile() throws {
        let directory = try Standalone.temporaryDirectory("makefile")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.rectifier([2, 3]).standaloneProgram(name: "rectifier").write(to: directory.path)
        let make = try Standalone.shell("make", in: directory)
        #expect(make.status == 0, "\(make.output)")
        #expect(make.output.contains("-Werror"))
    }

    /// Each case: the bytes of the input file and the error line the program prints.
    static func badInputs() -> [(String, Data, String)] {
        let transposed = NumPyFile.encode(TensorValue(shape: [3, 2], floats: [1, 2, 3, 4, 5, 6]))
        let vector = NumPyFile.encode(TensorValue(shape: [6], floats: [1, 2, 3, 4, 5, 6]))
        let short = NumPyFile.encode(TensorValue(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])).dropLast(4)
        let hugeHeader = Data([0x93] + Array("NUMPY".utf8) + [2, 0, 0xff, 0xff, 0xff, 0xff, 0])
        return [
            ("transposed", transposed, "error: x.npy has shape (3, 2); expected (2, 3)"),
            ("a vector", vector, "error: x.npy has shape (6,); expected (2, 3)"),
            ("short", Data(short), "error: x.npy holds the wrong number of elements"),
            ("a v2 header claiming 4 GB", hugeHeader, "error: x.npy: its header claims 4294967295 bytes but the file has 13"),
            ("not a .npy file", Data("x,y\n1,2\n".utf8), "error: x.npy is not a .npy file"),
        ]
    }

    @Test func badInputsAreOneLineWithNothingLeaked() throws {
        let directory = try Self.build(Self.rectifier([2, 3]))
        defer { try? FileManager.default.removeItem(at: directory) }
        for (label, bytes, line) in Self.badInputs() {
            try bytes.write(to: directory.appendingPathComponent("x.npy"))
            let run = try Standalone.shell("ASAN_OPTIONS=detect_leaks=1 ./program x.npy y.npy", in: directory)
            #expect(run.status == 1, "\(label): \(run.output)")
            #expect(run.output == line + "\n", "\(label)")
        }
        try NumPyFile.write(TensorValue(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6]), to: directory.appendingPathComponent("x.npy").path)
        let full = try Standalone.shell("ASAN_OPTIONS=detect_leaks=1 ./program x.npy /dev/full", in: directory)
        #expect(full.status == 1)
        #expect(full.output == "error: cannot write /dev/full\n")
    }
}
