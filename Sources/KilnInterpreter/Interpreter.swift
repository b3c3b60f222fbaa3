import KilnIR
import KilnOps

/// The float64 reference interpreter: the living definition every backend is tested against.
///
/// It walks the nodes in order and applies each operator's `evaluate`. It is deliberately simple:
/// no fusion, no memory reuse, no cleverness.
public enum Interpreter {
    /// Evaluates every node and returns all values, indexed by node.
    ///
    /// - Parameters:
    ///   - inputs: a value for every graph input, by name.
    ///   - parameters: a value for every parameter, by name.
    public static func evaluateAll(
        _ graph: Graph, inputs: [String: ReferenceTensor], parameters: [String: ReferenceTensor]
    ) throws(KilnError) -> [ReferenceTensor] {
        try checkFootprint(graph)
        var values: [ReferenceTensor] = []
        values.reserveCapacity(graph.nodes.count)
        for node in graph.nodes {
            switch node.op {
            case Node.inputOp:
                values.append(try leafValue(node, inputs[node.name], kind: "input"))
            case Node.parameterOp:
                values.append(try leafValue(node, parameters[node.name], kind: "parameter"))
            case Node.constantOp:
                values.append(ReferenceTensor(node.type, graph.constantValues(node)))
            default:
                values.append(try evaluate(node, in: graph, operands: node.inputs.map { values[$0.index] }))
            }
        }
        return values
    }

    /// The bytes the interpreter holds to evaluate `graph`: every node's value in float64 (nil
    /// beyond `Int.max`).
    public static func footprintBytes(_ graph: Graph) -> Int? {
        var total = 0
        for node in graph.nodes {
            guard let count = node.type.shape.checkedElementCount else { return nil }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: 8)
            let (sum, overflowed) = total.addingReportingOverflow(bytes)
            guard !overflow, !overflowed else { return nil }
            total = sum
        }
        return total
    }

    /// Throws when evaluating `graph` would hold more than `TensorSizeLimit.maximumBytes` (the
    /// interpreter keeps every node's value in float64, 2 to 8 times the compiled code's bytes),
    /// before anything is allocated.
    public static func checkFootprint(_ graph: Graph) throws(KilnError) {
        let limit = TensorSizeLimit.maximumBytes
        let bytes = footprintBytes(graph)
        if let bytes, bytes <= limit { return }
        let needed = bytes.map { TensorSizeLimit.describe(bytes: $0) } ?? "more than \(Int.max) bytes"
        throw .invalidArgument(
            "the float64 reference interpreter would hold \(needed) for graph '\(graph.name)' (every node's value in float64), "
                + "over Kiln's limit of \(TensorSizeLimit.describe(bytes: limit)); run it on smaller inputs, "
                + "or set \(TensorSizeLimit.environmentVariable) to change the limit")
    }

    /// Evaluates the computed node `node` of `graph` on the values of its inputs.
    public static func evaluate(_ node: Node, in graph: Graph, operands: [ReferenceTensor]) throws(KilnError) -> ReferenceTensor {
        guard let definition = OperatorRegistry.operator(node.op) else {
            throw .unsupportedOperator(NodeContext(op: node.op, name: node.name, provenance: node.provenance))
        }
        return definition.evaluate(operands, OperatorRegistry.signature(of: node, in: graph))
    }

    /// Evaluates the graph and returns its outputs by name.
    public static func run(
        _ graph: Graph, inputs: [String: ReferenceTensor], parameters: [String: ReferenceTensor]
    ) throws(KilnError) -> [String: ReferenceTensor] {
        let values = try evaluateAll(graph, inputs: inputs, parameters: parameters)
        return Dictionary(uniqueKeysWithValues: graph.outputs.map { ($0.name, values[$0.node.index]) })
    }

    private static func leafValue(_ node: Node, _ value: ReferenceTensor?, kind: String) throws(KilnError) -> ReferenceTensor {
        guard let value else { throw .invalidArgument("no value given for \(kind) '\(node.name)' of type \(node.type)") }
        guard value.shape == node.type.shape else {
            throw .invalidArgument("\(kind) '\(node.name)' expects shape \(node.type.shape), got \(value.shape)")
        }
        return ReferenceTensor(node.type, value.values)
    }
}
