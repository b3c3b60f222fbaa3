/// Where every tensor of a graph lives: a byte offset in one arena per node, and the scratch
/// region kernels share.
///
/// The plan is a value that prints; the code generator only follows it.
public struct MemoryPlan: Sendable, Hashable, CustomStringConvertible {
    /// Byte offset of each node's tensor in the arena, indexed by node.
    public var offsets: [Int]
    /// Byte offset of the scratch region.
    public var scratchOffset: Int
    /// Bytes of scratch space.
    public var scratchBytes: Int
    /// Total arena size in bytes.
    public var arenaBytes: Int

    /// Creates a plan.
    public init(offsets: [Int], scratchOffset: Int, scratchBytes: Int, arenaBytes: Int) {
        self.offsets = offsets
        self.scratchOffset = scratchOffset
        self.scratchBytes = scratchBytes
        self.arenaBytes = arenaBytes
    }

    /// Alignment of every buffer in bytes.
    public static let alignment = 64

    /// Rounds `bytes` up to the alignment.
    public static func aligned(_ bytes: Int) -> Int { (bytes + alignment - 1) / alignment * alignment }

    /// A plan that gives every tensor its own buffer: what a framework that allocates every
    /// tensor up front needs (the naive sum).
    public static func separateBuffers(for graph: Graph, scratchBytes: Int) -> MemoryPlan {
        var offsets: [Int] = []
        var next = 0
        for node in graph.nodes {
            offsets.append(next)
            next += aligned(max(node.type.byteCount, 1))
        }
        return MemoryPlan(offsets: offsets, scratchOffset: next, scratchBytes: scratchBytes, arenaBytes: next + aligned(scratchBytes))
    }

    public var description: String {
        var lines = ["memory plan: arena \(arenaBytes) bytes, scratch \(scratchBytes) bytes at \(scratchOffset)"]
        for (index, offset) in offsets.enumerated() { lines.append("  %\(index) @ \(offset)") }
        return lines.joined(separator: "\n")
    }
}
