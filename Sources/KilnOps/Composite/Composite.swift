import KilnIR

// Composites are operators written as graph functions: a `GraphBuilder` method that appends
// primitive nodes, one file per composite in this folder. They get shape rules, reference
// semantics, gradients, cost, fusion and C from their primitives; they check their own arguments
// first so that a mistake is reported in the composite's terms, not a primitive's.

extension GraphBuilder {
    /// The error a composite reports for inputs or arguments that do not fit it, naming the
    /// composite (as the operator), the current layer, the input types and the user's line.
    func compositeError(_ op: String, _ inputs: [NodeID], _ message: String) -> KilnError {
        let context = NodeContext(
            op: op, name: provenance.layer.isEmpty ? op : provenance.layer, inputTypes: inputs.map { type(of: $0) },
            provenance: provenance)
        return .shape(context, ShapeError(message))
    }

    /// (x − mean)/√(variance + eps) over `axes`, with the biased variance: each group of
    /// elements that shares the other axes is standardized on its own.
    mutating func standardize(_ x: NodeID, axes: [Int], eps: Double) throws(KilnError) -> NodeID {
        let keep: Attributes = ["axes": .ints(axes), "keepdims": .bool(true)]
        let mean = try add("mean", [x], attributes: keep)
        let centered = try add("sub", [x, mean])
        let variance = try add("mean", [try add("square", [centered])], attributes: keep)
        let inverseDeviation = try add("rsqrt", [try add("add", [variance, scalar(eps)])])
        return try add("mul", [centered, inverseDeviation])
    }

    /// `x·γ + β` with γ and β (each optional) of shape [C] applied along axis 1 of x.
    mutating func channelAffine(_ x: NodeID, gamma: NodeID?, beta: NodeID?) throws(KilnError) -> NodeID {
        let rank = type(of: x).shape.rank
        var result = x
        for (parameter, op) in [(gamma, "mul"), (beta, "add")] {
            guard let parameter else { continue }
            let channels = type(of: parameter).shape.elementCount
            let view = try add(
                "reshape", [parameter], attributes: ["shape": .ints([channels] + Array(repeating: 1, count: rank - 2))])
            result = try add(op, [result, view])
        }
        return result
    }

    /// Checks that γ and β (when given) are float32 vectors of x's channel count (axis 1).
    func checkChannelParameters(_ op: String, _ x: NodeID, gamma: NodeID?, beta: NodeID?) throws(KilnError) {
        let shape = type(of: x).shape
        for (index, role, parameter) in [(1, "gamma", gamma), (2, "beta", beta)] {
            guard let parameter else { continue }
            let parameterType = type(of: parameter)
            guard parameterType == TensorType(.float32, [shape[1]]) else {
                throw compositeError(
                    op, [x] + [gamma, beta].compactMap { $0 },
                    "input \(index) (\(role)) is \(parameterType); expected f32[\(shape[1])] "
                        + "(one value per channel of input 0, shape \(shape))")
            }
        }
    }
}
