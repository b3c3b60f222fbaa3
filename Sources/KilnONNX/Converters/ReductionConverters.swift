import KilnIR

extension ONNXConverters {
    /// Reductions and softmax.
    static let reduction: [String: ONNXConverter] = [
        "ReduceMean": reduce("mean"), "ReduceSum": reduce("sum"), "ReduceMax": reduce("max"), "ReduceMin": reduce("min"),
        "Softmax": softmax("softmax"), "LogSoftmax": softmax("log_softmax"), "ArgMax": argmax,
        "CumSum": cumSum,
    ]

    /// `Reduce*`: axes from the input (opset 18, and ReduceSum since 13) or the attribute; no axes
    /// reduce everything unless `noop_with_empty_axes`.
    static func reduce(_ op: String) -> ONNXConverter {
        reduceComposite { x, attributes, context, node throws(KilnError) in try context.add(op, [x], attributes: attributes, for: node) }
    }

    /// `Softmax`/`LogSoftmax` along `axis` (default −1, opset 13 semantics).
    static func softmax(_ op: String) -> ONNXConverter {
        { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
            [try context.add(op, [try context.input(0, of: node)], attributes: ["axis": .int(node.int("axis", default: -1))], for: node)]
        }
    }

    static let argmax: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        guard node.int("select_last_index", default: 0) == 0 else { throw node.error("select_last_index is not supported") }
        let attributes: Attributes = ["axes": .ints([node.int("axis", default: 0)]), "keepdims": .bool(node.int("keepdims", default: 1) != 0)]
        return [try context.add("argmax", [try context.input(0, of: node)], attributes: attributes, for: node)]
    }
}

extension ONNXConverters {
    /// `CumSum` along an import-time axis, as a product with a 0/1 triangular matrix over that
    /// axis (inclusive or `exclusive`, forward or `reverse`): the axis moves last, the rows
    /// multiply the matrix, the axis moves back. Infinite or NaN inputs spread through the
    /// products with zero (0·∞ is NaN), as they would not in a running sum.
    static let cumSum: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let shape = context.type(of: x).shape
        guard let requested = try context.integers(1, of: node, what: "axis"), requested.count == 1 else {
            throw node.error("the axis must be one import-time integer")
        }
        guard let axis = shape.normalizedAxis(requested[0]), shape.rank > 0 else {
            throw node.error("axis \(requested[0]) is out of range for input shape \(shape)")
        }
        let length = shape[axis], exclusive = node.int("exclusive", default: 0) != 0, reverse = node.int("reverse", default: 0) != 0
        guard length <= 1 << 12 else { throw node.error("axis \(axis) of input shape \(shape) is longer than 4096, the most CumSum lowers") }
        var matrix = [Double](repeating: 0, count: length * length)
        for source in 0..<length {
            for target in 0..<length {
                let included = reverse ? source > target || (!exclusive && source == target) : source < target || (!exclusive && source == target)
                if included { matrix[source * length + target] = 1 }
            }
        }
        var perm = Array(0..<shape.rank)
        perm.remove(at: axis)
        perm.append(axis)
        let moved = axis == shape.rank - 1 ? x : try context.add("transpose", [x], attributes: ["perm": .ints(perm)], for: node)
        let movedShape = context.type(of: moved).shape
        let rows = try reshaped(moved, [movedShape.elementCount / max(length, 1), length], &context, node)
        let summed = try context.add("matmul", [rows, context.constant(matrix, shape: [length, length], for: node)], for: node)
        let restored = try reshaped(summed, movedShape.dimensions, &context, node)
        guard axis != shape.rank - 1 else { return [restored] }
        let inverse = perm.indices.map { perm.firstIndex(of: $0)! }
        return [try context.add("transpose", [restored], attributes: ["perm": .ints(inverse)], for: node)]
    }
}
