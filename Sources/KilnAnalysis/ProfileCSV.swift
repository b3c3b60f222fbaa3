extension ProfileReport {
    /// One row per kernel in execution order, with a header row; times in microseconds, rates in
    /// GFLOP/s and GB/s. Fields holding a comma or a quote are quoted (RFC 4180).
    public func csv() -> String {
        let header = [
            "index", "rank", "kernel", "layer", "location", "phase", "ops", "output", "parameters", "macs", "flops",
            "bytes_read", "bytes_written", "intensity", "bound", "predicted_us", "measured_us", "achieved_gflops",
            "achieved_gbs", "roof_percent",
        ]
        var lines = [header.joined(separator: ",")]
        for kernel in kernels {
            let cost = kernel.cost
            let fields = [
                String(cost.index), String(kernel.rank), cost.name, cost.layer, cost.location, cost.phase.rawValue,
                cost.ops.joined(separator: "+"), cost.output.description, String(cost.parameters), String(cost.macs),
                String(cost.flops), String(cost.bytesRead), String(cost.bytesWritten), String(cost.intensity),
                kernel.bound.rawValue, String(kernel.predictedSeconds * 1e6), String(kernel.measuredSeconds * 1e6),
                String(kernel.achievedGFLOPs), String(kernel.achievedGBs), String(kernel.roofFraction * 100),
            ]
            lines.append(fields.map(ProfileReport.csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
