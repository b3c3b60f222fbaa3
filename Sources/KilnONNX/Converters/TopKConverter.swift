import KilnIR

extension ONNXConverters {
    /// The most elements `TopK` selects: it unrolls into k argmax steps.
    static let topKLimit = 256

    /// `TopK` with an import-time k: k steps of argmax along `axis`, each masking the element it
    /// took with −∞ before the next; the values and int64 indices are concatenated in order, so
    /// the result is always sorted (ONNX allows any order with `sorted = 0`). `largest = 0` runs on
    /// −x. Ties go to the lower index, as ONNX says.
    static let topK: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let shape = context.type(of: x).shape
        guard let requested = try context.integers(1, of: node, what: "k"), requested.count == 1 else {
            throw node.error("k must be one import-time integer")
        }
        let axisAttribute = node.int("axis", default: -1)
        guard let axis = shape.normalizedAxis(axisAttribute), shape.rank > 0 else {
            throw node.error("axis \(axisAttribute) is out of range for input shape \(shape)")
        }
        let k = requested[0], length = shape[axis]
        guard k >= 1, k <= length, k <= topKLimit else {
            throw node.error("k = \(k) must be from 1 to the axis length \(length) and at most \(topKLimit) (input shape \(shape), axis \(axis))")
        }
        let largest = node.int("largest", default: 1) != 0
        var current = largest ? x : try context.add("neg", [x], for: node)
        var positions = [Int](repeating: 1, count: shape.rank)
        positions[axis] = length
        let iota = context.constant((0..<length).map(Double.init), shape: Shape(positions), for: node)
        let reduction: Attributes = ["axes": .ints([axis]), "keepdims": .bool(true)]
        var values: [NodeID] = [], indices: [NodeID] = []
        for step in 0..<k {
            let index = try context.add("argmax", [current], attributes: reduction, for: node)
            let value = try context.add("max", [current], attributes: reduction, for: node)
            values.append(largest ? value : try context.add("neg", [value], for: node))
            indices.append(index)
            guard step < k - 1 else { break }
            let position = try context.add("cast", [index], attributes: ["to": .string("f32")], for: node)
            let taken = try context.add("equal", [iota, position], for: node)
            current = try context.add("where", [taken, context.scalar(-.infinity, for: node), current], for: node)
        }
        func joined(_ parts: [NodeID]) throws(KilnError) -> NodeID {
            parts.count == 1 ? parts[0] : try context.add("concat", parts, attributes: ["axis": .int(axis)], for: node)
        }
        return [try joined(values), try joined(indices)]
    }
}
