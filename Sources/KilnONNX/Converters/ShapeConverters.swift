import KilnIR

extension ONNXConverters {
    /// Shape manipulation and data movement; shape arguments must be known at import time.
    static let shape: [String: ONNXConverter] = [
        "Reshape": reshape, "Flatten": flatten, "Transpose": transpose, "Squeeze": squeeze, "Unsqueeze": unsqueeze,
        "Concat": concat, "Split": split, "Slice": slice, "Gather": gather, "Expand": expand, "Pad": pad,
        "Shape": shapeOf, "Constant": constant, "ConstantOfShape": constantOfShape,
    ]

    static func reshaped(_ x: NodeID, _ dimensions: [Int], _ context: inout ImportContext, _ node: ONNXNode) throws(KilnError) -> NodeID {
        try context.add("reshape", [x], attributes: ["shape": .ints(dimensions)], for: node)
    }

    /// `Reshape`: 0 copies the input's dimension (unless `allowzero`), -1 is inferred.
    static let reshape: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        guard var target = try context.integers(1, of: node, what: "target shape") else { throw node.error("missing the target shape") }
        let input = context.type(of: x).shape
        if node.int("allowzero", default: 0) == 0 {
            for (index, value) in target.enumerated() where value == 0 {
                guard index < input.rank else { throw node.error("target shape \(target) copies dimension \(index) of \(input), which has none") }
                target[index] = input[index]
            }
        }
        return [try reshaped(x, target, &context, node)]
    }

    /// `Flatten(axis)`: `[d0 … d(axis−1), rest]` as two dimensions.
    static let flatten: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let dimensions = context.type(of: x).shape.dimensions
        var axis = node.int("axis", default: 1)
        if axis < 0 { axis += dimensions.count }
        guard (0...dimensions.count).contains(axis) else { throw node.error("axis \(node.int("axis", default: 1)) is out of range for \(Shape(dimensions))") }
        return [try reshaped(x, [dimensions[..<axis].reduce(1, *), dimensions[axis...].reduce(1, *)], &context, node)]
    }

    static let transpose: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let perm = node.ints("perm") ?? Array((0..<context.type(of: x).shape.rank).reversed())
        return [try context.add("transpose", [x], attributes: ["perm": .ints(perm)], for: node)]
    }

    /// The axes of `Squeeze`/`Unsqueeze`/reductions: an input since opset 13 (18 for reductions), an attribute before.
    static func axes(_ node: ONNXNode, _ context: ImportContext, input: Int) throws(KilnError) -> [Int]? {
        try context.integers(input, of: node, what: "axes") ?? node.ints("axes")
    }

    static let squeeze: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let dimensions = context.type(of: x).shape.dimensions
        let axes = try axes(node, context, input: 1).map { $0.map { $0 < 0 ? $0 + dimensions.count : $0 } }
            ?? dimensions.indices.filter { dimensions[$0] == 1 }
        for axis in axes where !(dimensions.indices.contains(axis) && dimensions[axis] == 1) {
            throw node.error("cannot squeeze axis \(axis) of shape \(Shape(dimensions))")
        }
        return [try reshaped(x, dimensions.indices.filter { !axes.contains($0) }.map { dimensions[$0] }, &context, node)]
    }

    static let unsqueeze: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        var dimensions = context.type(of: x).shape.dimensions
        guard let requested = try axes(node, context, input: 1) else { throw node.error("missing axes") }
        let rank = dimensions.count + requested.count
        for axis in requested.map({ $0 < 0 ? $0 + rank : $0 }).sorted() {
            guard (0...dimensions.count).contains(axis) else { throw node.error("axis \(axis) is out of range for rank \(rank)") }
            dimensions.insert(1, at: axis)
        }
        return [try reshaped(x, dimensions, &context, node)]
    }

    static let concat: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        var inputs: [NodeID] = []
        for index in node.inputs.indices where node.input(index) != nil { inputs.append(try context.input(index, of: node)) }
        return [try context.add("concat", inputs, attributes: ["axis": .int(node.int("axis", default: 0))], for: node)]
    }

    /// `Split`: sizes from the `split` input (or attribute), else equal parts (`num_outputs` or the output count).
    static let split: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let shape = context.type(of: x).shape
        var axis = node.int("axis", default: 0)
        if axis < 0 { axis += shape.rank }
        guard (0..<shape.rank).contains(axis) else { throw node.error("axis \(axis) is out of range for \(shape)") }
        let parts = node.outputs.count
        var sizes = try context.integers(1, of: node, what: "split sizes") ?? node.ints("split")
            ?? Array(repeating: (shape[axis] + parts - 1) / parts, count: parts)
        if sizes.reduce(0, +) > shape[axis], let last = sizes.indices.last {
            sizes[last] = shape[axis] - sizes.dropLast().reduce(0, +)
        }
        guard sizes.count == parts, sizes.reduce(0, +) == shape[axis], sizes.allSatisfy({ $0 >= 0 }) else {
            throw node.error("split sizes \(sizes) do not divide axis \(axis) of \(shape) into \(parts) outputs")
        }
        var start = 0
        var results: [NodeID] = []
        for size in sizes {
            results.append(try context.add(
                "slice", [x], attributes: ["starts": .ints([start]), "ends": .ints([start + size]), "axes": .ints([axis])], for: node))
            start += size
        }
        return results
    }

    static let slice: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        guard let starts = try context.integers(1, of: node, what: "starts"), let ends = try context.integers(2, of: node, what: "ends") else {
            throw node.error("missing starts or ends")
        }
        var attributes: Attributes = ["starts": .ints(starts), "ends": .ints(ends.map { min(max($0, Int(Int32.min)), Int(Int32.max)) })]
        if let axes = try context.integers(3, of: node, what: "axes") { attributes["axes"] = .ints(axes) }
        if let steps = try context.integers(4, of: node, what: "steps") { attributes["steps"] = .ints(steps) }
        return [try context.add("slice", [x], attributes: attributes, for: node)]
    }

    /// `Gather`: import-time indices are checked against the axis here (the run-time gather
    /// leaves out-of-range indices unspecified).
    static let gather: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let data = try context.input(0, of: node)
        let axis = node.int("axis", default: 0)
        if let indices = context.constant(1, of: node), let normalized = context.type(of: data).shape.normalizedAxis(axis) {
            _ = try checkedIndices(indices, extent: context.type(of: data).shape[normalized], for: node)
        }
        let indices = try context.input(1, of: node)
        return [try context.add("gather", [data, indices], attributes: ["axis": .int(axis)], for: node)]
    }

    /// The values of `indices` as positions along an axis of `extent`, negative ones counted from the end.
    static func checkedIndices(_ indices: TensorValue, extent: Int, for node: ONNXNode) throws(KilnError) -> [Int] {
        let integers = indices.type.dtype.isInteger ? indices.integers : []
        guard integers.count == indices.shape.elementCount else { throw node.error("the indices are \(indices.type); expected integers") }
        var positions: [Int] = []
        positions.reserveCapacity(integers.count)
        for index in integers {
            guard index >= -Int64(extent), index < Int64(extent) else {
                throw node.error("index \(index) is out of range for an axis of \(extent)")
            }
            positions.append(Int(index < 0 ? index + Int64(extent) : index))
        }
        return positions
    }

    /// `Expand`: broadcast both ways (the target may have ones where the input does not).
    static let expand: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        guard let target = try context.integers(1, of: node, what: "shape") else { throw node.error("missing the shape") }
        guard let shape = Shape.broadcast(context.type(of: x).shape, Shape(target)) else {
            throw node.error("cannot broadcast \(context.type(of: x).shape) to \(Shape(target))")
        }
        return [try context.add("expand", [x], attributes: ["shape": .ints(shape.dimensions)], for: node)]
    }

    static let pad: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        guard node.string("mode", default: "constant") == "constant" else {
            throw node.error("only constant padding is supported, not '\(node.string("mode", default: ""))'")
        }
        guard var pads = try context.integers(1, of: node, what: "pads") ?? node.ints("pads") else { throw node.error("missing pads") }
        let rank = context.type(of: x).shape.rank
        if let axes = try context.integers(3, of: node, what: "axes") {
            var full = [Int](repeating: 0, count: 2 * rank)
            guard pads.count == 2 * axes.count else {
                throw node.error("pads \(pads) need 2 values for each of the \(axes.count) axes \(axes)")
            }
            for (index, axis) in axes.enumerated() {
                guard let normalized = context.type(of: x).shape.normalizedAxis(axis) else {
                    throw node.error("axis \(axis) is out of range for input \(context.type(of: x).shape)")
                }
                full[normalized] = pads[index]
                full[rank + normalized] = pads[axes.count + index]
            }
            pads = full
        }
        let value = context.constant(2, of: node)?.doubles.first ?? 0
        return [try context.add("pad", [x], attributes: ["pads": .ints(pads), "value": .float(value)], for: node)]
    }

    /// `Shape`: the static shape, an import-time constant (with `start`/`end`).
    static let shapeOf: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        // The input's node first: creating it changes `context`, so it cannot be an argument of `context.type(of:)`.
        let input = try context.input(0, of: node)
        let dimensions = context.type(of: input).shape.dimensions
        let rank = dimensions.count
        func clamp(_ value: Int) -> Int { min(max(value < 0 ? value + rank : value, 0), rank) }
        let start = clamp(node.int("start", default: 0)), end = clamp(node.int("end", default: rank))
        let selected = start < end ? Array(dimensions[start..<end]) : []
        return [try context.define(node.outputs[0], TensorValue(dtype: .int64, shape: [selected.count], integers: selected.map(Int64.init)), for: node)]
    }

    static let constant: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let value: TensorValue
        if let tensor = node.tensor("value") {
            value = try ONNXTensor.value(tensor, context: "Constant '\(node.name)'")
        } else if node.has("value_float") {
            value = TensorValue(shape: [], floats: [Float(node.float("value_float", default: 0))])
        } else if let floats = node.floats("value_floats") {
            value = TensorValue(shape: [floats.count], floats: floats.map(Float.init))
        } else if node.has("value_int") {
            value = TensorValue(dtype: .int64, shape: [], integers: [Int64(node.int("value_int", default: 0))])
        } else if let ints = node.ints("value_ints") {
            value = TensorValue(dtype: .int64, shape: [ints.count], integers: ints.map(Int64.init))
        } else {
            throw node.error("a Constant needs a value, value_float(s) or value_int(s) attribute")
        }
        return [try context.define(node.outputs[0], value, for: node)]
    }

    static let constantOfShape: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        guard let dimensions = try context.integers(0, of: node, what: "shape") else { throw node.error("missing the shape") }
        let fill = try node.tensor("value").map { (tensor: Onnx_TensorProto) throws(KilnError) -> TensorValue in
            try ONNXTensor.value(tensor, context: "ConstantOfShape '\(node.name)'")
        }
        let count = try ImportLimits.elementCount(dimensions, of: "ONNX node '\(node.name)' (ConstantOfShape)")
        let type = TensorType(fill?.type.dtype ?? .float32, Shape(dimensions))
        let value = TensorValue(type: type, doubles: Array(repeating: fill?.doubles.first ?? 0, count: count))
        return [try context.define(node.outputs[0], value, for: node)]
    }
}
