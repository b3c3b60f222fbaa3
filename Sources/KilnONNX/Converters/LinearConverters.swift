import KilnIR

extension ONNXConverters {
    /// `MatMul` and `Gemm`.
    static let linear: [String: ONNXConverter] = ["MatMul": matmul, "Gemm": gemm]

    /// `MatMul` with NumPy semantics, vectors included (promoted to matrices and squeezed back).
    static let matmul: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        var a = try context.input(0, of: node), b = try context.input(1, of: node)
        let aShape = context.type(of: a).shape, bShape = context.type(of: b).shape
        if aShape.rank == 1 { a = try context.add("reshape", [a], attributes: ["shape": .ints([1, aShape[0]])], for: node) }
        if bShape.rank == 1 { b = try context.add("reshape", [b], attributes: ["shape": .ints([bShape[0], 1])], for: node) }
        var result = try context.add("matmul", [a, b], for: node)
        if aShape.rank == 1 || bShape.rank == 1 {
            var dimensions = context.type(of: result).shape.dimensions
            if bShape.rank == 1 { dimensions.removeLast() }
            if aShape.rank == 1 { dimensions.remove(at: dimensions.count - 1 - (bShape.rank == 1 ? 0 : 1)) }
            result = try context.add("reshape", [result], attributes: ["shape": .ints(dimensions)], for: node)
        }
        return [result]
    }

    /// `Gemm`: `alpha·op(A)·op(B) + beta·C`.
    static let gemm: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        var attributes = Attributes()
        if node.int("transA", default: 0) != 0 { attributes["transpose_a"] = .bool(true) }
        if node.int("transB", default: 0) != 0 { attributes["transpose_b"] = .bool(true) }
        var result = try context.add("matmul", [try context.input(0, of: node), try context.input(1, of: node)], attributes: attributes, for: node)
        let alpha = node.float("alpha", default: 1), beta = node.float("beta", default: 1)
        if alpha != 1 { result = try context.add("mul", [result, context.scalar(alpha, for: node)], for: node) }
        if node.input(2) != nil, beta != 0 {
            var c = try context.input(2, of: node)
            if beta != 1 { c = try context.add("mul", [c, context.scalar(beta, for: node)], for: node) }
            result = try context.add("add", [result, c], for: node)
        }
        return [result]
    }
}
