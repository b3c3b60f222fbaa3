import KilnAnalysis
import KilnIR
import KilnOps

/// Small graphs for cost tests: one operator over given inputs, whose result is the output.
enum GraphFixtures {
    /// A graph of one `op` node over inputs (and parameters, named `w...`) of the given shapes.
    static func single(
        _ op: String, inputs: [Shape], parameters: [Shape] = [], attributes: Attributes = [:], layer: String = "layer"
    ) throws -> Graph {
        var builder = GraphBuilder(name: op)
        var operands = inputs.enumerated().map { index, shape in
            builder.leaf(Node.inputOp, type: TensorType(.float32, shape), name: "x\(index)")
        }
        operands += parameters.enumerated().map { index, shape in
            builder.leaf(Node.parameterOp, type: TensorType(.float32, shape), name: "w\(index)", provenance: Provenance(layer: layer))
        }
        let result = try builder.add(op, operands, attributes: attributes, provenance: Provenance(layer: layer))
        builder.graph.outputs = [GraphOutput(name: "y", node: result)]
        return builder.graph
    }

    /// The one kernel of a one-node graph.
    static func kernel(_ graph: Graph) throws -> KernelCost {
        try CostReport(graph: graph).kernels[0]
    }

    /// A machine with a 150 GFLOP/s peak and 20 GB/s: ridge point 7.5 FLOP/B.
    static let machine = MachineModel(peakGFLOPs: 150, bandwidthGBs: 20)
}
