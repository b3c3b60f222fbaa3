import KilnIR

/// Where each stored value of a standalone program lives.
///
/// Weights and constants stay in the weight blob (embedded `static const`, or the caller's
/// read-only buffer); values the preparation kernels derive from them go to the prepared buffer;
/// inputs are read from the caller's buffers and each output's buffer is the caller's when the
/// output can be computed there; everything else (activations and scratch) is placed again by
/// best fit in the workspace, which is therefore the arena of the activations alone.
struct StandaloneLayout {
    /// A memory region the generated C addresses.
    enum Region: Hashable {
        case workspace, weights, prepared
        case input(Int), output(Int)
    }

    /// A byte offset in a region.
    struct Address: Hashable {
        var region: Region
        var offset: Int
    }

    /// An output not computed in the caller's buffer: copied there at the end of a run.
    struct Copy {
        var output: Int
        var source: Address
        var bytes: Int
    }

    private(set) var addresses: [NodeID: Address] = [:]
    /// The workspace address of each kernel's scratch, indexed by kernel.
    private(set) var scratch: [Int?] = []
    /// Bytes of the workspace: the best-fit arena of the activations and scratch.
    private(set) var workspaceBytes = 0
    /// Bytes of the prepared values, laid end to end.
    private(set) var preparedBytes = 0
    /// Where the prepared values are in the program's own arena (the JIT's), in prepared order.
    private(set) var preparedRanges: [Range<Int>] = []
    /// The prepared values by the operator of the node computing them, largest first.
    private(set) var preparedContents: [StandaloneFootprint.PreparedValues] = []
    private(set) var copies: [Copy] = []
    /// The most workspace bytes live at one step, and that step (a kernel index; -1 before the first).
    private(set) var peak: (bytes: Int, step: Int) = (0, -1)

    init(graph: Graph, program: GeneratedProgram, weights: WeightBlob) {
        let plan = program.plan, fusion = program.fusion
        let end = fusion.kernels.count, prepared = fusion.preparationKernelCount
        let blobOffsets = Dictionary(uniqueKeysWithValues: weights.entries.map { ($0.node.id, $0.blobOffset) })
        let inputIndex = Dictionary(graph.inputs.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var homes = [Region?](repeating: nil, count: plan.buffers.count)
        var bases = [Int](repeating: 0, count: plan.buffers.count)
        var owner: [NodeID: (buffer: Int, offset: Int)] = [:]
        for (index, buffer) in plan.buffers.enumerated() {
            for node in buffer.nodes { owner[node] = (index, plan.offset(of: node) - buffer.offset) }
            guard let first = buffer.nodes.first else { continue }
            if buffer.persistent, let blob = blobOffsets[first] {
                (homes[index], bases[index]) = (.weights, blob)
            } else if buffer.persistent, let input = inputIndex[first] {
                homes[index] = .input(input)
            } else if buffer.firstStep < prepared, buffer.lastStep == end {
                homes[index] = .prepared
                bases[index] = preparedBytes
                preparedBytes += buffer.bytes
                preparedRanges.append(buffer.range)
                let op = graph[first].op
                if let known = preparedContents.firstIndex(where: { $0.op == op }) {
                    preparedContents[known].bytes += buffer.bytes
                } else {
                    preparedContents.append(.init(op: op, bytes: buffer.bytes))
                }
            }
        }
        preparedContents.sort { ($0.bytes, $1.op) > ($1.bytes, $0.op) }
        func located(_ node: NodeID) -> (buffer: Int, offset: Int) {
            let storage = fusion.storage(of: node)
            if let found = owner[storage] { return found }
            let part = fusion.parts(of: storage)[0], found = owner[part]!
            return (found.buffer, found.offset - fusion.slices[part]!.byteOffset)
        }
        // An output is computed in the caller's buffer when its buffer is an activation that
        // holds nothing beyond the output's bytes and no other output claimed it.
        var copied: [(output: Int, node: NodeID)] = []
        for (index, output) in graph.outputs.enumerated() {
            let (buffer, offset) = located(output.node)
            let bytes = graph[output.node].type.byteCount
            let fits = plan.buffers[buffer].nodes.allSatisfy { owner[$0]!.offset + graph[$0].type.byteCount <= bytes }
            if homes[buffer] == nil, offset == 0, fits, !plan.buffers[buffer].nodes.isEmpty {
                homes[buffer] = .output(index)
            } else {
                copied.append((index, output.node))
            }
        }
        // A weight left out of the blob (read by preparation kernels only, whose values are
        // embedded) has no home and is never addressed.
        let activations = plan.buffers.indices.filter { homes[$0] == nil && !plan.buffers[$0].persistent }
        var placed = activations.map { plan.buffers[$0] }
        workspaceBytes = MemoryPlan.placeBestFit(&placed)
        for step in -1...end {
            let live = placed.filter { $0.firstStep <= step && step <= $0.lastStep }.reduce(0) { $0 + $1.bytes }
            if live > peak.bytes { peak = (live, step) }
        }
        for (index, buffer) in zip(activations, placed) {
            homes[index] = .workspace
            bases[index] = buffer.offset
        }
        scratch = plan.scratchOffsets.enumerated().map { kernel, offset in
            guard offset != nil else { return nil }
            let index = plan.buffers.indices.first { plan.buffers[$0].scratchKernel == kernel }
                ?? plan.buffers.indices.first { plan.buffers[$0].nodes.isEmpty && plan.buffers[$0].scratchKernel == nil }!
            return bases[index]
        }
        for node in graph.nodes where plan.offsets[node.id.index] != nil {
            let (buffer, offset) = located(node.id)
            if let home = homes[buffer] { addresses[node.id] = Address(region: home, offset: bases[buffer] + offset) }
        }
        copies = copied.map { Copy(output: $0.output, source: addresses[$0.node]!, bytes: graph[$0.node].type.byteCount) }
    }
}
