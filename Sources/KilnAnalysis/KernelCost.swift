import KilnIR
import KilnOps

/// One kernel to cost: its name and the nodes it computes, in order.
///
/// The code generator's kernels map one to one onto groups (`KernelInfo.function`, `.nodes`); a
/// fused kernel is a group of several nodes.
public struct KernelGroup: Sendable, Hashable {
    /// The kernel's name (`k003_matmul`).
    public var name: String
    /// The nodes it computes, in order; the last one's output is the kernel's result.
    public var nodes: [NodeID]
    /// The algorithm of its GEMM-shaped node in the kernel plan (`depthwise-direct`), or empty.
    public var algorithm: String

    /// Creates a group.
    public init(name: String, nodes: [NodeID], algorithm: String = "") {
        self.name = name
        self.nodes = nodes
        self.algorithm = algorithm
    }

    /// One group per computed node, named like the code generator names unfused kernels.
    public static func perNode(_ graph: Graph) -> [KernelGroup] {
        graph.nodes.filter { !$0.isLeaf }.enumerated().map { index, node in
            let number = String(index)
            let padded = String(repeating: "0", count: max(0, 3 - number.count)) + number
            return KernelGroup(name: "k\(padded)_\(node.op)", nodes: [node.id])
        }
    }
}

/// The cost of one node as its operator states it (`Operator.cost`), with where it came from.
public struct NodeCost: Sendable, Hashable {
    /// The node.
    public var node: NodeID
    /// The node's name.
    public var name: String
    /// The operator's mnemonic.
    public var op: String
    /// The user's layer (provenance; an optimizer node takes the layer whose parameter it
    /// updates), or empty.
    public var layer: String
    /// The user's `file:line` (provenance), or empty.
    public var location: String
    /// Forward, backward or update.
    public var phase: ExecutionPhase
    /// The node's output type.
    public var output: TensorType
    /// The (first) kernel that computes the node (its index in `CostReport.kernels`).
    public var kernel: Int
    /// MACs, FLOPs and bytes by the operator's own count.
    public var cost: OperatorCost
}

/// The cost of one kernel: the sum of its nodes' arithmetic, and the bytes of the tensors that
/// cross its boundary.
///
/// Bytes: every tensor the kernel reads from outside is counted once (however many of its nodes
/// read it, and however often); every tensor it produces is written once if anything outside the
/// kernel needs it (another kernel that does not recompute it, a graph output, a state update) or
/// if it is the kernel's result; tensors that live and die inside the kernel cost nothing. Scratch buffers (im2col)
/// are not counted. For a one-node kernel this is the operator's count, except that an input the
/// node reads twice (`mul(x, x)`) counts once.
public struct KernelCost: Sendable, Hashable {
    /// Position in execution order.
    public var index: Int
    /// The kernel's name.
    public var name: String
    /// The algorithm of its GEMM-shaped node (`im2col+gemm`), or empty.
    public var algorithm: String
    /// The nodes it computes.
    public var nodes: [NodeID]
    /// Their names, in order.
    public var nodeNames: [String]
    /// Their operators, in order.
    public var ops: [String]
    /// The user's layer it is attributed to: that of its node with the most FLOPs that has one.
    public var layer: String
    /// The `file:line` of that node, or empty.
    public var location: String
    /// The phase of the kernel's last node.
    public var phase: ExecutionPhase
    /// The type of the kernel's result (its last node's output).
    public var output: TensorType
    /// Trainable parameter elements the kernel reads.
    public var parameters: Int
    /// Multiply-accumulates.
    public var macs: Int
    /// Floating-point operations (2 per MAC plus every other float operation).
    public var flops: Int
    /// Bytes read across the boundary.
    public var bytesRead: Int
    /// Bytes written across the boundary.
    public var bytesWritten: Int

    /// Bytes moved.
    public var bytes: Int { bytesRead + bytesWritten }

    /// Arithmetic intensity in FLOPs per byte (0 for a kernel that moves nothing).
    public var intensity: Double { bytes == 0 ? 0 : Double(flops) / Double(bytes) }
}
