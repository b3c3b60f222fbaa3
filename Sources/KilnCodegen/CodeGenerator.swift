import KilnC
import KilnIR
import KilnOps

/// Turns a graph, its fusion plan and its memory plan into the parts of a C program: one
/// `static void` function per kernel, and the bodies of the drivers that call them in order over
/// one arena: the preparation kernels (values derived from the parameters alone, once per change
/// of the parameters), the others, and the copies of the state updates not computed in place
/// (after the outputs are read). While an overlapped exchange is in flight (after an
/// `allreduce_start` kernel, before its `allreduce_wait`), each call is followed by a progress call
/// of `kiln_collective_hook`. `GeneratedProgram` assembles the JIT flavour from them,
/// `StandaloneProgram` the standalone one.
public enum CodeGenerator {
    /// Generates the C parts for `graph`. Without a fusion plan every computed node is its own kernel
    /// (`FusionPlan.unfused`); without a memory plan every tensor gets its own buffer
    /// (`MemoryPlan.separateBuffers`); without a kernel plan the rules choose each GEMM-shaped
    /// node's algorithm (`KernelPlan.rules`). A memory plan must have been made with the scratch
    /// of the same kernel plan (`kernelScratch`).
    public static func generate(
        _ graph: Graph, fusion: FusionPlan? = nil, memory: MemoryPlan? = nil, kernelPlan: KernelPlan? = nil
    ) throws(KilnError) -> GeneratedProgram {
        try OperatorRegistry.verify(graph)
        let fusion = fusion ?? FusionPlan.unfused(graph) { OperatorRegistry.bytesMoved(by: $0, in: graph) }
        let kernelPlan = kernelPlan ?? KernelPlan.rules(for: graph)
        let memory = memory
            ?? MemoryPlan.separateBuffers(for: graph, kernelScratch: kernelScratch(graph, fusion, kernelPlan: kernelPlan))
        var writer = CWriter()
        var names = CNamer(reserved: ["kiln_prepare", "kiln_run", "kiln_update", "kiln_run_kernel", "kiln_set_threads", "kiln_sgemm", "kiln_copy"])
        var kernels: [KernelInfo] = []
        var calls: [String] = []
        var usesGEMM = false
        var inFlight = 0
        for (index, kernel) in fusion.kernels.enumerated() {
            let ops = kernel.nodes.map { graph[$0].op }.joined(separator: "_")
            let function = names.identifier(for: "k\(String(format3: index))_\(ops)")
            let emitter = KernelEmitter(
                graph: graph, kernel: kernel, memory: memory, kernelPlan: kernelPlan, scratchOffset: memory.scratchOffsets[index])
            let first = writer.lines.count
            emitter.writeFunction(function, to: &writer)
            usesGEMM = usesGEMM || writer.lines[first...].contains { $0.contains("cblas_sgemm(") }
            inFlight += kernel.nodes.reduce(0) { count, node in
                count + (graph[node].op == "allreduce_start" ? 1 : graph[node].op == "allreduce_wait" ? -1 : 0)
            }
            // While an overlapped exchange is in flight, the driver lets the runtime progress it.
            let progress = inFlight > 0 ? " if (kiln_collective_hook) kiln_collective_hook(KILN_COLLECTIVE_PROGRESS, 0, 0, 0);" : ""
            calls.append("\(function)(\(emitter.arguments.joined(separator: ", ")));" + progress)
            let choice = kernel.primary.flatMap { kernelPlan[$0] }
            kernels.append(KernelInfo(
                function: function, nodes: kernel.nodes, algorithm: choice?.algorithm.rawValue ?? "", reads: emitter.reads,
                stores: kernel.outputs, usesScratch: emitter.scratchOffset != nil))
        }
        let updates = graph.updates.compactMap { update -> String? in
            let target = memory.offset(of: update.target), value = memory.offset(of: update.value)
            guard target != value else { return nil }  // computed in place
            return "memcpy(arena + \(target), arena + \(value), \(graph[update.target].type.byteCount)); "
                + "/* update \(CLiteral.commentText(graph[update.target].name)) */"
        }
        let prepared = fusion.preparationKernelCount
        let drivers = DriverBodies(prepare: Array(calls.prefix(prepared)), run: Array(calls.dropFirst(prepared)), updates: updates)
        return GeneratedProgram(
            graphName: graph.name, nodeCount: graph.nodes.count, kernelCode: writer, drivers: drivers, usesGEMM: usesGEMM,
            kernels: kernels, fusion: fusion, plan: memory, kernelPlan: kernelPlan)
    }

    /// The scratch bytes each kernel of `fusion` needs: its primary node's, computed with the
    /// algorithm `kernelPlan` gives it.
    public static func kernelScratch(_ graph: Graph, _ fusion: FusionPlan, kernelPlan: KernelPlan) -> [Int] {
        fusion.kernels.map { kernel in kernel.primary.map { kernelPlan.scratchBytes(of: graph[$0], in: graph) } ?? 0 }
    }
}

extension String {
    /// A non-negative integer zero-padded to three digits.
    init(format3 value: Int) {
        let text = String(value)
        self = String(repeating: "0", count: Swift.max(0, 3 - text.count)) + text
    }
}
