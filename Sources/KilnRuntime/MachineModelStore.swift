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
/// the cache's entry for this processor, this thread count and this compiler, else flags that give
/// both figures, else a measurement (`MachineBenchmark`, a few seconds) that is then cached.
/// Flags override single figures of whichever model was found.
///
/// The cache is `$XDG_CACHE_HOME/kiln/machine.json`, or `~/.cache/kiln/machine.json`: a JSON array
/// of `MachineModel`s (keys `peak_gflops`, `bandwidth_gbs`, `jit_triad_gbs`, `jit_fused_gbs`,
/// `jit_compiler`, `blas_core`, `threads`, `cpu`, `peak_method`, `bandwidth_method`, `jit_method`, `source`), one
/// per (processor, thread count, OpenBLAS kernels, compiler of the JIT ceilings), so that measuring at
/// another thread count, with `OPENBLAS_CORETYPE` set, or for another tier adds an entry instead of
/// replacing one. A file holding a single model
/// (as older versions wrote) reads as one entry for tcc.
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

    /// The machine model for this process and code compiled by `backend` (see the type's comment);
    /// `progress` hears about a measurement and about the cache.
    public static func resolve(
        _ overrides: MachineOverrides, backend: any CompilerBackend = TCCBackend(),
        environment: [String: String] = ProcessInfo.processInfo.environment, progress: (String) -> Void = { _ in }
    ) throws(KilnError) -> MachineModel {
        for (flag, value) in [("--peak-gflops", overrides.peakGFLOPs), ("--bandwidth-gbs", overrides.bandwidthGBs)] {
            if let value, !(value.isFinite && value > 0) { throw .invalidArgument("\(flag) must be a positive number, got \(value)") }
        }
        var model: MachineModel
        let file = cacheFile(environment: environment)
        if let text = environment[environmentVariable] {
            model = try MachineModel.parse(text)
        } else if !overrides.remeasure, let cached = file.flatMap(load)?.first(where: { matches($0, backend: backend) }) {
            model = cached
            model.source = .cache
        } else if let peak = overrides.peakGFLOPs, let bandwidth = overrides.bandwidthGBs {
            return MachineModel(
                peakGFLOPs: peak, bandwidthGBs: bandwidth, threads: BLASThreads.count, cpu: MachineBenchmark.cpuName(),
                peakMethod: "--peak-gflops", bandwidthMethod: "--bandwidth-gbs", source: .flags)
        } else {
            progress("measuring the machine model (sgemm peak, triad bandwidth, JIT ceilings; a few seconds, once) ...")
            if let warning = MachineBenchmark.loadWarning() { progress(warning) }
            model = try MachineBenchmark.measure(jitBackend: backend)
            if let file {
                do {
                    try save(model, to: file, backend: backend)
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

    /// Whether `model` was measured on this processor, at BLAS's current thread count and with its
    /// current kernels, and with its JIT ceilings compiled by `backend` (a model that names no
    /// compiler measured tcc; one that names no kernels matches any).
    static func matches(_ model: MachineModel, backend: any CompilerBackend) -> Bool {
        model.threads == BLASThreads.count && model.cpu == MachineBenchmark.cpuName()
            && (model.jitCompiler ?? TCCBackend().name) == backend.name && (model.blasCore ?? BLASThreads.core) == BLASThreads.core
    }

    /// The models in `file` (an array, or one model as older versions wrote), or nil when it is
    /// missing or unreadable.
    static func load(_ file: URL) -> [MachineModel]? {
        guard let data = try? Data(contentsOf: file) else { return nil }
        let decoder = JSONDecoder()
        return (try? decoder.decode([MachineModel].self, from: data)) ?? (try? decoder.decode(MachineModel.self, from: data)).map { [$0] }
    }

    /// Writes `model` into the cache `file` (creating its folder), replacing the entry for the
    /// same processor, thread count and compiler and keeping the others. The file is replaced
    /// atomically, so a concurrent reader sees the old or the new cache, never a torn one.
    static func save(_ model: MachineModel, to file: URL, backend: any CompilerBackend) throws(KilnError) {
        let kept = (load(file) ?? []).filter { !matches($0, backend: backend) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(kept + [model])
        } catch {
            throw .io(path: file.path, message: "cannot encode the machine model: \(error)")
        }
        try SafeFile.createDirectory(file.deletingLastPathComponent().path)
        try SafeFile.write(data, to: file.path)
    }
}
