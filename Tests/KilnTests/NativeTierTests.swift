import Foundation
import Kiln
import KilnIR
import KilnModels
import KilnRuntime
import Testing

/// The native tier: the system compiler behind the JIT, its cache, tiering, and the path where no
/// compiler exists.
@Suite(.serialized) struct NativeTierTests {
    /// A fresh cache directory of its own.
    static func scratchCache() -> NativeCodeCache {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kiln-native-test-\(getpid())-\(UUID().uuidString)").path
        return NativeCodeCache(directory: directory, maxBytes: 64 << 20)
    }

    static func mlp() -> (Model, [String: TensorValue]) {
        let model = DigitsModels.mlp(batch: 4)
        let x = TensorValue.random(model.graph.node(named: "x")!.type, seed: 3)
        return (model, ["x": x])
    }

    @Test func nativeCodeMatchesTheTCCCode() throws {
        let native = NativeBackend(cache: Self.scratchCache())
        try #require(native.compiler != nil, "no system C compiler")
        let (model, inputs) = Self.mlp()
        let viaTCC = try #require(try model.compile(backend: .tcc).run(inputs)["y"])
        let executable = try model.compile(backend: ExecutionBackend(.native, native: native))
        #expect(executable.tier == .native)
        let viaNative = try #require(try executable.run(inputs)["y"])
        #expect(Approximate.normwiseRelativeError(viaNative.doubles, viaTCC.doubles) < 1e-5)
    }

    @Test func aSecondCompileOfTheSameSourceIsACacheHit() throws {
        let cache = Self.scratchCache()
        let native = NativeBackend(cache: cache)
        try #require(native.compiler != nil, "no system C compiler")
        let source = "float kiln_probe(float x) { return x * 3.0f; }\n"
        #expect(try native.compileReporting(source: source, lineOwners: []).outcome == .compiled)
        let (module, outcome) = try native.compileReporting(source: source, lineOwners: [])
        #expect(outcome == .cacheHit)
        let function = unsafeBitCast(try #require(module.symbol("kiln_probe")), to: (@convention(c) (Float) -> Float).self)
        #expect(function(2) == 6)
    }

    @Test func aCorruptCacheEntryIsRebuiltNotLoaded() throws {
        let cache = Self.scratchCache()
        let native = NativeBackend(cache: cache)
        try #require(native.compiler != nil, "no system C compiler")
        let source = "int kiln_probe_corrupt(void) { return 41; }\n"
        _ = try native.compileReporting(source: source, lineOwners: [])
        let objects = try FileManager.default.contentsOfDirectory(atPath: cache.directory).filter { $0.hasSuffix(".so") }
        let object = cache.directory + "/" + (try #require(objects.first))
        // Truncate the shared object behind the cache's back.
        let handle = try #require(FileHandle(forWritingAtPath: object))
        try handle.truncate(atOffset: 100)
        try handle.close()
        let (module, outcome) = try native.compileReporting(source: source, lineOwners: [])
        #expect(outcome == .compiled)
        let function = unsafeBitCast(try #require(module.symbol("kiln_probe_corrupt")), to: (@convention(c) () -> Int32).self)
        #expect(function() == 41)
    }

    @Test func compileErrorsNameTheGeneratedLine() throws {
        let native = NativeBackend(cache: Self.scratchCache())
        try #require(native.compiler != nil, "no system C compiler")
        do {
            _ = try native.compile(source: "void a(void) {}\nvoid b(float *y) {\n    y[0] = missing_value;\n}\n", lineOwners: [nil, "relu_3", "relu_3", "relu_3"])
            Issue.record("expected a compile error")
        } catch {
            #expect(error.description.contains("missing_value"), "\(error.description)")
            #expect(error.description.contains("relu_3"), "\(error.description)")
        }
    }

    @Test func withoutACompilerNativeIsAnErrorAndTieredRunsTCC() throws {
        let hidden = NativeBackend(searchPath: ["/nonexistent-kiln-test"], cache: Self.scratchCache())
        #expect(hidden.compiler == nil)
        let (model, inputs) = Self.mlp()
        do {
            _ = try model.compile(backend: ExecutionBackend(.native, native: hidden))
            Issue.record("expected an error without a compiler")
        } catch {
            #expect(error.description.contains("no system C compiler for the native tier"), "\(error.description)")
        }
        let tiered = try model.compile(backend: ExecutionBackend(.tiered, native: hidden))
        #expect(tiered.waitForNativeTier() == .tcc)
        let expected = try model.compile(backend: .tcc).run(inputs)["y"]!.doubles
        #expect(try tiered.run(inputs)["y"]!.doubles == expected)
    }

    @Test func tieredSwitchesBetweenCallsAndKeepsTheArena() throws {
        let native = NativeBackend(cache: Self.scratchCache())
        try #require(native.compiler != nil, "no system C compiler")
        let (model, inputs) = Self.mlp()
        let executable = try model.compile(backend: ExecutionBackend(.tiered, native: native))
        let first = try executable.run(inputs)["y"]!.doubles
        #expect(executable.waitForNativeTier() == .native)
        let second = try executable.run(inputs)["y"]!.doubles
        #expect(executable.tier == .native)
        #expect(Approximate.normwiseRelativeError(second, first) < 1e-5)
    }

    @Test func aTierSwitchMidTrainingGivesTheLossesOfOneTier() throws {
        let native = NativeBackend(cache: Self.scratchCache())
        try #require(native.compiler != nil, "no system C compiler")
        let (train, _) = try DigitsData.load("digits")
        let x = TensorValue(shape: [32, 64], floats: Array(train.features.prefix(32 * 64)))
        let labels = TensorValue(shape: [32], floats: train.labels.prefix(32).map(Float.init))
        func losses(_ backend: ExecutionBackend, switchAfter: Int?) throws -> [Double] {
            let trainer = try Trainer(model: DigitsModels.mlp(), optimizer: Adam(), learningRate: 0.003, backend: backend)
            return try (0..<12).map { step in
                if step == switchAfter { #expect(trainer.step.waitForNativeTier() == .native) }
                return try trainer.train(["x": x, "labels": labels])["loss"]!.doubles[0]
            }
        }
        let stayed = try losses(.tcc, switchAfter: nil)
        let switched = try losses(ExecutionBackend(.tiered, native: native), switchAfter: 5)
        for (a, b) in zip(stayed, switched) { #expect(abs(a - b) <= 1e-5 * max(abs(a), 1), "\(stayed) against \(switched)") }
    }

    @Test func swappingTiersUnderCallsFromSeveralThreads() throws {
        let native = NativeBackend(cache: Self.scratchCache())
        try #require(native.compiler != nil, "no system C compiler")
        let (model, inputs) = Self.mlp()
        let expected = try model.compile(backend: .tcc).run(inputs)["y"]!.doubles
        let executable = try model.compile(backend: ExecutionBackend(.tiered, native: native))
        let errors = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<25 {
                do {
                    let y = try executable.run(inputs)["y"]!.doubles
                    if !(Approximate.normwiseRelativeError(y, expected) < 1e-5) { errors.add("wrong result") }
                } catch {
                    errors.add("\(error)")
                }
            }
        }
        #expect(errors.messages.isEmpty, "\(errors.messages.prefix(3))")
    }
}

/// Messages collected from several threads.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func add(_ message: String) { lock.withLock { stored.append(message) } }
    var messages: [String] { lock.withLock { stored } }
}
