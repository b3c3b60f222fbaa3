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

/// An in-place state update: after a run, `target` (a parameter or optimizer-state leaf) takes the
/// value of `value`. Training steps update weights and optimizer state this way.
public struct GraphUpdate: Sendable, Hashable {
    /// The persistent leaf that is overwritten.
    public var target: NodeID
    /// The node whose value it takes.
    public var value: NodeID

    /// Creates an update.
    public init(target: NodeID, value: NodeID) {
        self.target = target
        self.value = value
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
    /// State updates applied after every run, in order.
    public var updates: [GraphUpdate]

    /// Creates a graph.
    public init(name: String, nodes: [Node] = [], outputs: [GraphOutput] = [], updates: [GraphUpdate] = []) {
        self.name = name
        self.nodes = nodes
        self.outputs = outputs
        self.updates = updates
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

extension Graph {
    /// The graph without the nodes that no output and no update needs, renumbered in order.
    public func pruned() -> Graph {
        var live = [Bool](repeating: false, count: nodes.count)
        var stack = outputs.map(\.node) + updates.flatMap { [$0.target, $0.value] }
        while let id = stack.popLast() {
            guard !live[id.index] else { continue }
            live[id.index] = true
            stack.append(contentsOf: nodes[id.index].inputs)
        }
        var mapping = [NodeID?](repeating: nil, count: nodes.count)
        var result = Graph(name: name)
        for node in nodes where live[node.id.index] {
            var copy = node
            copy.id = NodeID(result.nodes.count)
            copy.inputs = node.inputs.map { mapping[$0.index]! }
            mapping[node.id.index] = copy.id
            result.nodes.append(copy)
        }
        result.outputs = outputs.map { GraphOutput(name: $0.name, node: mapping[$0.node.index]!) }
        result.updates = updates.map { GraphUpdate(target: mapping[$0.target.index]!, value: mapping[$0.value.index]!) }
        return result
    }
}
