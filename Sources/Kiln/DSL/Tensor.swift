import KilnIR

/// A symbolic tensor: one node of the graph a model is being built into.
///
/// Operations on tensors append nodes; nothing is computed until the model is compiled and run.
/// Shape errors do not throw here: the first one is recorded with the user's file and line and
/// `Model.compile()` throws it.
///
/// ```swift
/// let y = relu(x.matmul(w) + b)
/// ```
public struct Tensor {
    /// The graph this tensor belongs to.
    public let context: GraphContext
    /// The node producing this tensor.
    public let id: NodeID

    /// The tensor's element type and shape.
    public var type: TensorType { context.graph[id].type }
    /// The tensor's shape.
    public var shape: Shape { type.shape }
    /// The tensor's rank.
    public var rank: Int { shape.rank }
    /// The node's name in the graph.
    public var name: String { context.graph[id].name }

    /// Appends operator `op` with this tensor as the first input.
    func apply(
        _ op: String, _ others: [Tensor] = [], attributes: Attributes = [:], file: String? = nil, line: Int? = nil
    ) -> Tensor {
        context.apply(op, [self] + others, attributes: attributes, file: file, line: line)
    }

    /// A float32 scalar constant in this tensor's graph.
    func scalar(_ value: Double) -> Tensor { context.constant(value, file: nil, line: nil) }
}
