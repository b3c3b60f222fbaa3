import KilnIR
import KilnOps

extension ONNXConverters {
    /// Data movement with import-time indices: `ScatterND`, `ScatterElements` (reduction
    /// `none`) and `Tile`.
    static let scatter: [String: ONNXConverter] = [
        "ScatterND": scatterND, "ScatterElements": scatterElements, "Tile": tile,
    ]

    /// `ScatterElements(data, indices, updates)` along `axis`: element p of `updates` goes to
    /// position p of `data` with axis `axis` replaced by `indices[p]`.
    static let scatterElements: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let data = try context.input(0, of: node), updates = try context.input(2, of: node)
        let shape = context.type(of: data).shape
        let indices = try scatterIndices(node, context, data: shape)
        guard indices.shape == context.type(of: updates).shape, indices.shape.rank == shape.rank else {
            throw node.error("indices \(indices.shape) and updates \(context.type(of: updates).shape) must have one shape of the rank of data \(shape)")
        }
        let axisAttribute = node.int("axis", default: 0)
        guard let axis = shape.normalizedAxis(axisAttribute) else {
            throw node.error("axis \(axisAttribute) is out of range for data shape \(shape)")
        }
        var sources = [Int](repeating: -1, count: shape.elementCount)
        for (source, position) in IndexSpace(indices.shape).enumerated() {
            var target = position
            target[axis] = try resolved(indices.integers[source], extent: shape[axis], node)
            guard zip(target, shape.dimensions).allSatisfy({ $0 < $1 }) else {
                throw node.error("index position \(position) lies outside data shape \(shape)")
            }
            sources[flat(target, shape)] = source
        }
        return [try scattered(data, updates, sources: sources, &context, node)]
    }

    /// `ScatterND(data, indices, updates)`: each row of `indices` (its last axis, of length k)
    /// addresses a slice `data[i0, ..., ik-1, ...]` that the matching slice of `updates` replaces.
    static let scatterND: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let data = try context.input(0, of: node), updates = try context.input(2, of: node)
        let shape = context.type(of: data).shape
        let indices = try scatterIndices(node, context, data: shape)
        guard let k = indices.shape.dimensions.last, k <= shape.rank else {
            throw node.error("indices \(indices.shape) must end in an axis no longer than the rank of data \(shape)")
        }
        let rows = Array(indices.shape.dimensions.dropLast()), slice = Array(shape.dimensions[k...])
        guard context.type(of: updates).shape == Shape(rows + slice) else {
            throw node.error("updates \(context.type(of: updates).shape) must have shape \(Shape(rows + slice)) for indices \(indices.shape) and data \(shape)")
        }
        let sliceCount = slice.reduce(1, *)
        var sources = [Int](repeating: -1, count: shape.elementCount)
        for row in 0..<rows.reduce(1, *) {
            var prefix: [Int] = []
            for axis in 0..<k { prefix.append(try resolved(indices.integers[row * k + axis], extent: shape[axis], node)) }
            for (offset, suffix) in IndexSpace(Shape(slice)).enumerated() {
                sources[flat(prefix + suffix, shape)] = row * sliceCount + offset
            }
        }
        return [try scattered(data, updates, sources: sources, &context, node)]
    }

    /// The import-time int64 indices (input 1); only the default reduction `none` is lowered, and
    /// `data` must be small enough for an import-time table of its elements.
    static func scatterIndices(_ node: ONNXNode, _ context: ImportContext, data: Shape) throws(KilnError) -> TensorValue {
        _ = try ImportLimits.elementCount(data.dimensions, of: "ONNX node '\(node.name)' (\(node.opType)) data")
        let reduction = node.string("reduction", default: "none")
        guard reduction == "none" else { throw node.error("reduction '\(reduction)' is not supported; Kiln lowers only 'none'") }
        guard let indices = context.constant(1, of: node), indices.type.dtype.isInteger else {
            throw node.error("the indices (input 1) must be integers known at import time")
        }
        return indices
    }

    /// `index` made non-negative for an axis of `extent`, or an error when it is out of range.
    static func resolved(_ index: Int64, extent: Int, _ node: ONNXNode) throws(KilnError) -> Int {
        guard index >= -Int64(extent), index < Int64(extent) else {
            throw node.error("index \(index) is out of range for an axis of length \(extent)")
        }
        return Int(index < 0 ? index + Int64(extent) : index)
    }

    /// The C-order offset of `position` in `shape`.
    static func flat(_ position: [Int], _ shape: Shape) -> Int {
        zip(position, shape.strides).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// `data` with element i replaced by the flattened `updates` element `sources[i]` where that is
    /// not −1: a gather of the updates by a constant index vector, selected by a constant mask.
    static func scattered(
        _ data: NodeID, _ updates: NodeID, sources: [Int], _ context: inout ImportContext, _ node: ONNXNode
    ) throws(KilnError) -> NodeID {
        let shape = context.type(of: data).shape
        let flatUpdates = try reshaped(updates, [context.type(of: updates).shape.elementCount], &context, node)
        let index = context.builder.leaf(
            Node.constantOp, type: TensorType(.int64, [sources.count]), name: "\(node.name).sources",
            attributes: ["value": .floats(sources.map { Double(max($0, 0)) })], provenance: Provenance(layer: node.name))
        let gathered = try reshaped(
            try context.add("gather", [flatUpdates, index], attributes: ["axis": .int(0)], for: node), shape.dimensions, &context, node)
        let mask = context.constant(sources.map { $0 >= 0 ? 1 : 0 }, shape: shape, for: node)
        return try context.add("where", [mask, gathered, data], for: node)
    }

    /// `Tile(x, repeats)` with import-time repeats: x viewed as `[1, d0, 1, d1, ...]`, expanded to
    /// `[r0, d0, r1, d1, ...]` and merged to `[r0·d0, r1·d1, ...]`.
    static let tile: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let dimensions = context.type(of: x).shape.dimensions
        guard let repeats = try context.integers(1, of: node, what: "repeats"), repeats.count == dimensions.count,
              repeats.allSatisfy({ $0 >= 0 }) else {
            throw node.error("repeats must be one non-negative import-time integer per axis of input shape \(Shape(dimensions))")
        }
        let interleaved = zip(repeats, dimensions).flatMap { [$0, $1] }
        _ = try ImportLimits.elementCount(interleaved, of: "ONNX node '\(node.name)' (Tile)", limit: .max)
        let spread = try reshaped(x, dimensions.flatMap { [1, $0] }, &context, node)
        let expanded = try context.add("expand", [spread], attributes: ["shape": .ints(interleaved)], for: node)
        return [try reshaped(expanded, zip(repeats, dimensions).map { $0 * $1 }, &context, node)]
    }
}
