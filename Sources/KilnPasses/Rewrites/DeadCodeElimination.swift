// Dead-code elimination.
//
// Rewrites: removes every computed node and constant that no output and no update needs,
// directly or through other nodes, and renumbers the rest in order.
// Expects: a structurally valid graph (`Graph.verify`).
// Leaves for later: nothing; it is the pass that cleans up after the others.
// Keeps: every graph input and parameter (they are the executable's interface: a trainer loads
// every parameter by name even when an inference graph ignores some), outputs and updates
// (both their targets and their values), relative node order, names and provenance.

import KilnIR

extension Pass {
    /// Removes computed nodes and constants that no output and no update needs.
    public static let deadCodeElimination = Pass(
        id: "dead-code-elimination", summary: "remove nodes no output and no update needs"
    ) { graph, _ throws(KilnError) in
        var live = [Bool](repeating: false, count: graph.nodes.count)
        var stack = graph.outputs.map(\.node) + graph.updates.flatMap { [$0.target, $0.value] }
        while let id = stack.popLast() {
            guard !live[id.index] else { continue }
            live[id.index] = true
            stack.append(contentsOf: graph[id].inputs)
        }
        var mapping = [NodeID?](repeating: nil, count: graph.nodes.count)
        var nodes: [Node] = []
        for var node in graph.nodes where live[node.id.index] || node.op == Node.inputOp || node.op == Node.parameterOp {
            mapping[node.id.index] = NodeID(nodes.count)
            node.id = NodeID(nodes.count)
            node.inputs = node.inputs.compactMap { mapping[$0.index] }
            nodes.append(node)
        }
        guard nodes.count < graph.nodes.count else { return }
        graph.nodes = nodes
        // Outputs, update targets and update values are live, so each has a new identifier.
        graph.outputs = graph.outputs.map { GraphOutput(name: $0.name, node: mapping[$0.node.index] ?? $0.node) }
        graph.updates = graph.updates.map {
            GraphUpdate(target: mapping[$0.target.index] ?? $0.target, value: mapping[$0.value.index] ?? $0.value)
        }
    }
}
