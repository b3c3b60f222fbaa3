import Foundation
import KilnIR

extension ONNXConverters {
    /// Reductions Kiln builds from its own: `ReduceL1`, `ReduceL2`, `ReduceSumSquare`,
    /// `ReduceLogSumExp` (shifted by the maximum, so large inputs do not overflow), `ReduceProd`
    /// (the sign times exp of the sum of log |x|), `ArgMin` (argmax of −x, the first position on
    /// ties as ONNX says) and `TopK`.
    static let compositeReduction: [String: ONNXConverter] = [
        "ReduceL1": reduceComposite { x, attributes, context, node throws(KilnError) in
            try context.add("sum", [context.add("abs", [x], for: node)], attributes: attributes, for: node)
        },
        "ReduceL2": reduceComposite { x, attributes, context, node throws(KilnError) in
            let squares = try context.add("sum", [context.add("square", [x], for: node)], attributes: attributes, for: node)
            return try context.add("sqrt", [squares], for: node)
        },
        "ReduceSumSquare": reduceComposite { x, attributes, context, node throws(KilnError) in
            try context.add("sum", [context.add("square", [x], for: node)], attributes: attributes, for: node)
        },
        "ReduceLogSumExp": reduceComposite(logSumExp),
        "ReduceProd": reduceComposite(product),
        "ArgMin": argmin, "TopK": topK,
    ]

    /// A reduction over the axes of input 1 (opset 18) or the `axes` attribute, all axes when
    /// none are given (the input itself with `noop_with_empty_axes`), built by `body` from the
    /// input and the Kiln reduction attributes (`axes`, `keepdims`).
    static func reduceComposite(
        _ body: @escaping @Sendable (NodeID, Attributes, inout ImportContext, ONNXNode) throws(KilnError) -> NodeID
    ) -> ONNXConverter {
        { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
            let x = try context.input(0, of: node)
            var attributes: Attributes = ["keepdims": .bool(node.int("keepdims", default: 1) != 0)]
            if let axes = try axes(node, context, input: 1), !axes.isEmpty {
                attributes["axes"] = .ints(axes)
            } else if node.int("noop_with_empty_axes", default: 0) != 0 {
                return [x]
            }
            return [try body(x, attributes, &context, node)]
        }
    }

    /// log Σ exp(x) = m + log Σ exp(x − m) with m the maximum over the axes.
    static func logSumExp(_ x: NodeID, _ attributes: Attributes, _ context: inout ImportContext, _ node: ONNXNode) throws(KilnError) -> NodeID {
        var kept = attributes
        kept["keepdims"] = .bool(true)
        let maximum = try context.add("max", [x], attributes: kept, for: node)
        let shifted = try context.add("exp", [context.add("sub", [x, maximum], for: node)], for: node)
        let sum = try context.add("log", [context.add("sum", [shifted], attributes: kept, for: node)], for: node)
        let result = try context.add("add", [sum, maximum], for: node)
        guard attributes["keepdims"] == .bool(false) else { return result }
        let dropped = try context.add("max", [x], attributes: attributes, for: node)
        return try reshaped(result, context.type(of: dropped).shape.dimensions, &context, node)
    }

    /// Π x = (−1)^(negatives) · exp Σ log |x| (0 where an element is 0).
    static func product(_ x: NodeID, _ attributes: Attributes, _ context: inout ImportContext, _ node: ONNXNode) throws(KilnError) -> NodeID {
        let magnitude = try context.add(
            "exp", [context.add("sum", [context.add("log", [context.add("abs", [x], for: node)], for: node)], attributes: attributes, for: node)],
            for: node)
        let negatives = try context.add("sum", [context.add("less", [x, context.scalar(0, for: node)], for: node)], attributes: attributes, for: node)
        let sign = try context.add("cos", [context.add("mul", [negatives, context.scalar(Double.pi, for: node)], for: node)], for: node)
        let rounded = try context.add("round", [sign], for: node)
        return try context.add("mul", [magnitude, rounded], for: node)
    }

    /// `ArgMin` along `axis`: the argmax of −x.
    static let argmin: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        guard node.int("select_last_index", default: 0) == 0 else { throw node.error("select_last_index is not supported") }
        let attributes: Attributes = ["axes": .ints([node.int("axis", default: 0)]), "keepdims": .bool(node.int("keepdims", default: 1) != 0)]
        let negated = try context.add("neg", [try context.input(0, of: node)], for: node)
        return [try context.add("argmax", [negated], attributes: attributes, for: node)]
    }
}
