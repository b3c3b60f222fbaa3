import KilnIR

/// What a gradient rule works with: the forward node, the gradient of its output, and a builder
/// to append the backward nodes with.
///
/// A rule returns one entry per input of the node: the gradient of that input (a node of the
/// input's type), or nil when the input gets none (an index tensor, a mask).
public struct GradientContext {
    /// The forward node whose input gradients are wanted. Its output (`node.id`) and its inputs
    /// (`node.inputs`) may be read by backward nodes.
    public let node: Node
    /// The gradient of the node's output (same type as the output).
    public let outputGradient: NodeID
    /// The graph being extended with backward nodes.
    public var builder: GraphBuilder

    /// Creates a gradient context.
    public init(node: Node, outputGradient: NodeID, builder: GraphBuilder) {
        self.node = node
        self.outputGradient = outputGradient
        self.builder = builder
    }

    /// The forward node's input `index`.
    public func input(_ index: Int) -> NodeID { node.inputs[index] }

    /// The type of node `id`.
    public func type(of id: NodeID) -> TensorType { builder.graph[id].type }

    /// Appends a backward node, named after the forward node (`fc1.matmul.grad.mul`).
    public mutating func add(_ op: String, _ inputs: [NodeID], attributes: Attributes = [:]) throws(KilnError) -> NodeID {
        try builder.add(op, inputs, attributes: attributes, name: "\(node.name).grad.\(op)", provenance: node.provenance)
    }

    /// A float32 scalar constant.
    public mutating func scalar(_ value: Double) -> NodeID {
        builder.leaf(
            Node.constantOp, type: TensorType(.float32, []), name: "\(node.name).grad.const",
            attributes: ["value": .floats([value])], provenance: node.provenance)
    }

    /// Sums `gradient` (of a broadcast shape) down to `shape`: over the leading axes `shape` lacks
    /// and over the axes where `shape` has extent 1. The gradient of every broadcasting operand.
    public mutating func unbroadcast(_ gradient: NodeID, to shape: Shape) throws(KilnError) -> NodeID {
        let source = type(of: gradient).shape
        if source == shape { return gradient }
        let offset = source.rank - shape.rank
        var axes: [Int] = Array(0..<offset)
        for axis in 0..<shape.rank where shape[axis] == 1 && source[axis + offset] != 1 {
            axes.append(axis + offset)
        }
        var result = gradient
        if !axes.isEmpty {
            result = try add("sum", [result], attributes: ["axes": .ints(axes), "keepdims": .bool(true)])
        }
        if type(of: result).shape != shape {
            result = try add("reshape", [result], attributes: ["shape": .ints(shape.dimensions)])
        }
        return result
    }

    /// The error for an operator or input that has no gradient.
    public func notDifferentiable(_ reason: String) -> KilnError {
        .invalidArgument(
            "\(NodeContext(op: node.op, name: node.name, provenance: node.provenance)): not differentiable: \(reason)")
    }
}
