/// A named graph output.
public struct GraphOutput: Sendable, Hashable {
    /// The output's name, as `Executable.run` returns it.
    public var name: String
    /// The node producing it.
    public var node: NodeID

    /// Creates a graph output.
    public init(name: String, node: NodeID) {
        self.name = name
        self.node = node
    }
}

/// A static computation graph: single-output nodes in topological order, and named outputs.
///
/// A node's identifier is its index in `nodes`, and every input of a node precedes it;
/// `verify()` checks both.
public struct Graph: Sendable, Hashable {
    /// The graph's name (the model name).
    public var name: String
    /// The nodes in topological order; `nodes[i].id == NodeID(i)`.
    public var nodes: [Node]
    /// The named outputs.
    public var outputs: [GraphOutput]

    /// Creates a graph.
    public init(name: String, nodes: [Node] = [], outputs: [GraphOutput] = []) {
        self.name = name
        self.nodes = nodes
        self.outputs = outputs
    }

    /// The node with identifier `id`.
    public subscript(id: NodeID) -> Node {
        get { nodes[id.index] }
        set { nodes[id.index] = newValue }
    }

    /// The graph inputs in node order.
    public var inputs: [Node] { nodes.filter { $0.op == Node.inputOp } }

    /// The trainable parameters in node order.
    public var parameters: [Node] { nodes.filter { $0.op == Node.parameterOp } }

    /// The node named `name`, if any.
    public func node(named name: String) -> Node? { nodes.first { $0.name == name } }

    /// Appends a node and returns its identifier.
    @discardableResult
    public mutating func append(
        op: String, inputs: [NodeID] = [], attributes: Attributes = [:], type: TensorType,
        name: String, provenance: Provenance = Provenance()
    ) -> NodeID {
        let id = NodeID(nodes.count)
        nodes.append(Node(
            id: id, op: op, inputs: inputs, attributes: attributes, type: type, name: name,
            provenance: provenance))
        return id
    }

    /// For each node, the nodes that read it.
    public func consumers() -> [[NodeID]] {
        var result = [[NodeID]](repeating: [], count: nodes.count)
        for node in nodes {
            for input in node.inputs where !result[input.index].contains(node.id) {
                result[input.index].append(node.id)
            }
        }
        return result
    }
}
