import KilnIR

/// The part of a step a node belongs to.
public enum ExecutionPhase: String, Sendable, Hashable, Codable, CaseIterable {
    /// The model's computation (and the loss).
    case forward
    /// The gradients autodiff appended.
    case backward
    /// Gradient clipping and the optimizer's in-place update.
    case update

    /// forward < backward < update.
    var order: Int {
        switch self {
        case .forward: 0
        case .backward: 1
        case .update: 2
        }
    }
}

/// Where the phases of a graph begin. Autodiff and the trainer append backward nodes after the
/// forward ones and update nodes after those, so two node indices split a training step.
public struct GraphPhases: Sendable, Hashable {
    /// The phase of each node, when given node by node (an optimized graph); otherwise the two
    /// boundaries below decide.
    public var perNode: [ExecutionPhase]?
    /// The index of the first backward node.
    public var backwardStart: Int
    /// The index of the first update node.
    public var updateStart: Int

    /// Creates the split; `updateStart` below `backwardStart` is raised to it.
    public init(backwardStart: Int, updateStart: Int) {
        self.backwardStart = backwardStart
        self.updateStart = max(backwardStart, updateStart)
    }

    /// An inference graph: every node is forward.
    public static let inference = GraphPhases(backwardStart: .max, updateStart: .max)

    /// The phase of `node`.
    public func phase(of node: NodeID) -> ExecutionPhase {
        if let perNode, node.index < perNode.count { return perNode[node.index] }
        if node.index < backwardStart { return .forward }
        return node.index < updateStart ? .backward : .update
    }

    /// The phases of `target`, a rewrite of `source` (optimization keeps node names): a node keeps
    /// the phase its name had in `source`; a new node takes the latest phase among its inputs.
    public func carried(from source: Graph, to target: Graph) -> GraphPhases {
        var byName: [String: ExecutionPhase] = [:]
        for node in source.nodes { byName[node.name] = phase(of: node.id) }
        var result: [ExecutionPhase] = []
        for node in target.nodes {
            let inherited = node.inputs.map { result[$0.index] }.max { $0.order < $1.order } ?? .forward
            result.append(byName[node.name] ?? inherited)
        }
        var carried = self
        carried.perNode = result
        return carried
    }
}
