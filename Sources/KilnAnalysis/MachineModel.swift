import KilnIR

/// The roofline of one machine: peak arithmetic throughput, memory bandwidth, and the bandwidth
/// Kiln's own generated loops reach through the JIT.
///
/// A kernel of arithmetic intensity I (FLOPs per byte) can run at most at
/// `min(peak, I × bandwidth)`; the ridge point `peak / bandwidth` splits compute-bound kernels
/// (I at or above it) from memory-bound ones. `KilnRuntime.MachineBenchmark` measures the
/// figures; they are cached as this value's JSON.
public struct MachineModel: Sendable, Hashable, Codable {
    /// Where the figures came from.
    public enum Source: String, Sendable, Hashable, Codable {
        /// Measured now.
        case measured
        /// Read from the cache file.
        case cache
        /// Given on the command line.
        case flags
        /// Given by the `KILN_MACHINE` environment variable.
        case environment
        /// Written into a program or test.
        case fixed
    }

    /// Peak float32 throughput in GFLOP/s.
    public var peakGFLOPs: Double
    /// Memory bandwidth in GB/s (10⁹ bytes per second).
    public var bandwidthGBs: Double
    /// The bandwidth a triad loop as Kiln emits it reaches through the JIT, in GB/s.
    public var jitTriadGBs: Double?
    /// The bandwidth a fused elementwise loop as Kiln emits it reaches through the JIT, in GB/s.
    public var jitFusedGBs: Double?
    /// The compiler that built the loops of the JIT ceilings (`tcc`, or the native tier's); nil
    /// in models written before it was recorded, which measured tcc.
    public var jitCompiler: String?
    /// The OpenBLAS kernels the peak was measured with (`Haswell`, `Cooperlake`); nil in models
    /// written before it was recorded.
    public var blasCore: String?
    /// The thread count the peak and bandwidth were measured on.
    public var threads: Int
    /// The processor's name, to notice a cache written on another machine.
    public var cpu: String
    /// How the peak was measured.
    public var peakMethod: String
    /// How the bandwidth was measured.
    public var bandwidthMethod: String
    /// How the JIT ceilings were measured.
    public var jitMethod: String
    /// Where these figures came from.
    public var source: Source

    /// Creates a model.
    public init(
        peakGFLOPs: Double, bandwidthGBs: Double, jitTriadGBs: Double? = nil, jitFusedGBs: Double? = nil,
        jitCompiler: String? = nil, blasCore: String? = nil, threads: Int = 1, cpu: String = "", peakMethod: String = "given", bandwidthMethod: String = "given",
        jitMethod: String = "", source: Source = .fixed
    ) {
        self.peakGFLOPs = peakGFLOPs
        self.bandwidthGBs = bandwidthGBs
        self.jitTriadGBs = jitTriadGBs
        self.jitFusedGBs = jitFusedGBs
        self.jitCompiler = jitCompiler
        self.blasCore = blasCore
        self.threads = threads
        self.cpu = cpu
        self.peakMethod = peakMethod
        self.bandwidthMethod = bandwidthMethod
        self.jitMethod = jitMethod
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case peakGFLOPs = "peak_gflops", bandwidthGBs = "bandwidth_gbs", jitTriadGBs = "jit_triad_gbs"
        case jitFusedGBs = "jit_fused_gbs", jitCompiler = "jit_compiler", blasCore = "blas_core", threads, cpu, peakMethod = "peak_method"
        case bandwidthMethod = "bandwidth_method", jitMethod = "jit_method", source
    }

    /// The ridge point in FLOPs per byte: `peak / bandwidth`.
    public var ridgeIntensity: Double { peakGFLOPs / bandwidthGBs }

    /// The roofline at `intensity`: `min(peak, intensity × bandwidth)` in GFLOP/s.
    public func attainableGFLOPs(intensity: Double) -> Double { min(peakGFLOPs, intensity * bandwidthGBs) }

    /// Compute-bound at or above the ridge point, memory-bound below it.
    public func bound(intensity: Double) -> Bound { intensity >= ridgeIntensity ? .compute : .memory }

    /// The roofline's time for `flops` and `bytes`: `max(flops / peak, bytes / bandwidth)` in seconds.
    public func predictedSeconds(flops: Int, bytes: Int) -> Double {
        max(Double(flops) / (peakGFLOPs * 1e9), Double(bytes) / (bandwidthGBs * 1e9))
    }

    /// One line: peak, bandwidth, ridge point and JIT ceilings, with their methods.
    public var summary: String {
        var text = "machine (\(source.rawValue)): peak \(Quantity.fixed(peakGFLOPs)) GFLOP/s [\(peakMethod)], "
            + "bandwidth \(Quantity.fixed(bandwidthGBs)) GB/s [\(bandwidthMethod)], "
            + "ridge point \(Quantity.fixed(ridgeIntensity)) FLOP/B"
        if let jitTriadGBs, let jitFusedGBs {
            text += "; Kiln's JIT code reaches \(Quantity.fixed(jitTriadGBs)) GB/s on a triad and "
                + "\(Quantity.fixed(jitFusedGBs)) GB/s on a fused elementwise loop [\(jitMethod)]"
        }
        return text
    }

    /// Parses the `KILN_MACHINE` form: comma- or space-separated `key=value` pairs with the JSON
    /// keys, `peak_gflops` and `bandwidth_gbs` required, `jit_triad_gbs`, `jit_fused_gbs` and
    /// `threads` optional (`peak_gflops=100,bandwidth_gbs=10`).
    public static func parse(_ text: String, source: Source = .environment) throws(KilnError) -> MachineModel {
        var values: [String: Double] = [:]
        let known = ["peak_gflops", "bandwidth_gbs", "jit_triad_gbs", "jit_fused_gbs", "threads"]
        for pair in text.split(whereSeparator: { $0 == "," || $0 == " " }) {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, known.contains(parts[0]), let value = Double(parts[1]), value.isFinite, value > 0 else {
                throw .invalidArgument(
                    "machine model '\(text)': expected key=value pairs with positive numbers and keys \(known.joined(separator: ", ")); got '\(pair)'")
            }
            values[parts[0]] = value
        }
        guard let peak = values["peak_gflops"], let bandwidth = values["bandwidth_gbs"] else {
            throw .invalidArgument("machine model '\(text)': peak_gflops and bandwidth_gbs are required")
        }
        return MachineModel(
            peakGFLOPs: peak, bandwidthGBs: bandwidth, jitTriadGBs: values["jit_triad_gbs"],
            jitFusedGBs: values["jit_fused_gbs"], threads: Int(values["threads"] ?? 1), source: source)
    }
}

/// Which ceiling of the roofline limits a kernel.
public enum Bound: String, Sendable, Hashable, Codable {
    /// Intensity at or above the ridge point: limited by arithmetic throughput.
    case compute
    /// Intensity below the ridge point: limited by memory bandwidth.
    case memory
}
