import KilnIR
import KilnOps

/// What `kiln show` prints: one row per node (name, operator, output type, parameters, MACs) and totals.
public struct ModelSummary {
    /// The graph summarized.
    public let graph: Graph

    /// Creates a summary of `graph`.
    public init(graph: Graph) { self.graph = graph }

    /// Total number of trainable parameter elements (running statistics and other state excluded).
    public var parameterCount: Int {
        graph.parameters.filter { $0.attributes.bool("trainable", default: true) }.reduce(0) { $0 + $1.type.shape.elementCount }
    }

    /// Total multiply-accumulates of one forward run.
    public var macs: Int { costs.reduce(0) { $0 + $1.macs } }

    /// Total FLOPs of one forward run (2 per MAC, plus every other float operation).
    public var flops: Int { costs.reduce(0) { $0 + $1.flops } }

    private var costs: [OperatorCost] {
        graph.nodes.filter { !$0.isLeaf }.compactMap { node in
            OperatorRegistry.operator(node.op)?.cost(OperatorRegistry.signature(of: node, in: graph))
        }
    }

    /// The aligned table with totals.
    public func table() -> String {
        var table = TextTable(header: ["node", "name", "op", "output", "params", "MACs"])
        for node in graph.nodes {
            let parameters = node.op == Node.parameterOp ? groupedDigits(node.type.shape.elementCount) : ""
            var macs = ""
            if !node.isLeaf, let definition = OperatorRegistry.operator(node.op) {
                let cost = definition.cost(OperatorRegistry.signature(of: node, in: graph))
                macs = cost.macs > 0 ? groupedDigits(cost.macs) : ""
            }
            table.append([node.id.description, node.name, node.op, node.type.description, parameters, macs])
        }
        return table.render() + "\n\n"
            + "model '\(graph.name)': \(graph.nodes.count) nodes, \(groupedDigits(parameterCount)) parameters, "
            + "\(groupedDigits(macs)) MACs, \(groupedDigits(flops)) FLOPs per run (FLOPs = 2 x MACs + other float operations)"
    }
}
