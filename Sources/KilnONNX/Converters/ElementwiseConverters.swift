import KilnIR

extension ONNXConverters {
    /// Elementwise math, comparisons, selection and the no-ops of inference.
    static let elementwise: [String: ONNXConverter] = [
        "Neg": direct("neg"), "Abs": direct("abs"), "Exp": direct("exp"), "Log": direct("log"),
        "Sqrt": direct("sqrt"), "Reciprocal": direct("reciprocal"), "Relu": direct("relu"),
        "Sigmoid": direct("sigmoid"), "Tanh": direct("tanh"), "Erf": direct("erf"), "Sin": direct("sin"),
        "Cos": direct("cos"),
        "Add": direct("add"), "Sub": direct("sub"), "Mul": direct("mul"), "Div": direct("div"), "Pow": direct("pow"),
        "Equal": direct("equal"), "Less": direct("less"), "Greater": direct("greater"),
        "LessOrEqual": direct("less_equal"), "GreaterOrEqual": direct("greater_equal"),
        "Where": direct("where"),
        "Max": variadic("maximum"), "Min": variadic("minimum"), "Sum": variadic("add"),
        "Identity": passThrough, "Dropout": passThrough, "Cast": cast,
        "Clip": clip,
    ]

    /// `Max`, `Min`, `Sum` over any number of inputs, folded pairwise.
    static func variadic(_ op: String) -> ONNXConverter {
        { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
            var result = try context.input(0, of: node)
            for index in node.inputs.indices.dropFirst() where node.input(index) != nil {
                result = try context.add(op, [result, try context.input(index, of: node)], for: node)
            }
            return [result]
        }
    }

    /// `Identity`, and `Dropout` at inference: the input itself (Dropout's mask output is all ones).
    static let passThrough: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        [try context.input(0, of: node)]
    }

    /// `Cast`: Kiln computes in float32, so casts between float types are no-ops, a cast to bool is
    /// the float32 mask x ≠ 0, and casts between floats (or masks) and integers are Kiln `cast`
    /// nodes; casts of import-time values are folded by the importer.
    static let cast: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let input = try context.input(0, of: node)
        let target = try ONNXTypeRules.castTarget(node)
        if target == .bool {
            let mask = context.type(of: input).dtype == .float32 ? input : try context.add("cast", [input], attributes: ["to": .string("f32")], for: node)
            return [try context.add("not_equal", [mask, context.scalar(0, for: node)], for: node)]
        }
        guard target.kilnType != context.type(of: input).dtype else { return [input] }
        return [try context.add("cast", [input], attributes: ["to": .string(target.kilnType.rawValue)], for: node)]
    }

    /// `Clip(x, min, max)`: `maximum` and `minimum` with the bounds (inputs since opset 11).
    static let clip: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        var result = try context.input(0, of: node)
        if node.input(1) != nil { result = try context.add("maximum", [result, try context.input(1, of: node)], for: node) }
        if node.input(2) != nil { result = try context.add("minimum", [result, try context.input(2, of: node)], for: node) }
        return [result]
    }
}
