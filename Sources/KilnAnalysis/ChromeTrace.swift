import Foundation
import KilnIR

extension ProfileReport {
    /// The traced run as Chrome trace JSON (chrome://tracing, Perfetto): a `process_name` metadata
    /// event, then one complete event (`"ph": "X"`) per kernel with `ts` and `dur` in microseconds
    /// from the run's start, `cat` the phase, and the kernel's layer, ops, FLOPs and bytes in `args`.
    public func chromeTrace() throws(KilnError) -> String {
        var events = [TraceEvent(
            name: "process_name", cat: "", ph: "M", ts: 0, dur: nil, pid: 1, tid: 1,
            args: TraceArgs(name: "kiln \(model) (\(mode), \(backend))"))]
        for kernel in kernels {
            let cost = kernel.cost
            events.append(TraceEvent(
                name: cost.name, cat: cost.phase.rawValue, ph: "X", ts: kernel.measurement.traceStartSeconds * 1e6,
                dur: kernel.measurement.traceSeconds * 1e6, pid: 1, tid: 1,
                args: TraceArgs(
                    layer: cost.layer, ops: cost.ops.joined(separator: "+"), output: cost.output.description,
                    flops: cost.flops, bytes: cost.bytes, bound: kernel.bound.rawValue)))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(ChromeTraceDocument(traceEvents: events)), as: UTF8.self) + "\n"
        } catch {
            throw .invalidArgument("cannot encode the trace as JSON: \(error)")
        }
    }
}

struct ChromeTraceDocument: Encodable {
    var traceEvents: [TraceEvent]
    var displayTimeUnit = "ms"
}

struct TraceEvent: Encodable {
    var name, cat, ph: String
    var ts: Double
    var dur: Double?
    var pid, tid: Int
    var args: TraceArgs
}

struct TraceArgs: Encodable {
    var name: String?
    var layer: String?
    var ops: String?
    var output: String?
    var flops: Int?
    var bytes: Int?
    var bound: String?
}
