import Foundation
import KilnIR

extension ProfileReport {
    /// The report as JSON for programs. Times are in seconds, rates in GFLOP/s and GB/s (10⁹),
    /// sizes in bytes, intensities in FLOPs per byte; keys are sorted. The structure:
    ///
    /// ```
    /// {
    ///   "format": "kiln-profile", "version": 1,
    ///   "model": "mlp", "mode": "inference" or "training", "backend": "tcc", "runs": 10,
    ///   "convention": "FLOPs = 2 x MACs ...",
    ///   "parameters": 669706,                        // trainable parameter elements
    ///   "machine": {"peak_gflops", "bandwidth_gbs", "ridge_flop_per_byte", "threads", "cpu",
    ///               "peak_method", "bandwidth_method", "jit_method", "source",
    ///               "jit_triad_gbs", "jit_fused_gbs"},   // the last two only when measured
    ///   "kernels": [                                  // execution order
    ///     {"index", "rank" (1 = slowest), "name", "ops": [mnemonics], "nodes": [node names],
    ///      "layer", "location", "phase": "forward" | "backward" | "update", "output": "f32[64,512]",
    ///      "parameters", "macs", "flops", "bytes_read", "bytes_written", "intensity",
    ///      "bound": "compute" | "memory", "predicted_seconds", "measured_seconds",
    ///      "trace_start_seconds", "trace_seconds", "achieved_gflops", "achieved_gbs", "roof_fraction"}],
    ///   "operators": [                                // every computed node, graph order
    ///     {"node" (index), "name", "op", "kernel" (index), "layer", "location", "phase", "output",
    ///      "macs", "flops", "bytes_read", "bytes_written", "intensity"}],   // the operator's own count
    ///   "layers": [                                   // slowest first
    ///     {"layer", "kernels": [indices], "parameters", "flops", "bytes", "measured_seconds", "share"}],
    ///   "totals": {"all": T, "forward": T, "backward": T, "update": T}   // phases with kernels only
    ///     // T = {"kernels", "macs", "flops", "bytes_read", "bytes_written", "intensity",
    ///     //      "measured_seconds", "predicted_seconds"}
    /// }
    /// ```
    public func json() throws(KilnError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(ProfileDocument(self)), as: UTF8.self) + "\n"
        } catch {
            throw .invalidArgument("cannot encode the profile as JSON: \(error)")
        }
    }
}

/// The JSON form of `ProfileReport` (see `ProfileReport.json()`).
struct ProfileDocument: Encodable {
    var format = "kiln-profile"
    var version = 1
    var model: String
    var mode: String
    var backend: String
    var runs: Int
    var convention = CostReport.convention
    var parameters: Int
    var machine: MachineDocument
    var kernels: [KernelDocument]
    var operators: [OperatorDocument]
    var layers: [LayerDocument]
    var totals: [String: TotalsDocument]

    init(_ report: ProfileReport) {
        model = report.model
        mode = report.mode
        backend = report.backend
        runs = report.runs
        parameters = report.costs.parameterCount
        machine = MachineDocument(report.machine)
        kernels = report.kernels.map(KernelDocument.init)
        operators = report.costs.nodes.map(OperatorDocument.init)
        layers = report.layers.map(LayerDocument.init)
        totals = ["all": TotalsDocument(report, phase: nil)]
        for phase in report.costs.phases { totals[phase.rawValue] = TotalsDocument(report, phase: phase) }
    }
}

struct MachineDocument: Encodable {
    var peakGFLOPs, bandwidthGBs, ridgeFlopPerByte: Double
    var jitTriadGBs, jitFusedGBs: Double?
    var threads: Int
    var cpu, peakMethod, bandwidthMethod, jitMethod, source: String

    init(_ machine: MachineModel) {
        peakGFLOPs = machine.peakGFLOPs
        bandwidthGBs = machine.bandwidthGBs
        ridgeFlopPerByte = machine.ridgeIntensity
        jitTriadGBs = machine.jitTriadGBs
        jitFusedGBs = machine.jitFusedGBs
        threads = machine.threads
        cpu = machine.cpu
        peakMethod = machine.peakMethod
        bandwidthMethod = machine.bandwidthMethod
        jitMethod = machine.jitMethod
        source = machine.source.rawValue
    }

    enum CodingKeys: String, CodingKey {
        case peakGFLOPs = "peak_gflops", bandwidthGBs = "bandwidth_gbs", ridgeFlopPerByte = "ridge_flop_per_byte"
        case jitTriadGBs = "jit_triad_gbs", jitFusedGBs = "jit_fused_gbs", threads, cpu, peakMethod = "peak_method"
        case bandwidthMethod = "bandwidth_method", jitMethod = "jit_method", source
    }
}

struct KernelDocument: Encodable {
    var index, rank: Int
    var name: String
    var ops, nodes: [String]
    var layer, location, phase, output: String
    var parameters, macs, flops, bytesRead, bytesWritten: Int
    var intensity: Double
    var bound: String
    var predictedSeconds, measuredSeconds, traceStartSeconds, traceSeconds: Double
    var achievedGFLOPs, achievedGBs, roofFraction: Double

    init(_ kernel: KernelProfile) {
        let cost = kernel.cost
        index = cost.index
        rank = kernel.rank
        name = cost.name
        ops = cost.ops
        nodes = cost.nodeNames
        layer = cost.layer
        location = cost.location
        phase = cost.phase.rawValue
        output = cost.output.description
        parameters = cost.parameters
        macs = cost.macs
        flops = cost.flops
        bytesRead = cost.bytesRead
        bytesWritten = cost.bytesWritten
        intensity = cost.intensity
        bound = kernel.bound.rawValue
        predictedSeconds = kernel.predictedSeconds
        measuredSeconds = kernel.measuredSeconds
        traceStartSeconds = kernel.measurement.traceStartSeconds
        traceSeconds = kernel.measurement.traceSeconds
        achievedGFLOPs = kernel.achievedGFLOPs
        achievedGBs = kernel.achievedGBs
        roofFraction = kernel.roofFraction
    }

    enum CodingKeys: String, CodingKey {
        case index, rank, name, ops, nodes, layer, location, phase, output, parameters, macs, flops
        case bytesRead = "bytes_read", bytesWritten = "bytes_written", intensity, bound
        case predictedSeconds = "predicted_seconds", measuredSeconds = "measured_seconds"
        case traceStartSeconds = "trace_start_seconds", traceSeconds = "trace_seconds"
        case achievedGFLOPs = "achieved_gflops", achievedGBs = "achieved_gbs", roofFraction = "roof_fraction"
    }
}

struct OperatorDocument: Encodable {
    var node, kernel: Int
    var name, op, layer, location, phase, output: String
    var macs, flops, bytesRead, bytesWritten: Int
    var intensity: Double

    init(_ node: NodeCost) {
        self.node = node.node.index
        kernel = node.kernel
        name = node.name
        op = node.op
        layer = node.layer
        location = node.location
        phase = node.phase.rawValue
        output = node.output.description
        macs = node.cost.macs
        flops = node.cost.flops
        bytesRead = node.cost.bytesRead
        bytesWritten = node.cost.bytesWritten
        intensity = node.cost.arithmeticIntensity
    }

    enum CodingKeys: String, CodingKey {
        case node, kernel, name, op, layer, location, phase, output, macs, flops
        case bytesRead = "bytes_read", bytesWritten = "bytes_written", intensity
    }
}

struct LayerDocument: Encodable {
    var layer: String
    var kernels: [Int]
    var parameters, flops, bytes: Int
    var measuredSeconds, share: Double

    init(_ layer: LayerProfile) {
        self.layer = layer.layer
        kernels = layer.kernels
        parameters = layer.parameters
        flops = layer.flops
        bytes = layer.bytes
        measuredSeconds = layer.measuredSeconds
        share = layer.share
    }

    enum CodingKeys: String, CodingKey {
        case layer, kernels, parameters, flops, bytes, measuredSeconds = "measured_seconds", share
    }
}

struct TotalsDocument: Encodable {
    var kernels, macs, flops, bytesRead, bytesWritten: Int
    var intensity, measuredSeconds, predictedSeconds: Double

    init(_ report: ProfileReport, phase: ExecutionPhase?) {
        let totals = report.costs.totals(phase)
        let seconds = report.seconds(phase)
        kernels = totals.kernels
        macs = totals.macs
        flops = totals.flops
        bytesRead = totals.bytesRead
        bytesWritten = totals.bytesWritten
        intensity = totals.intensity
        measuredSeconds = seconds.measured
        predictedSeconds = seconds.predicted
    }

    enum CodingKeys: String, CodingKey {
        case kernels, macs, flops, bytesRead = "bytes_read", bytesWritten = "bytes_written", intensity
        case measuredSeconds = "measured_seconds", predictedSeconds = "predicted_seconds"
    }
}
