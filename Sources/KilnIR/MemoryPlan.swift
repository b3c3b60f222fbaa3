/// Where every tensor of a graph lives: byte offsets in one arena, decided from liveness over the
/// kernel order.
///
/// Time is counted in steps: step `k` is kernel `k`; step -1 is before the first kernel (when
/// inputs, parameters and constants are written) and step `kernelCount` is after the last one
/// (when outputs are read and state updates copied). A buffer is live from the step that writes
/// it to the last step that reads it, inclusive. The plan is a value that prints; the code
/// generator only follows it, and `MemoryPlanChecker` proves that no two buffers live at the same
/// step overlap in the arena.
public struct MemoryPlan: Sendable, Hashable {
    /// One region of the arena.
    public struct Buffer: Sendable, Hashable {
        /// Byte offset in the arena (a multiple of `MemoryPlan.alignment`).
        public var offset: Int
        /// Size in bytes, rounded up to the alignment.
        public var bytes: Int
        /// The nodes stored here, in order of definition: several when a kernel writes its output
        /// over an input it reads for the last time (in place). Empty for scratch.
        public var nodes: [NodeID]
        /// For scratch space, the kernel that uses it (nil for scratch every kernel shares).
        public var scratchKernel: Int?
        /// The first step the buffer is live.
        public var firstStep: Int
        /// The last step the buffer is live.
        public var lastStep: Int
        /// Whether the buffer keeps its value across runs (inputs, parameters and optimizer state,
        /// constants): it is live at every step and shared with nothing.
        public var persistent: Bool
        /// Whether `nodes` are the parts of one concatenation assembled in place, side by side,
        /// rather than values stored one after another.
        public var holdsParts: Bool

        /// Creates a buffer.
        public init(
            offset: Int, bytes: Int, nodes: [NodeID], scratchKernel: Int? = nil, firstStep: Int, lastStep: Int,
            persistent: Bool, holdsParts: Bool = false
        ) {
            self.offset = offset
            self.bytes = bytes
            self.nodes = nodes
            self.scratchKernel = scratchKernel
            self.firstStep = firstStep
            self.lastStep = lastStep
            self.persistent = persistent
            self.holdsParts = holdsParts
        }

        /// The bytes `[offset, offset + bytes)`.
        public var range: Range<Int> { offset..<(offset + bytes) }

        /// Whether the two buffers are live at a common step.
        public func livesAlongside(_ other: Buffer) -> Bool {
            firstStep <= other.lastStep && other.firstStep <= lastStep
        }
    }

    /// Every buffer.
    public var buffers: [Buffer]
    /// Byte offset of each node's value, indexed by node; nil for a node that is never stored
    /// (fused into a kernel that keeps it in registers). A view has its source's offset.
    public var offsets: [Int?]
    /// Byte offset of each kernel's scratch space, indexed by kernel; nil when it needs none.
    public var scratchOffsets: [Int?]
    /// Total arena size in bytes.
    public var arenaBytes: Int
    /// The largest sum of the sizes of buffers live at one step: no plan of these buffers can
    /// use less.
    public var lowerBound: Int
    /// The sum of the sizes of all the graph's tensors (and the largest scratch): what a
    /// framework that allocates every tensor up front needs.
    public var naiveBytes: Int

    /// Creates a plan.
    public init(
        buffers: [Buffer], offsets: [Int?], scratchOffsets: [Int?], arenaBytes: Int, lowerBound: Int, naiveBytes: Int
    ) {
        self.buffers = buffers
        self.offsets = offsets
        self.scratchOffsets = scratchOffsets
        self.arenaBytes = arenaBytes
        self.lowerBound = lowerBound
        self.naiveBytes = naiveBytes
    }

    /// Alignment of every buffer in bytes.
    public static let alignment = 64

    /// Rounds `bytes` up to the alignment (at least one alignment unit).
    public static func aligned(_ bytes: Int) -> Int { (max(bytes, 1) + alignment - 1) / alignment * alignment }

    /// The naive sum for `graph`: every tensor's aligned size plus the largest scratch.
    public static func naiveBytes(of graph: Graph, scratch: Int) -> Int {
        graph.nodes.reduce(0) { $0 + aligned($1.type.byteCount) } + (scratch > 0 ? aligned(scratch) : 0)
    }

    /// A plan that gives every tensor its own buffer, live throughout, and one scratch region all
    /// kernels share: what a framework that allocates every tensor up front needs (the naive sum).
    /// `kernelScratch` is the scratch each kernel needs, in kernel order.
    public static func separateBuffers(for graph: Graph, kernelScratch: [Int]) -> MemoryPlan {
        let end = kernelScratch.count
        var buffers: [Buffer] = []
        var offsets: [Int?] = []
        var next = 0
        for node in graph.nodes {
            let bytes = aligned(node.type.byteCount)
            offsets.append(next)
            buffers.append(Buffer(offset: next, bytes: bytes, nodes: [node.id], firstStep: -1, lastStep: end, persistent: node.isLeaf))
            next += bytes
        }
        let scratch = kernelScratch.max() ?? 0
        var scratchOffsets = [Int?](repeating: nil, count: end)
        if scratch > 0 {
            for (kernel, bytes) in kernelScratch.enumerated() where bytes > 0 { scratchOffsets[kernel] = next }
            buffers.append(Buffer(
                offset: next, bytes: aligned(scratch), nodes: [], scratchKernel: nil, firstStep: -1, lastStep: end, persistent: false))
            next += aligned(scratch)
        }
        return MemoryPlan(
            buffers: buffers, offsets: offsets, scratchOffsets: scratchOffsets, arenaBytes: next, lowerBound: next,
            naiveBytes: next)
    }

    /// The offset of `node`'s value; the node must be stored.
    public func offset(of node: NodeID) -> Int {
        guard let offset = offsets[node.index] else { preconditionFailure("node \(node) has no buffer in the memory plan") }
        return offset
    }

    /// One line: arena, lower bound and naive sum.
    public var summary: String {
        let ratio = lowerBound == 0 ? 1 : Double(arenaBytes) / Double(lowerBound)
        let rounded = (ratio * 1000).rounded() / 1000
        return "arena \(arenaBytes) bytes, lower bound (peak live) \(lowerBound) bytes (arena/bound \(rounded)), "
            + "naive sum \(naiveBytes) bytes"
    }

    /// The plan as text: the summary, then one line per buffer in offset order.
    public func text(for graph: Graph) -> String {
        let persistent = buffers.filter(\.persistent).count
        let shared = buffers.filter { $0.nodes.count > 1 && !$0.holdsParts }.count
        let assembled = buffers.filter(\.holdsParts).count
        var lines = ["memory plan '\(graph.name)': " + summary,
                     "  \(buffers.count) buffers: \(persistent) persistent, \(shared) written in place"
                        + (assembled > 0 ? ", \(assembled) concatenations assembled in place" : "")]
        for buffer in buffers.sorted(by: { ($0.offset, $0.firstStep) < ($1.offset, $1.firstStep) }) {
            let steps = buffer.persistent ? "persistent" : "steps \(buffer.firstStep)...\(buffer.lastStep)"
            let contents = buffer.nodes.isEmpty
                ? buffer.scratchKernel.map { "scratch of kernel \($0)" } ?? "scratch shared by every kernel"
                : buffer.nodes.map { "\($0) '\(graph[$0].name)'" }.joined(separator: buffer.holdsParts ? " beside " : ", then ")
            lines.append("  @\(buffer.offset) \(buffer.bytes) bytes, \(steps): \(contents)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
