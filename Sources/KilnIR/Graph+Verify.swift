extension Graph {
    /// Checks the structural invariants every pass keeps:
    /// node `i` has identifier `i`; every input precedes its reader; leaves (`input`, `param`,
    /// `const`) read nothing; names are unique and non-empty; no dimension is negative and no
    /// tensor is over `TensorSizeLimit`; outputs name existing nodes, uniquely.
    ///
    /// Operator-specific checks (types match the shape rules) are `OperatorRegistry.verify`.
    public func verify() throws(KilnError) {
        var names = Set<String>()
        for (index, node) in nodes.enumerated() {
            guard node.id.index == index else {
                throw .invalidGraph("node at position \(index) has identifier \(node.id)")
            }
            for input in node.inputs where input.index < 0 || input.index >= index {
                throw .invalidGraph("node \(node.id) '\(node.name)' reads \(input), which does not precede it")
            }
            if node.isLeaf, !node.inputs.isEmpty {
                throw .invalidGraph("\(node.op) node \(node.id) '\(node.name)' must have no inputs")
            }
            guard !node.name.isEmpty else { throw .invalidGraph("node \(node.id) (\(node.op)) has no name") }
            guard names.insert(node.name).inserted else {
                throw .invalidGraph("two nodes are named '\(node.name)' (the second is \(node.id))")
            }
            if node.type.shape.dimensions.contains(where: { $0 < 0 }) {
                throw .invalidGraph("node \(node.id) '\(node.name)' has a negative dimension in \(node.type)")
            }
            if let violation = TensorSizeLimit.violation(node.type) {
                throw .shape(NodeContext(op: node.op, name: node.name, provenance: node.provenance), ShapeError(violation))
            }
        }
        var outputNames = Set<String>()
        for output in outputs {
            guard output.node.index >= 0, output.node.index < nodes.count else {
                throw .invalidGraph("output '\(output.name)' refers to missing node \(output.node)")
            }
            guard outputNames.insert(output.name).inserted else {
                throw .invalidGraph("two outputs are named '\(output.name)'")
            }
        }
        if outputs.isEmpty { throw .invalidGraph("graph '\(name)' has no outputs") }
        var updated = Set<NodeID>()
        for update in updates {
            guard update.target.index >= 0, update.target.index < nodes.count,
                  update.value.index >= 0, update.value.index < nodes.count else {
                throw .invalidGraph("an update refers to a missing node (\(update.target) = \(update.value))")
            }
            let target = nodes[update.target.index], value = nodes[update.value.index]
            guard target.op == Node.parameterOp else {
                throw .invalidGraph("update target \(target.id) '\(target.name)' is an \(target.op) node; only param nodes are updated")
            }
            guard target.type == value.type else {
                throw .invalidGraph("update of '\(target.name)' (\(target.type)) takes '\(value.name)' of type \(value.type)")
            }
            guard updated.insert(update.target).inserted else {
                throw .invalidGraph("'\(target.name)' is updated twice")
            }
        }
    }
}
