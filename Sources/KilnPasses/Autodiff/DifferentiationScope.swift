import KilnIR

/// Which nodes a reverse-mode sweep must visit: those on some path from a target to the loss.
///
/// A node outside the scope either does not influence the loss or does not depend on any target,
/// so its gradient is never needed.
struct DifferentiationScope {
    /// `reachesLoss[i]`: node `i` is the loss or an input (transitively) of it.
    let reachesLoss: [Bool]
    /// `dependsOnTarget[i]`: node `i` is a target or reads one (transitively).
    let dependsOnTarget: [Bool]

    /// The scope of differentiating `loss` with respect to `targets` in `graph`.
    init(graph: Graph, loss: NodeID, targets: [NodeID]) {
        var reaches = [Bool](repeating: false, count: graph.nodes.count)
        reaches[loss.index] = true
        for index in stride(from: loss.index, through: 0, by: -1) where reaches[index] {
            for input in graph.nodes[index].inputs { reaches[input.index] = true }
        }
        reachesLoss = reaches
        dependsOnTarget = DifferentiationScope.dependents(of: targets, in: graph, upTo: loss)
    }

    /// Whether node `id` lies on a path from a target to the loss.
    func contains(_ id: NodeID) -> Bool { reachesLoss[id.index] && dependsOnTarget[id.index] }

    /// For each node, whether it is one of `sources` or reads one (transitively), up to node `last`.
    static func dependents(of sources: [NodeID], in graph: Graph, upTo last: NodeID) -> [Bool] {
        var result = [Bool](repeating: false, count: graph.nodes.count)
        for source in sources { result[source.index] = true }
        for index in 0...last.index where !result[index] {
            result[index] = graph.nodes[index].inputs.contains { result[$0.index] }
        }
        return result
    }
}
