import Foundation
import Kiln
import Testing

/// Elementwise kernels split across cores by OpenMP give the same bits at any thread count: the
/// standalone C of a large GELU chain with a broadcast operand, built with `gcc -O3 -march=native
/// -fopenmp`, run at 1 and 2 threads.
@Suite(.serialized) struct ParallelLoopTests {
    @Test func elementwiseKernelsAreBitIdenticalAtOneAndTwoThreads() throws {
        let model = Model("parallel_gelu") { g in
            let x = g.input("x", [8, 32768])
            let bias = g.input("bias", [8, 1])
            g.output("y", gelu(x * 1.5 + 0.25) + x + bias)
        }
        let directory = try StandaloneTests.temporaryDirectory("parallel")
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try model.standaloneProgram(name: "parallel_gelu")
        try program.write(to: directory.path)
        let source = try String(contentsOfFile: directory.appendingPathComponent("parallel_gelu.c").path, encoding: .utf8)
        #expect(source.contains("KILN_PARALLEL_FOR\n"), "the kernel must be large enough to be split across cores")
        let build = try StandaloneTests.shell(
            "gcc -std=c99 -O3 -march=native -fopenmp -o program main.c parallel_gelu.c -lm", in: directory)
        #expect(build.status == 0, "\(build.output)")
        try NumPyFile.write(TensorValue.random(TensorType(.float32, [8, 32768]), seed: 1, low: -6, high: 6),
                            to: directory.appendingPathComponent("x.npy").path)
        try NumPyFile.write(TensorValue.random(TensorType(.float32, [8, 1]), seed: 2, low: -1, high: 1),
                            to: directory.appendingPathComponent("bias.npy").path)
        var outputs: [Data] = []
        for threads in [1, 2] {
            let run = try StandaloneTests.shell("OMP_NUM_THREADS=\(threads) ./program x.npy bias.npy y\(threads).npy", in: directory)
            #expect(run.status == 0, "\(run.output)")
            outputs.append(try Data(contentsOf: directory.appendingPathComponent("y\(threads).npy")))
        }
        #expect(outputs[0] == outputs[1], "1 and 2 threads must write the same bytes")
        let expected = try model.compile().run([
            "x": try NumPyFile.read(directory.appendingPathComponent("x.npy").path),
            "bias": try NumPyFile.read(directory.appendingPathComponent("bias.npy").path),
        ])["y"]!
        let actual = try NumPyFile.read(directory.appendingPathComponent("y2.npy").path)
        #expect(Approximate.normwiseRelativeError(actual.doubles, expected.doubles) < 1e-6)
    }
}
