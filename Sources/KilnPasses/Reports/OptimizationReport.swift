import KilnIR
import KilnOps

/// What optimization did to one graph, in numbers: kernels and bytes moved as written, after the
/// passes, and after fusion; the arena against its lower bound and the naive sum.
public struct OptimizationReport: Sendable {
    /// One way of running the graph.
    public struct Stage: Sendable, Hashable {
        /// What the stage is (`as written, unfused`).
        public var label: String
        /// Kernels run.
        public var kernels: Int
        /// Bytes moved by all kernels.
        public var bytesMoved: Int
    }

    /// The graph's name.
    public var name: String
    /// Whether the graph is a training step.
    public var isTraining: Bool
    /// Nodes before and after the passes.
    public var nodesBefore: Int, nodesAfter: Int
    /// As written and unfused; after the passes and unfused; after the passes and fused (kernels
    /// and bytes of one run: preparation kernels, which run once per change of the parameters, are
    /// reported apart).
    public var stages: [Stage]
    /// The memory plan of the optimized graph.
    public var memory: MemoryPlan
    /// The naive sum of the graph as written (every tensor its own buffer).
    public var naiveBytesAsWritten: Int
    /// The optimized graph and its plans.
    public var optimized: OptimizedGraph

    /// The report for `original` optimized into `optimized`.
    public init(original: Graph, optimized: OptimizedGraph, isTraining: Bool) {
        func unfused(_ graph: Graph) -> FusionPlan { FusionPlan.unfused(graph) { OperatorRegistry.bytesMoved(by: $0, in: graph) } }
        let written = unfused(original), passed = unfused(optimized.graph)
        name = original.name
        self.isTraining = isTraining
        nodesBefore = original.nodes.count
        nodesAfter = optimized.graph.nodes.count
        stages = [
            Stage(label: "as written, one kernel per node", kernels: written.kernels.count, bytesMoved: written.fusedBytes),
            Stage(label: "after the passes, one kernel per node", kernels: passed.kernels.count, bytesMoved: passed.fusedBytes),
            Stage(label: "after the passes, fused", kernels: optimized.fusion.kernels.count - optimized.fusion.preparationKernelCount,
                  bytesMoved: optimized.fusion.fusedBytes),
        ]
        memory = optimized.memory
        let scratch = original.nodes.map { OperatorRegistry.scratchBytes(of: $0, in: original) }.max() ?? 0
        naiveBytesAsWritten = MemoryPlan.naiveBytes(of: original, scratch: scratch)
        self.optimized = optimized
    }

    /// The summary table, then (with `details`) the kernel plan, the fusion plan and the memory plan.
    public func text(details: Bool = true) -> String {
        var lines = ["optimization of '\(name)' (\(isTraining ? "training step" : "inference")): "
            + "\(nodesBefore) nodes -> \(nodesAfter) after the passes"]
        let width = stages.map(\.label.count).max() ?? 0
        for stage in stages {
            lines.append("  " + stage.label + String(repeating: " ", count: width - stage.label.count)
                + "  \(pad(stage.kernels, 5)) kernels  \(pad(stage.bytesMoved, 12)) bytes moved")
        }
        let first = stages[0], last = stages[stages.count - 1]
        lines.append("  fusion: \(first.kernels) -> \(last.kernels) kernels, bytes moved \(first.bytesMoved) -> \(last.bytesMoved)"
            + " (\(percent(last.bytesMoved, of: first.bytesMoved)) of the unfused program)")
        let fusion = optimized.fusion
        if fusion.preparationKernelCount > 0 {
            lines.append("  preparation, once per change of the parameters: \(fusion.preparationKernelCount) kernels, "
                + "\(fusion.preparationBytes) bytes moved")
        }
        lines.append("  memory: arena \(memory.arenaBytes) bytes, lower bound (peak live) \(memory.lowerBound) bytes, "
            + "naive sum \(memory.naiveBytes) bytes (as written: \(naiveBytesAsWritten))")
        lines.append("          arena/lower bound \(ratio(memory.arenaBytes, memory.lowerBound)), "
            + "arena/naive \(ratio(memory.arenaBytes, memory.naiveBytes))")
        let kernelPlan = optimized.kernelPlan.text(for: optimized.graph)
        lines.append("  " + kernelPlan.prefix { $0 != "\n" })
        var text = lines.joined(separator: "\n") + "\n"
        if details {
            text += "\n" + kernelPlan + "\n" + optimized.fusion.text(for: optimized.graph) + "\n" + optimized.memory.text(for: optimized.graph)
        }
        return text
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }

    private func ratio(_ a: Int, _ b: Int) -> String {
        b == 0 ? "-" : String((Double(a) / Double(b) * 1000).rounded() / 1000)
    }

    private func percent(_ a: Int, of b: Int) -> String {
        b == 0 ? "-" : String((Double(a) / Double(b) * 1000).rounded() / 10) + "%"
    }
}
