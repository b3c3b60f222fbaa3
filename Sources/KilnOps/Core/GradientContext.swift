import KilnIR

/// What a gradient rule works with: the forward node, the gradient of its output, and a builder
/// to append the backward nodes with.
public struct GradientContext {
    /// The forward node whose input gradients are wanted.
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

    /// The error for an operator or input that has no gradient.
    public func notDifferentiable(_ reason: String) -> KilnError {
        .invalidArgument(
            "\(NodeContext(op: node.op, name: node.name, provenance: node.provenance)): not differentiable: \(reason)")
    }
}
