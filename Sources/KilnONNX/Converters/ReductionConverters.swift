import KilnIR

extension ONNXConverters {
    /// Reductions and softmax.
    static let reduction: [String: ONNXConverter] = [
        "ReduceMean": reduce("mean"), "ReduceSum": reduce("sum"), "ReduceMax": reduce("max"), "ReduceMin": reduce("min"),
        "Softmax": softmax("softmax"), "LogSoftmax": softmax("log_softmax"), "ArgMax": argmax,
    ]

    /// `Reduce*`: axes from the input (opset 18, and ReduceSum since 13) or the attribute; no axes
    /// reduce everything unless `noop_with_empty_axes`.
    static func reduce(_ op: String) -> ONNXConverter {
        { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
            let x = try context.input(0, of: node)
            var attributes: Attributes = ["keepdims": .bool(node.int("keepdims", default: 1) != 0)]
            if let axes = try axes(node, context, input: 1), !axes.isEmpty {
                attributes["axes"] = .ints(axes)
            } else if node.int("noop_with_empty_axes", default: 0) != 0 {
                return [x]
            }
            return [try context.add(op, [x], attributes: attributes, for: node)]
        }
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
