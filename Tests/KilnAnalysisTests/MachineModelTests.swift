import Foundation
import KilnAnalysis
import KilnIR
@testable import KilnRuntime
import Testing

@Suite struct MachineModelTests {
    let machine = GraphFixtures.machine

    @Test func rooflineArithmetic() {
        #expect(machine.ridgeIntensity == 7.5)
        #expect(machine.attainableGFLOPs(intensity: 0.5) == 10)
        #expect(machine.attainableGFLOPs(intensity: 100) == 150)
        #expect(machine.bound(intensity: 7.5) == .compute)
        #expect(machine.bound(intensity: 7.4) == .memory)
        // 1 GFLOP at 150 GFLOP/s against 1 GB at 20 GB/s: memory wins.
        #expect(machine.predictedSeconds(flops: 1_000_000_000, bytes: 1_000_000_000) == 0.05)
        #expect(machine.predictedSeconds(flops: 300_000_000_000, bytes: 0) == 2)
    }

    @Test func parsesTheEnvironmentForm() throws {
        let parsed = try MachineModel.parse("peak_gflops=100,bandwidth_gbs=10 jit_triad_gbs=2.5")
        #expect(parsed.peakGFLOPs == 100)
        #expect(parsed.bandwidthGBs == 10)
        #expect(parsed.jitTriadGBs == 2.5)
        #expect(parsed.jitFusedGBs == nil)
        #expect(parsed.source == .environment)
        #expect(throws: KilnError.invalidArgument("machine model 'peak_gflops=100': peak_gflops and bandwidth_gbs are required")) {
            try MachineModel.parse("peak_gflops=100")
        }
        #expect(throws: KilnError.invalidArgument(
            "machine model 'peak=1': expected key=value pairs with positive numbers and keys peak_gflops, bandwidth_gbs, jit_triad_gbs, jit_fused_gbs, threads; got 'peak=1'")) {
            try MachineModel.parse("peak=1")
        }
        #expect(throws: KilnError.self) { try MachineModel.parse("peak_gflops=-1,bandwidth_gbs=10") }
    }

    @Test func theCacheFileFollowsXDG() {
        #expect(MachineModelStore.cacheFile(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/h"])?.path == "/c/kiln/machine.json")
        #expect(MachineModelStore.cacheFile(environment: ["HOME": "/h"])?.path == "/h/.cache/kiln/machine.json")
        #expect(MachineModelStore.cacheFile(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"])?.path == "/h/.cache/kiln/machine.json")
        #expect(MachineModelStore.cacheFile(environment: [:]) == nil)
    }

    @Test func theEnvironmentWinsAndFlagsOverrideSingleFigures() throws {
        let environment = ["KILN_MACHINE": "peak_gflops=100,bandwidth_gbs=10"]
        let fixed = try MachineModelStore.resolve(MachineOverrides(), environment: environment)
        #expect(fixed.peakGFLOPs == 100 && fixed.bandwidthGBs == 10 && fixed.source == .environment)
        let overridden = try MachineModelStore.resolve(MachineOverrides(bandwidthGBs: 40), environment: environment)
        #expect(overridden.peakGFLOPs == 100 && overridden.bandwidthGBs == 40 && overridden.source == .flags)
        #expect(throws: KilnError.invalidArgument("--peak-gflops must be a positive number, got 0.0")) {
            try MachineModelStore.resolve(MachineOverrides(peakGFLOPs: 0), environment: environment)
        }
    }

    @Test func readsTheCacheWrittenForThisMachineAndTakesBothFlagsWithoutMeasuring() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-cache-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["XDG_CACHE_HOME": folder.path]
        let flagged = try MachineModelStore.resolve(MachineOverrides(peakGFLOPs: 80, bandwidthGBs: 16), environment: environment)
        #expect(flagged.source == .flags && flagged.ridgeIntensity == 5)

        let file = try #require(MachineModelStore.cacheFile(environment: environment))
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let cached = MachineModel(
            peakGFLOPs: 123, bandwidthGBs: 12, jitTriadGBs: 3, jitFusedGBs: 2, threads: BLASThreads.count,
            cpu: MachineBenchmark.cpuName(), source: .measured)
        let encoder = JSONEncoder()
        try encoder.encode(cached).write(to: file)
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("\"peak_gflops\":123") && text.contains("\"jit_triad_gbs\":3"))
        let loaded = try MachineModelStore.resolve(MachineOverrides(), environment: environment)
        #expect(loaded.peakGFLOPs == 123 && loaded.jitFusedGBs == 2 && loaded.source == .cache)
    }

    /// A compiler the store only asks for its name.
    struct NamedBackend: CompilerBackend {
        let name: String
        func compile(source: String, lineOwners: [String?]) throws(KilnError) -> any LoadedModule {
            throw .runtime("not a compiler")
        }
    }

    @Test func theCacheKeepsOneEntryPerThreadCountBLASKernelsAndCompiler() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-cache-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["XDG_CACHE_HOME": folder.path]
        let file = try #require(MachineModelStore.cacheFile(environment: environment))
        let (threads, cpu) = (BLASThreads.count, MachineBenchmark.cpuName())
        let entries = [
            MachineModel(peakGFLOPs: 4, bandwidthGBs: 1, blasCore: "NotThisCore", threads: threads, cpu: cpu, source: .measured),
            MachineModel(peakGFLOPs: 1, bandwidthGBs: 1, threads: threads, cpu: cpu, source: .measured),
            MachineModel(peakGFLOPs: 2, bandwidthGBs: 1, jitCompiler: "tcc", threads: threads + 1, cpu: cpu, source: .measured),
            MachineModel(peakGFLOPs: 3, bandwidthGBs: 1, jitCompiler: "native", threads: threads, cpu: cpu, source: .measured),
        ]
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try JSONEncoder().encode(entries).write(to: file)
        #expect(try MachineModelStore.resolve(MachineOverrides(), environment: environment).peakGFLOPs == 1)
        let native = NamedBackend(name: "native")
        #expect(try MachineModelStore.resolve(MachineOverrides(), backend: native, environment: environment).peakGFLOPs == 3)

        // Measuring again for tcc at this thread count replaces that entry alone.
        let remeasured = MachineModel(peakGFLOPs: 9, bandwidthGBs: 1, jitCompiler: "tcc", threads: threads, cpu: cpu, source: .measured)
        try MachineModelStore.save(remeasured, to: file, backend: TCCBackend())
        let saved = try #require(MachineModelStore.load(file))
        #expect(saved.map(\.peakGFLOPs).sorted() == [2, 3, 4, 9])
        #expect(try MachineModelStore.resolve(MachineOverrides(), environment: environment).peakGFLOPs == 9)
        #expect(try MachineModelStore.resolve(MachineOverrides(), backend: native, environment: environment).peakGFLOPs == 3)
    }
}
