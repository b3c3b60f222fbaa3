import KilnIR

extension ONNXConverters {
    /// Rounding, remainders, signs, logic on masks and the activations written as composites.
    static let math: [String: ONNXConverter] = [
        "Floor": direct("floor"), "Ceil": direct("ceil"), "Round": direct("round"), "Mish": direct("mish"),
        "Sign": sign, "Mod": mod, "IsNaN": isNaN, "IsInf": isInf, "Shrink": shrink, "Celu": celu,
        "Not": not, "And": direct("mul"), "Or": direct("maximum"), "Xor": direct("not_equal"),
        "Size": size,
    ]

    /// `Sign`: (x > 0) − (x < 0).
    static let sign: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node), zero = context.scalar(0, for: node)
        let positive = try context.add("greater", [x, zero], for: node), negative = try context.add("less", [x, zero], for: node)
        return [try context.add("sub", [positive, negative], for: node)]
    }

    /// `Mod` of floats: x − y·⌊x/y⌋ (`fmod` 0, the divisor's sign) or x − y·trunc(x/y) (`fmod` 1,
    /// C's `fmod`, the dividend's sign). Integer remainders are computed only at import time.
    static let mod: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node), y = try context.input(1, of: node)
        for operand in [x, y] where context.type(of: operand).dtype != .float32 {
            throw node.error("integer remainders are computed only at import time; input \(context.type(of: operand)) is computed at run time")
        }
        let quotient = try context.add("div", [x, y], for: node)
        let whole: NodeID
        if node.int("fmod", default: 0) == 0 {
            whole = try context.add("floor", [quotient], for: node)
        } else {
            let negative = try context.add("less", [quotient, context.scalar(0, for: node)], for: node)
            whole = try context.add(
                "where", [negative, try context.add("ceil", [quotient], for: node), try context.add("floor", [quotient], for: node)], for: node)
        }
        return [try context.add("sub", [x, try context.add("mul", [y, whole], for: node)], for: node)]
    }

    /// `IsNaN`: x ≠ x.
    static let isNaN: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        return [try context.add("not_equal", [x, x], for: node)]
    }

    /// `IsInf` with `detect_positive` and `detect_negative`.
    static let isInf: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let positive = node.int("detect_positive", default: 1) != 0, negative = node.int("detect_negative", default: 1) != 0
        switch (positive, negative) {
        case (true, true):
            return [try context.add("equal", [try context.add("abs", [x], for: node), context.scalar(.infinity, for: node)], for: node)]
        case (true, false), (false, true):
            return [try context.add("equal", [x, context.scalar(positive ? .infinity : -.infinity, for: node)], for: node)]
        case (false, false):
            return [try context.add("less", [x, x], for: node)]
        }
    }

    /// `Shrink`: x + bias below −λ, x − bias above λ, 0 between.
    static let shrink: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let lambda = node.float("lambd", default: 0.5), bias = node.float("bias", default: 0)
        let below = try context.add("less", [x, context.scalar(-lambda, for: node)], for: node)
        let above = try context.add("greater", [x, context.scalar(lambda, for: node)], for: node)
        let raised = try context.add("add", [x, context.scalar(bias, for: node)], for: node)
        let lowered = try context.add("sub", [x, context.scalar(bias, for: node)], for: node)
        let upper = try context.add("where", [above, lowered, context.scalar(0, for: node)], for: node)
        return [try context.add("where", [below, raised, upper], for: node)]
    }

    /// `Celu`: max(0, x) + min(0, α·(exp(x/α) − 1)).
    static let celu: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let alpha = node.float("alpha", default: 1)
        guard alpha != 0 else { throw node.error("alpha must not be 0") }
        let scaled = try context.add("mul", [x, context.scalar(1 / alpha, for: node)], for: node)
        let exponential = try context.add("sub", [try context.add("exp", [scaled], for: node), context.scalar(1, for: node)], for: node)
        let negativePart = try context.add(
            "minimum", [try context.add("mul", [exponential, context.scalar(alpha, for: node)], for: node), context.scalar(0, for: node)], for: node)
        return [try context.add("add", [try context.add("relu", [x], for: node), negativePart], for: node)]
    }

    /// `Not` of a mask: 1 − x.
    static let not: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        [try context.add("sub", [context.scalar(1, for: node), try context.input(0, of: node)], for: node)]
    }

    /// `Size`: the static element count, an import-time int64 scalar.
    static let size: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let input = try context.input(0, of: node)
        let count = context.type(of: input).shape.elementCount
        return [try context.define(try node.firstOutput(), TensorValue(dtype: .int64, shape: [], integers: [Int64(count)]), for: node)]
    }
}
