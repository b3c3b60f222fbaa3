import KilnIR
import KilnOps

/// The static cost of a graph: every computed node by its operator's count, and every kernel by
/// what crosses its boundary (see `KernelCost`). A value that prints, one line per kernel.
///
/// Convention, as in `OperatorCost`: one multiply-accumulate is one MAC and two FLOPs; FLOPs
/// count every floating-point operation (so `flops >= 2 * macs`); bytes are float32 tensors moved.
public struct CostReport: Sendable, Hashable, CustomStringConvertible {
    /// The graph's name.
    public var graphName: String
    /// Every computed node, in graph order.
    public var nodes: [NodeCost]
    /// Every kernel, in execution order.
    public var kernels: [KernelCost]
    /// Trainable parameter elements of the graph (optimizer state excluded).
    public var parameterCount: Int
    /// Trainable parameter elements by the layer that created them (provenance; "" for none).
    public var parametersByLayer: [String: Int]

    /// The sentence every report prints about units.
    public static let convention =
        "FLOPs = 2 x MACs (one multiply-accumulate is 2 FLOPs) + every other float operation; "
        + "bytes = tensors crossing a kernel's boundary, each counted once"

    /// Costs `graph` executed as `kernels` (by default one per node), splitting phases by `phases`.
    /// A node that several kernels recompute costs its FLOPs in each; a node in no kernel is not
    /// costed. Throws when the graph does not verify or a kernel names a node it cannot compute.
    public init(
        graph: Graph, kernels groups: [KernelGroup]? = nil, phases: GraphPhases = .inference
    ) throws(KilnError) {
        try OperatorRegistry.verify(graph)
        let groups = groups ?? KernelGroup.perNode(graph)
        let consumers = graph.consumers()
        var escaping = Set(graph.outputs.map(\.node))
        for update in graph.updates { escaping.insert(update.value) }

        var kernelsOfNode: [NodeID: Set<Int>] = [:]
        for (index, group) in groups.enumerated() {
            guard !group.nodes.isEmpty else { throw .invalidArgument("kernel '\(group.name)' computes no node") }
            for id in group.nodes {
                guard graph.nodes.indices.contains(id.index), !graph[id].isLeaf else {
                    throw .invalidArgument("kernel '\(group.name)' lists \(id), which is not a computed node of graph '\(graph.name)'")
                }
                kernelsOfNode[id, default: []].insert(index)
            }
        }

        graphName = graph.name
        let layers = CostReport.attributedLayers(graph, phases: phases)
        nodes = graph.nodes.compactMap { node -> NodeCost? in
            guard let kernel = kernelsOfNode[node.id]?.min(), let definition = OperatorRegistry.operator(node.op) else { return nil }
            return NodeCost(
                node: node.id, name: node.name, op: node.op, layer: layers[node.id.index],
                location: node.provenance.location, phase: phases.phase(of: node.id), output: node.type,
                kernel: kernel, cost: definition.cost(OperatorRegistry.signature(of: node, in: graph)))
        }
        let costOfNode = Dictionary(uniqueKeysWithValues: nodes.map { ($0.node, $0) })
        kernels = groups.enumerated().map { index, group in
            CostReport.kernelCost(
                index: index, group: group, graph: graph, costs: group.nodes.map { costOfNode[$0]! },
                consumers: consumers, kernelsOfNode: kernelsOfNode, escaping: escaping,
                phase: phases.phase(of: group.nodes.first!))
        }
        let trainable = graph.parameters.filter(\.isTrainable)
        parameterCount = trainable.reduce(0) { $0 + $1.type.shape.elementCount }
        parametersByLayer = Dictionary(trainable.map { ($0.provenance.layer, $0.type.shape.elementCount) }, uniquingKeysWith: +)
    }

    /// Each node's layer: its provenance, or for an update node without one (optimizer code is
    /// not written inside a layer) the layer of the one parameter whose new value it helps compute.
    static func attributedLayers(_ graph: Graph, phases: GraphPhases) -> [String] {
        var layers = graph.nodes.map(\.provenance.layer)
        var reaching: [Int: Set<String>] = [:]
        for update in graph.updates where !graph[update.target].provenance.layer.isEmpty {
            let layer = graph[update.target].provenance.layer
            var stack = [update.value]
            var visited = Set<NodeID>()
            while let id = stack.popLast() {
                guard visited.insert(id).inserted, layers[id.index].isEmpty, !graph[id].isLeaf,
                      phases.phase(of: id) == .update else { continue }
                reaching[id.index, default: []].insert(layer)
                stack.append(contentsOf: graph[id].inputs)
            }
        }
        for (index, candidates) in reaching where candidates.count == 1 { layers[index] = candidates.first! }
        return layers
    }

    private static func kernelCost(
        index: Int, group: KernelGroup, graph: Graph, costs: [NodeCost], consumers: [[NodeID]],
        kernelsOfNode: [NodeID: Set<Int>], escaping: Set<NodeID>, phase: ExecutionPhase
    ) -> KernelCost {
        let members = Set(group.nodes)
        var inputs: [NodeID] = []
        for id in group.nodes {
            for input in graph[id].inputs where !members.contains(input) && !inputs.contains(input) {
                inputs.append(input)
            }
        }
        // A consumer outside the kernel needs the tensor in memory unless its own kernel recomputes it.
        let written = group.nodes.filter { id in
            id == group.nodes.last || escaping.contains(id) || consumers[id.index].contains { consumer in
                !members.contains(consumer) && !(kernelsOfNode[consumer]?.contains { kernelsOfNode[id]?.contains($0) == true } ?? false)
            }
        }
        let anchor = costs.filter { !$0.layer.isEmpty }.max { $0.cost.flops < $1.cost.flops }
        return KernelCost(
            index: index, name: group.name, algorithm: group.algorithm, nodes: group.nodes, nodeNames: costs.map(\.name), ops: costs.map(\.op),
            layer: anchor?.layer ?? "", location: anchor?.location ?? "", phase: phase,
            output: graph[group.nodes.last!].type,
            parameters: inputs.map { graph[$0] }.filter { $0.op == Node.parameterOp && $0.isTrainable }
                .reduce(0) { $0 + $1.type.shape.elementCount },
            macs: costs.reduce(0) { $0 + $1.cost.macs },
            flops: costs.reduce(0) { $0 + $1.cost.flops },
            bytesRead: inputs.reduce(0) { $0 + graph[$1].type.byteCount },
            bytesWritten: written.reduce(0) { $0 + graph[$1].type.byteCount })
    }

    /// Sums over the kernels of `phase` (all kernels when nil).
    public func totals(_ phase: ExecutionPhase? = nil) -> CostTotals {
        let selected = kernels.filter { phase == nil || $0.phase == phase }
        return CostTotals(
            kernels: selected.count, macs: selected.reduce(0) { $0 + $1.macs },
            flops: selected.reduce(0) { $0 + $1.flops }, bytesRead: selected.reduce(0) { $0 + $1.bytesRead },
            bytesWritten: selected.reduce(0) { $0 + $1.bytesWritten })
    }

    /// The phases that have kernels, in order.
    public var phases: [ExecutionPhase] { ExecutionPhase.allCases.filter { phase in kernels.contains { $0.phase == phase } } }

    /// One line per kernel: name, phase, layer, result type, MACs, FLOPs, bytes, intensity.
    public var description: String {
        var lines = ["cost of '\(graphName)': \(CostReport.convention)"]
        for kernel in kernels {
            let layer = kernel.layer.isEmpty ? "-" : kernel.layer
            lines.append(
                "\(kernel.name) \(kernel.phase.rawValue) \(layer) \(kernel.output): \(kernel.macs) MACs, \(kernel.flops) FLOPs, "
                    + "\(kernel.bytesRead) + \(kernel.bytesWritten) bytes, intensity \(Quantity.fixed(kernel.intensity, digits: 3)) FLOP/B")
        }
        return lines.joined(separator: "\n")
    }
}

/// Sums over a set of kernels.
public struct CostTotals: Sendable, Hashable {
    /// How many kernels.
    public var kernels: Int
    /// Multiply-accumulates.
    public var macs: Int
    /// Floating-point operations.
    public var flops: Int
    /// Bytes read.
    public var bytesRead: Int
    /// Bytes written.
    public var bytesWritten: Int

    /// Bytes moved.
    public var bytes: Int { bytesRead + bytesWritten }

    /// FLOPs per byte moved (0 when nothing moves).
    public var intensity: Double { bytes == 0 ? 0 : Double(flops) / Double(bytes) }
}

extension Node {
    /// Whether a parameter is trained (optimizer state is marked `trainable = false`).
    var isTrainable: Bool { attributes.bool("trainable", default: true) }
}
