import Foundation
import Kiln
import KilnIR
import KilnModels
@testable import KilnRuntime
import Testing

/// Native code runs on one pool of threads (`CPrelude.parallelGEMM`): OpenBLAS on one thread,
/// large products split across OpenMP's threads, batches of images split into fixed lanes. The
/// lanes compute each image with the same code at any thread count; a split product is a
/// smaller OpenBLAS call, which OpenBLAS may round differently at its blocks' edges: the
/// results at 1, 2 and 3 threads agree within 1e-6 of the norm (products) and 1e-5 (three
/// training steps), and with tcc's serial code.
@Suite(.serialized) struct NativeThreadPoolTests {
    /// SGD steps of LeNet-5 (batch 8): the forward, input-gradient and weight-gradient
    /// convolutions split their images into lanes, the fully connected products split by columns.
    @Test func leNetTrainingStepsAgreeAtOneAndTwoThreads() throws {
        let native = NativeBackend(cache: NativeTierTests.scratchCache())
        try #require(native.compiler?.supportsOpenMP == true, "no system C compiler with OpenMP")
        let model = BenchmarkModels.lenet5MNIST(batch: 8)
        let x = TensorValue.random(TensorType(.float32, [8, 1, 28, 28]), seed: 3, low: 0, high: 1)
        let labels = TensorValue(shape: [8], floats: (0..<8).map { Float($0 % 10) })
        func train(_ backend: ExecutionBackend, threads: Int) throws -> (losses: [Double], parameters: [String: TensorValue], source: String) {
            let trainer = try Trainer(model: model, optimizer: SGD(), learningRate: 0.05, backend: backend)
            try trainer.step.setThreads(threads)
            let losses = try (0..<3).map { _ in try #require(try trainer.train(["x": x, "labels": labels])["loss"]).doubles[0] }
            return (losses, trainer.trainedParameters(), trainer.step.program.source)
        }
        let one = try train(ExecutionBackend(.native, native: native), threads: 1)
        let two = try train(ExecutionBackend(.native, native: native), threads: 2)
        #expect(one.source.contains("KILN_PARALLEL_FOR\n        for (long lane = 0; lane < 8; lane++)"), "the convolutions must split their images")
        for (a, b) in zip(one.losses, two.losses) { #expect(abs(a - b) <= 1e-6 * max(abs(a), 1), "\(one.losses) against \(two.losses)") }
        for (name, value) in one.parameters {
            let error = Approximate.normwiseRelativeError(try #require(two.parameters[name]).doubles, value.doubles)
            #expect(error <= 1e-5, "parameter \(name): \(error)")
        }
        let serial = try train(.tcc, threads: 1)
        for (a, b) in zip(serial.losses, two.losses) { #expect(abs(a - b) <= 1e-5 * max(abs(a), 1), "\(serial.losses) against \(two.losses)") }
    }

    /// Products large enough to split, with each operand transposed or not (a matmul's forward
    /// and both of its gradients), and an output side that is not a multiple of the split.
    @Test func splitProductsAgreeAtOneTwoAndThreeThreads() throws {
        let native = NativeBackend(cache: NativeTierTests.scratchCache())
        try #require(native.compiler?.supportsOpenMP == true, "no system C compiler with OpenMP")
        let model = Model("split_products") { g in
            let a = g.input("a", [200, 301]), b = g.input("b", [301, 333]), c = g.input("c", [333, 90])
            g.output("y", matmul(a, b))
            g.output("z", matmul(b, a, transposeA: true, transposeB: true))
            g.output("w", matmul(matmul(a, b), c))
        }
        let inputs = [
            "a": TensorValue.random(TensorType(.float32, [200, 301]), seed: 1),
            "b": TensorValue.random(TensorType(.float32, [301, 333]), seed: 2),
            "c": TensorValue.random(TensorType(.float32, [333, 90]), seed: 4),
        ]
        let executable = try model.compile(backend: ExecutionBackend(.native, native: native))
        var outputs: [[String: TensorValue]] = []
        for threads in [1, 2, 3] {
            try executable.setThreads(threads)
            outputs.append(try executable.run(inputs))
        }
        let serial = try model.compile(backend: .tcc).run(inputs)
        for name in ["y", "z", "w"] {
            let one = try #require(outputs[0][name]).doubles
            for threads in [2, 3] {
                let error = Approximate.normwiseRelativeError(try #require(outputs[threads - 1][name]).doubles, one)
                #expect(error <= 1e-6, "output \(name) at \(threads) threads: \(error)")
            }
            #expect(Approximate.normwiseRelativeError(outputs[1][name]!.doubles, serial[name]!.doubles) < 1e-6, "output \(name)")
        }
    }
}
