/// One operation of a graph, producing one tensor.
///
/// Inputs, parameters and constants are nodes too (operators `input`, `param` and `const`).
public struct Node: Sendable, Hashable {
    /// The node's identifier: its position in the graph.
    public var id: NodeID
    /// The operator's mnemonic (`matmul`, `relu`, ...).
    public var op: String
    /// The nodes whose outputs this node reads, in operand order.
    public var inputs: [NodeID]
    /// Operator attributes (axes, strides, initializers, ...).
    public var attributes: Attributes
    /// The output's static type.
    public var type: TensorType
    /// A name unique within the graph (`fc1.weight`, `x`, `relu_3`).
    public var name: String
    /// Where the node came from in the user's code.
    public var provenance: Provenance

    /// Creates a node.
    public init(
        id: NodeID, op: String, inputs: [NodeID] = [], attributes: Attributes = [:],
        type: TensorType, name: String, provenance: Provenance = Provenance()
    ) {
        self.id = id
        self.op = op
        self.inputs = inputs
        self.attributes = attributes
        self.type = type
        self.name = name
        self.provenance = provenance
    }

    /// Whether the node is a graph input, a parameter or a constant: a leaf with no computation.
    public var isLeaf: Bool { op == Node.inputOp || op == Node.parameterOp || op == Node.constantOp }

    /// The mnemonic of graph inputs.
    public static let inputOp = "input"
    /// The mnemonic of trainable parameters.
    public static let parameterOp = "param"
    /// The mnemonic of constants (their values are the `value` attribute).
    public static let constantOp = "const"
}
