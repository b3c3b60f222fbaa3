import KilnIR

/// Appends nodes to a graph, inferring each node's type with its operator's shape rule.
///
/// The DSL, autodiff and the passes build graphs through it, so every node's type is right by
/// construction.
public struct GraphBuilder: Sendable {
    /// The graph built so far.
    public var graph: Graph
    /// Provenance given to nodes appended without one.
    public var provenance = Provenance()
    private var nameCounts: [String: Int] = [:]
    private var usedNames: Set<String>

    /// Creates a builder that appends to `graph`.
    public init(graph: Graph) {
        self.graph = graph
        self.usedNames = Set(graph.nodes.map(\.name))
    }

    /// Creates a builder for an empty graph named `name`.
    public init(name: String) { self.init(graph: Graph(name: name)) }

    /// Creates a builder for an empty graph named `name` that never gives a new node one of
    /// `reservedNames` (passes rebuilding a graph reserve the names of the nodes they copy).
    public init(name: String, reserving reservedNames: Set<String>) {
        self.init(graph: Graph(name: name))
        usedNames = reservedNames
    }

    /// A name not yet used in the graph, derived from `base` (`relu`, `relu_1`, ...).
    public mutating func uniqueName(_ base: String) -> String {
        var candidate = base
        while usedNames.contains(candidate) {
            let count = (nameCounts[base] ?? 0) + 1
            nameCounts[base] = count
            candidate = "\(base)_\(count)"
        }
        usedNames.insert(candidate)
        return candidate
    }

    /// Appends a leaf (`input`, `param` or `const`) of a given type.
    @discardableResult
    public mutating func leaf(
        _ op: String, type: TensorType, name: String, attributes: Attributes = [:], provenance: Provenance? = nil
    ) -> NodeID {
        graph.append(
            op: op, attributes: attributes, type: type, name: uniqueName(name),
            provenance: provenance ?? self.provenance)
    }

    /// Appends a node of operator `op`, inferring its type.
    /// Throws `KilnError.shape` naming the node when the inputs do not fit or an input or the
    /// output is over `TensorSizeLimit`, or `.unsupportedOperator` when the mnemonic is unknown.
    @discardableResult
    public mutating func add(
        _ op: String, _ inputs: [NodeID], attributes: Attributes = [:], name: String? = nil,
        provenance: Provenance? = nil
    ) throws(KilnError) -> NodeID {
        let provenance = provenance ?? self.provenance
        let nodeName = uniqueName(name ?? (provenance.layer.isEmpty ? op : "\(provenance.layer).\(op)"))
        let inputTypes = inputs.map { graph[$0].type }
        let context = NodeContext(op: op, name: nodeName, inputTypes: inputTypes, provenance: provenance)
        guard let definition = OperatorRegistry.operator(op) else { throw .unsupportedOperator(context) }
        let type: TensorType
        do throws(ShapeError) {
            for (index, input) in inputTypes.enumerated() {
                if let violation = TensorSizeLimit.violation(input) { throw ShapeError("input \(index): \(violation)") }
            }
            type = try definition.inferType(inputTypes, attributes)
            try TensorSizeLimit.check(type)
        } catch {
            throw .shape(context, error)
        }
        return graph.append(
            op: op, inputs: inputs, attributes: attributes, type: type, name: nodeName, provenance: provenance)
    }

    /// The type of node `id`.
    public func type(of id: NodeID) -> TensorType { graph[id].type }

    /// Appends a float32 scalar constant.
    public mutating func scalar(_ value: Double) -> NodeID {
        leaf(Node.constantOp, type: TensorType(.float32, []), name: "const", attributes: ["value": .floats([value])])
    }
}
