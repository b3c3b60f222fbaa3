import Foundation
import KilnAnalysis
import KilnIR

/// Figures that replace measured ones (`--peak-gflops`, `--bandwidth-gbs`).
public struct MachineOverrides: Sendable, Hashable {
    /// Peak GFLOP/s, if given.
    public var peakGFLOPs: Double?
    /// Bandwidth in GB/s, if given.
    public var bandwidthGBs: Double?
    /// Measure again even when the cache holds figures for this machine.
    public var remeasure: Bool

    /// Creates overrides.
    public init(peakGFLOPs: Double? = nil, bandwidthGBs: Double? = nil, remeasure: Bool = false) {
        self.peakGFLOPs = peakGFLOPs
        self.bandwidthGBs = bandwidthGBs
        self.remeasure = remeasure
    }
}

/// Finds the machine model: the `KILN_MACHINE` environment variable (for tests and scripts), else
/// the cache file when it was written on this processor with this thread count, else flags that
/// give both figures, else a measurement (`MachineBenchmark`, a few seconds) that is then cached.
/// Flags override single figures of whichever model was found.
///
/// The cache is `$XDG_CACHE_HOME/kiln/machine.json`, or `~/.cache/kiln/machine.json`: the
/// `MachineModel` as JSON (keys `peak_gflops`, `bandwidth_gbs`, `jit_triad_gbs`, `jit_fused_gbs`,
/// `threads`, `cpu`, `peak_method`, `bandwidth_method`, `jit_method`, `source`).
public enum MachineModelStore {
    /// The environment variable holding a fixed model (`peak_gflops=100,bandwidth_gbs=10`).
    public static let environmentVariable = "KILN_MACHINE"

    /// The cache file, or nil when neither `XDG_CACHE_HOME` nor `HOME` is set.
    public static func cacheFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
            return URL(fileURLWithPath: cache).appendingPathComponent("kiln/machine.json")
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/kiln/machine.json")
    }

    /// The machine model for this process (see the type's comment); `progress` hears about a
    /// measurement and about the cache.
    public static func resolve(
        _ overrides: MachineOverrides, environment: [String: String] = ProcessInfo.processInfo.environment,
        progress: (String) -> Void = { _ in }
    ) throws(KilnError) -> MachineModel {
        for (flag, value) in [("--peak-gflops", overrides.peakGFLOPs), ("--bandwidth-gbs", overrides.bandwidthGBs)] {
            if let value, !(value.isFinite && value > 0) { throw .invalidArgument("\(flag) must be a positive number, got \(value)") }
        }
        var model: MachineModel
        let file = cacheFile(environment: environment)
        if let text = environment[environmentVariable] {
            model = try MachineModel.parse(text)
        } else if !overrides.remeasure, let cached = file.flatMap(load), cached.threads == BLASThreads.count,
                  cached.cpu == MachineBenchmark.cpuName() {
            model = cached
            model.source = .cache
        } else if let peak = overrides.peakGFLOPs, let bandwidth = overrides.bandwidthGBs {
            return MachineModel(
                peakGFLOPs: peak, bandwidthGBs: bandwidth, threads: BLASThreads.count, cpu: MachineBenchmark.cpuName(),
                peakMethod: "--peak-gflops", bandwidthMethod: "--bandwidth-gbs", source: .flags)
        } else {
            progress("measuring the machine model (sgemm peak, triad bandwidth, JIT ceilings; a few seconds, once) ...")
            if let warning = MachineBenchmark.loadWarning() { progress(warning) }
            model = try MachineBenchmark.measure()
            if let file {
                do {
                    try save(model, to: file)
                    progress("cached the machine model in \(file.path)")
                } catch {
                    progress("could not cache the machine model: \(error.description)")
                }
            }
        }
        if let peak = overrides.peakGFLOPs {
            model.peakGFLOPs = peak
            model.peakMethod = "--peak-gflops"
            model.source = .flags
        }
        if let bandwidth = overrides.bandwidthGBs {
            model.bandwidthGBs = bandwidth
            model.bandwidthMethod = "--bandwidth-gbs"
            model.source = .flags
        }
        return model
    }

    /// The model in `file`, or nil when it is missing or unreadable.
    static func load(_ file: URL) -> MachineModel? {
        guard let data = try? Data(contentsOf: file) else { return nil }
        return try? JSONDecoder().decode(MachineModel.self, from: data)
    }

    /// Writes `model` to `file`, creating its folder.
    static func save(_ model: MachineModel, to file: URL) throws(KilnError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(model)
        } catch {
            throw .io(path: file.path, message: "cannot encode the machine model: \(error)")
        }
        try SafeFile.createDirectory(file.deletingLastPathComponent().path)
        try SafeFile.write(data, to: file.path)
    }
}
