import Foundation
import KilnAnalysis
import KilnIR
import KilnRuntime
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
}
