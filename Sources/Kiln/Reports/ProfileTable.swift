import KilnAnalysis

extension ProfileReport {
    /// What `kiln profile` prints: the machine, the convention, one row per kernel from slowest
    /// to fastest (layer, kernel, its algorithm in the kernel plan, result shape, FLOPs, bytes, intensity, bound, median time,
    /// GFLOP/s, GB/s, fraction of the roofline), totals per phase, and time per layer.
    public func table() -> String {
        let training = mode == "training"
        var header = ["layer", "kernel", "algorithm"]
        if training { header.append("phase") }
        header += ["shape", "FLOPs", "bytes", "FLOP/B", "bound", "time µs", "GFLOP/s", "GB/s", "% of roof"]
        var kernelTable = TextTable(header: header, rightAligned: Set((header.count - 8)..<header.count).subtracting([header.count - 5]))
        for kernel in ranked {
            let cost = kernel.cost
            var row = [cost.layer.isEmpty ? "-" : cost.layer, cost.name, cost.algorithm.isEmpty ? "-" : cost.algorithm]
            if training { row.append(cost.phase.rawValue) }
            row += [
                cost.output.description, Quantity.si(Double(cost.flops)), Quantity.si(Double(cost.bytes)),
                Quantity.fixed(cost.intensity), kernel.bound.rawValue, Quantity.fixed(kernel.measuredSeconds * 1e6),
                Quantity.fixed(kernel.achievedGFLOPs), Quantity.fixed(kernel.achievedGBs),
                Quantity.fixed(kernel.roofFraction * 100, digits: 2),
            ]
            kernelTable.append(row)
        }

        let totalsHeader = ["phase", "kernels", "MACs", "FLOPs", "bytes", "FLOP/B", "time µs", "roofline µs", "% of roof"]
        var totalsTable = TextTable(header: totalsHeader, rightAligned: Set(1..<totalsHeader.count))
        let phases: [ExecutionPhase?] = costs.phases.count > 1 ? costs.phases + [nil] : [nil]
        for phase in phases {
            let totals = costs.totals(phase), seconds = seconds(phase)
            totalsTable.append([
                phase?.rawValue ?? "all", String(totals.kernels), Quantity.si(Double(totals.macs)),
                Quantity.si(Double(totals.flops)), Quantity.si(Double(totals.bytes)), Quantity.fixed(totals.intensity),
                Quantity.fixed(seconds.measured * 1e6), Quantity.fixed(seconds.predicted * 1e6),
                Quantity.fixed(seconds.measured > 0 ? seconds.predicted / seconds.measured * 100 : 0, digits: 2),
            ])
        }

        let layerHeader = ["layer", "params", "kernels", "FLOPs", "bytes", "time µs", "% of time"]
        var layerTable = TextTable(header: layerHeader, rightAligned: Set(1..<layerHeader.count))
        for layer in layers {
            layerTable.append([
                layer.layer.isEmpty ? "-" : layer.layer, groupedDigits(layer.parameters), String(layer.kernels.count),
                Quantity.si(Double(layer.flops)), Quantity.si(Double(layer.bytes)),
                Quantity.fixed(layer.measuredSeconds * 1e6), Quantity.fixed(layer.share * 100, digits: 2),
            ])
        }

        var notes = ""
        let above = kernels.filter { $0.roofFraction > 1.05 }
        if let worst = above.max(by: { $0.roofFraction < $1.roofFraction }) {
            notes = "\nnote: \(above.count) kernel\(above.count == 1 ? "" : "s") ran above the roofline (\(worst.cost.name) at "
                + "\(Quantity.fixed(worst.roofFraction * 100))%): the machine model underestimates this machine (measured "
                + "under load, or stale); measure again with --remeasure or give --peak-gflops and --bandwidth-gbs"
        }
        if let diagnosis = memoryDiagnosis { notes += "\nnote: " + diagnosis }
        return """
            profile of '\(model)' (\(mode), \(backend)): \(kernels.count) kernels ranked by time, median of \(runs) runs
            \(machine.summary)
            convention: \(CostReport.convention); % of roof = roofline time / measured time

            \(kernelTable.render())\(notes)

            \(totalsTable.render())
            parameters: \(groupedDigits(costs.parameterCount))

            \(layerTable.render())
            """
    }

    /// Where the memory-bound kernels stand between Kiln's JIT ceiling and the machine's bandwidth:
    /// near the first and far below the second means the generated code, not memory, limits them.
    var memoryDiagnosis: String? {
        let memoryBound = kernels.filter { $0.bound == .memory }
        let seconds = memoryBound.reduce(0) { $0 + $1.measuredSeconds }
        guard let jit = machine.jitTriadGBs, seconds > 0, measuredSeconds > 0 else { return nil }
        let rate = Double(memoryBound.reduce(0) { $0 + $1.cost.bytes }) / seconds / 1e9
        var text = "memory-bound kernels take \(Quantity.fixed(seconds / measuredSeconds * 100, digits: 2))% of the time "
            + "and stream \(Quantity.fixed(rate)) GB/s together; the machine streams \(Quantity.fixed(machine.bandwidthGBs)) GB/s, "
            + "Kiln's \(machine.jitCompiler ?? "tcc")-compiled loops \(Quantity.fixed(jit)) GB/s"
        if rate <= 1.25 * jit && jit < 0.5 * machine.bandwidthGBs {
            text += ": the generated code holds them back, not memory (fusion and the native backend are the remedies)"
        }
        return text
    }

    /// Every computed node by its operator's own count: what `kiln profile --operators` adds.
    public func operatorTable() -> String {
        let header = ["node", "op", "layer", "phase", "kernel", "output", "MACs", "FLOPs", "bytes", "FLOP/B", "bound"]
        var table = TextTable(header: header, rightAligned: Set(6..<10))
        for node in costs.nodes {
            let cost = node.cost
            table.append([
                node.name, node.op, node.layer.isEmpty ? "-" : node.layer, node.phase.rawValue,
                costs.kernels[node.kernel].name, node.output.description, Quantity.si(Double(cost.macs)),
                Quantity.si(Double(cost.flops)), Quantity.si(Double(cost.bytesRead + cost.bytesWritten)),
                Quantity.fixed(cost.arithmeticIntensity), machine.bound(intensity: cost.arithmeticIntensity).rawValue,
            ])
        }
        return table.render()
    }
}
