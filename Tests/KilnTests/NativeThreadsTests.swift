import Foundation
import Kiln
import KilnIR
import KilnModels
@testable import KilnRuntime
import Testing

/// Native code on several threads, as the runtime loads it: OpenMP loops give the same bits at 1
/// and 2 threads, and native objects load and unload while OpenMP's worker threads live.
@Suite(.serialized) struct NativeThreadsTests {
    /// A GELU chain large enough for its loop to be split across cores.
    static func geluChain(_ name: String, elements: Int) -> Model {
        Model(name) { g in
            let x = g.input("x", [4, elements / 4])
            g.output("y", gelu(x * 1.5 + 0.25) + x)
        }
    }

    @Test func nativeElementwiseCodeIsBitIdenticalAtOneAndTwoThreadsAndUnloadsSafely() throws {
        let native = NativeBackend(cache: NativeTierTests.scratchCache())
        try #require(native.compiler?.supportsOpenMP == true, "no system C compiler with OpenMP")
        // Each round loads a new object (another size), runs it on OpenMP's threads and releases
        // it, unloading the object while OpenMP's workers still live.
        for (round, elements) in [1 << 18, (1 << 18) + 4, (1 << 18) + 8].enumerated() {
            let model = Self.geluChain("threads_gelu_\(round)", elements: elements)
            let executable = try model.compile(backend: ExecutionBackend(.native, native: native))
            #expect(executable.program.source.contains("KILN_PARALLEL_FOR\n"))
            let x = TensorValue.random(TensorType(.float32, [4, elements / 4]), seed: UInt64(round), low: -6, high: 6)
            var outputs: [[Float]] = []
            for threads in [1, 2, 1] {
                try executable.setThreads(threads)
                outputs.append(try #require(try executable.run(["x": x])["y"]).floats)
            }
            #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2], "1 and 2 threads must give the same bits")
        }
        // The OpenMP runtime stays loaded, and its idle workers sleep unless the user chose otherwise.
        #expect(dlopen("libgomp.so.1", RTLD_NOW | RTLD_NOLOAD) != nil || dlopen("libomp.so", RTLD_NOW | RTLD_NOLOAD) != nil)
        #expect(ProcessInfo.processInfo.environment["OMP_WAIT_POLICY"] == OpenMPRuntime.waitPolicy)
    }

    /// The channel loops split across threads (im2col, Winograd transforms, depthwise convolutions
    /// with their per-thread padded planes, poolings) compute each element with the same code
    /// at any thread count; only OpenBLAS's products round differently when it blocks them for
    /// another thread count, which 50 layers grow to at most 1e-5 of the output's norm (4.5e-6
    /// measured for MobileNetV2). Both agree with tcc's serial code.
    @Test(arguments: ["resnet18", "mobilenet_v2"])
    func convolutionKernelsSplitAcrossThreadsGiveTheSerialResult(_ name: String) throws {
        let native = NativeBackend(cache: NativeTierTests.scratchCache())
        try #require(native.compiler?.supportsOpenMP == true, "no system C compiler with OpenMP")
        let model = name == "resnet18" ? ResNet.resnet18(imageSize: 96) : MobileNet.v2(imageSize: 96)
        let x = TensorValue.random(try #require(model.graph.node(named: "x")).type, seed: 9)
        let executable = try model.compile(backend: ExecutionBackend(.native, native: native))
        let source = executable.program.source
        #expect(source.components(separatedBy: "KILN_PARALLEL_FOR\n").count > 5, "the large kernels must be split")
        var outputs: [[Double]] = []
        for threads in [1, 2] {
            try executable.setThreads(threads)
            outputs.append(try #require(try executable.run(["x": x])["y"]).doubles)
        }
        #expect(Approximate.normwiseRelativeError(outputs[1], outputs[0]) <= 1e-5)
        let serial = try #require(try model.compile(backend: .tcc).run(["x": x])["y"]).doubles
        #expect(Approximate.normwiseRelativeError(outputs[1], serial) < 1e-5)
    }

    /// Large copies between tensors and the arena split across threads and still copy every byte.
    @Test func largeCopiesSplitAcrossThreadsCopyEveryByte() {
        let count = ParallelCopy.minimumBytes + 4093  // not a multiple of the slices
        let source = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        for threads in [1, 2, 3] {
            var target = [UInt8](repeating: 0, count: count + 1)
            source.withUnsafeBytes { from in
                target.withUnsafeMutableBytes { ParallelCopy.copy(to: $0.baseAddress!, from: from.baseAddress!, byteCount: count, threads: threads) }
            }
            #expect(Array(target.prefix(count)) == source && target[count] == 0, "\(threads) threads")
        }
    }
}
