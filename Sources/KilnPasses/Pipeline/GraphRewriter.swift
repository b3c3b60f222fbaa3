import KilnIR
import KilnOps

/// Rebuilds a graph node by node, the way every rewriting pass works: each source node is either
/// copied (with its inputs renamed to their new identifiers), replaced by an existing new node,
/// or replaced by new nodes appended at its position. Topological order holds by construction,
/// new nodes get names unused by any source node, and outputs and updates follow their nodes.
struct GraphRewriter {
    /// The graph being rewritten.
    let source: Graph
    /// The new graph so far.
    var builder: GraphBuilder
    /// For each source node visited so far, the new node holding its value.
    private(set) var mapping: [NodeID?]

    init(_ source: Graph) {
        self.source = source
        builder = GraphBuilder(name: source.name, reserving: Set(source.nodes.map(\.name)))
        mapping = Array(repeating: nil, count: source.nodes.count)
    }

    /// The new graph so far.
    var graph: Graph { builder.graph }

    /// The new node holding the value of source node `id` (already visited).
    func mapped(_ id: NodeID) -> NodeID {
        guard let target = mapping[id.index] else { preconditionFailure("source node \(id) not visited yet") }
        return target
    }

    /// The new nodes holding the inputs of source node `node`.
    func mappedInputs(_ node: Node) -> [NodeID] { node.inputs.map(mapped) }

    /// Appends a copy of `node` (name, attributes, type and provenance kept) reading `inputs`.
    mutating func copy(_ node: Node, inputs: [NodeID]? = nil) -> NodeID {
        builder.graph.append(
            op: node.op, inputs: inputs ?? mappedInputs(node), attributes: node.attributes, type: node.type,
            name: node.name, provenance: node.provenance)
    }

    /// Appends the node standing for source node `node`, which is not copied: another operation
    /// with the same type, name and provenance (the caller guarantees the type).
    mutating func replace(_ node: Node, op: String, inputs: [NodeID], attributes: Attributes) -> NodeID {
        builder.graph.append(
            op: op, inputs: inputs, attributes: attributes, type: node.type, name: node.name, provenance: node.provenance)
    }

    /// Appends a node of operator `op` (its type inferred), named after `base` with the provenance
    /// of `origin`, the source node it stands for.
    mutating func add(
        _ op: String, _ inputs: [NodeID], attributes: Attributes = [:], name base: String, origin: Node
    ) throws(KilnError) -> NodeID {
        try builder.add(op, inputs, attributes: attributes, name: base, provenance: origin.provenance)
    }

    /// Appends a float32 constant named after `base` holding `values` (one value fills `shape`).
    mutating func constant(_ values: [Double], shape: Shape, name base: String, origin: Node) -> NodeID {
        builder.leaf(
            Node.constantOp, type: TensorType(.float32, shape), name: base, attributes: ["value": .floats(values)],
            provenance: origin.provenance)
    }

    /// Rewrites `graph`: `body` sees each source node in order and returns the new node standing
    /// for it, or nil to have it copied.
    static func rewrite(
        _ graph: inout Graph, _ body: (inout GraphRewriter, Node) throws(KilnError) -> NodeID?
    ) throws(KilnError) {
        var rewriter = GraphRewriter(graph)
        for node in graph.nodes {
            let replacement = try body(&rewriter, node)
            rewriter.mapping[node.id.index] = replacement ?? rewriter.copy(node)
        }
        graph = rewriter.finish()
    }

    /// The new graph with the outputs and updates of the source graph.
    func finish() -> Graph {
        var result = builder.graph
        result.outputs = source.outputs.map { GraphOutput(name: $0.name, node: mapped($0.node)) }
        result.updates = source.updates.map { GraphUpdate(target: mapped($0.target), value: mapped($0.value)) }
        return result
    }
}

extension Graph {
    /// The values of `id` when it is a constant node, else nil.
    func constantValuesIfConstant(_ id: NodeID) -> [Double]? {
        let node = self[id]
        return node.op == Node.constantOp ? constantValues(node) : nil
    }

    /// Whether `id` is a constant whose every element equals `value`.
    func isConstant(_ id: NodeID, equalTo value: Double) -> Bool {
        guard self[id].op == Node.constantOp, let values = self[id].attributes.floats("value") else { return false }
        return values.allSatisfy { $0 == value }
    }
}
