import KilnIR
import KilnOps

/// What one kernel of a fusion plan does to memory: the buffers it reads (by the node owning
/// them: views resolved, an in-place concatenation read as all its parts), whether every read of a buffer is an element-by-element read of the
/// elementwise loop (which makes writing an output over it safe), the values it stores, and the
/// value its primary node writes first.
struct KernelAccess {
    /// For each buffer read, whether all its reads are element by element in the loop.
    var reads: [NodeID: Bool] = [:]
    /// The values stored.
    var writes: [NodeID]
    /// The stored value the primary node writes before the loop runs.
    var accumulator: NodeID?

    init(_ kernel: FusionPlan.Kernel, in graph: Graph, fusion: FusionPlan) {
        writes = kernel.outputs
        accumulator = kernel.accumulator(in: graph)
        let members = Set(kernel.nodes)
        // The primary node and a prologue read in the primary's own order: never overwritten in place.
        for id in kernel.prologue + (kernel.primary.map { [$0] } ?? []) {
            for input in graph[id].inputs where !members.contains(input) {
                for part in fusion.memoryParts(of: input) { reads[part] = false }
            }
        }
        let loopShape = kernel.primary.map { graph[$0].type.shape } ?? kernel.nodes.first.map { graph[$0].type.shape }
        for id in kernel.epilogue {
            let node = graph[id]
            let formula = OperatorRegistry.operator(node.op) as? any ElementwiseFormula
            let strides = formula?.operandStrides(OperatorRegistry.signature(of: node, in: graph))
            for (operand, input) in node.inputs.enumerated() where !members.contains(input) {
                let parts = fusion.memoryParts(of: input)
                let contiguous = parts.count == 1
                    && strides.map { loopShape?.readsContiguously($0[operand]) ?? false } ?? false
                    && graph[input].type.shape.elementCount == graph[parts[0]].type.shape.elementCount
                for part in parts { reads[part] = (reads[part] ?? true) && contiguous }
            }
        }
    }

    /// Whether the kernel may store `output` over the buffer of `input`: it reads `input` only
    /// element by element in its loop, and the primary node does not write `output` before the
    /// loop has read it.
    func mayOverwrite(_ input: NodeID, with output: NodeID) -> Bool {
        reads[input] == true && writes.contains(output) && output != accumulator
    }

    /// The accesses of every kernel of `fusion`.
    static func all(_ fusion: FusionPlan, in graph: Graph) -> [KernelAccess] {
        fusion.kernels.map { KernelAccess($0, in: graph, fusion: fusion) }
    }
}
