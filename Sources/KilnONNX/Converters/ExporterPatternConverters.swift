import KilnIR
import KilnOps

extension ONNXConverters {
    /// Operators PyTorch's exporter emits for `torch.gather`, `pixel_shuffle` / `pixel_unshuffle`,
    /// `F.softsign` and `nn.Threshold`-like activations, built from Kiln's operators.
    static let exporterPatterns: [String: ONNXConverter] = [
        "GatherElements": gatherElements, "DepthToSpace": depthToSpace, "SpaceToDepth": spaceToDepth,
        "Softsign": softsign, "ThresholdedRelu": thresholdedRelu,
    ]

    /// The most elements `GatherElements` addresses: its flat positions are computed in float32,
    /// exact below 2^24.
    static let gatherElementsLimit = 1 << 24

    /// `GatherElements(data, indices)` along `axis`: output[p] = data[p with axis `axis` replaced
    /// by indices[p]]. The flat position of each element is computed (in float32, exact below
    /// 2^24; negative indices count from the end) and gathered from the flattened data, so the
    /// indices may be computed at run time (an argmax, say).
    static let gatherElements: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let data = try context.input(0, of: node), indices = try context.input(1, of: node)
        let shape = context.type(of: data).shape, indexShape = context.type(of: indices).shape
        let axisAttribute = node.int("axis", default: 0)
        guard let axis = shape.normalizedAxis(axisAttribute), indexShape.rank == shape.rank,
              zip(indexShape.dimensions, shape.dimensions).enumerated().allSatisfy({ $0.offset == axis || $0.element.0 <= $0.element.1 }) else {
            throw node.error("indices \(indexShape) must have the rank of data \(shape) and fit it outside axis \(axisAttribute)")
        }
        guard shape.elementCount < gatherElementsLimit, indexShape.elementCount < gatherElementsLimit else {
            throw node.error("data \(shape) or indices \(indexShape) has 2^24 elements or more, more than GatherElements lowers")
        }
        let strides = shape.strides
        var offsets: [Double] = []
        offsets.reserveCapacity(indexShape.elementCount)
        for position in IndexSpace(indexShape) {
            offsets.append(Double(position.enumerated().reduce(0) { $0 + ($1.offset == axis ? 0 : $1.element * strides[$1.offset]) }))
        }
        var index = context.type(of: indices).dtype == .float32 ? indices : try context.add("cast", [indices], attributes: ["to": .string("f32")], for: node)
        let negative = try context.add("less", [index, context.scalar(0, for: node)], for: node)
        index = try context.add("add", [index, context.add("mul", [negative, context.scalar(Double(shape[axis]), for: node)], for: node)], for: node)
        let flat = try context.add(
            "add", [context.add("mul", [index, context.scalar(Double(strides[axis]), for: node)], for: node),
                    context.constant(offsets, shape: indexShape, for: node)], for: node)
        let positions = try context.add("cast", [reshaped(flat, [indexShape.elementCount], &context, node)], attributes: ["to": .string("i64")], for: node)
        let values = try context.add("gather", [reshaped(data, [shape.elementCount], &context, node), positions], attributes: ["axis": .int(0)], for: node)
        return [try reshaped(values, indexShape.dimensions, &context, node)]
    }

    /// `DepthToSpace` (`DCR` or `CRD` mode): [N, C, H, W] → [N, C/b², H·b, W·b] by a reshape, a
    /// transpose and a reshape.
    static let depthToSpace: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let (n, c, h, w, b) = try blockGeometry(context.type(of: x).shape, node, divides: true)
        let crd = node.string("mode", default: "DCR") == "CRD"
        let split = crd ? [n, c / (b * b), b, b, h, w] : [n, b, b, c / (b * b), h, w]
        let perm = crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2]
        let moved = try context.add("transpose", [reshaped(x, split, &context, node)], attributes: ["perm": .ints(perm)], for: node)
        return [try reshaped(moved, [n, c / (b * b), h * b, w * b], &context, node)]
    }

    /// `SpaceToDepth`: [N, C, H, W] → [N, C·b², H/b, W/b].
    static let spaceToDepth: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let (n, c, h, w, b) = try blockGeometry(context.type(of: x).shape, node, divides: false)
        let split = try reshaped(x, [n, c, h / b, b, w / b, b], &context, node)
        let moved = try context.add("transpose", [split], attributes: ["perm": .ints([0, 3, 5, 1, 2, 4])], for: node)
        return [try reshaped(moved, [n, c * b * b, h / b, w / b], &context, node)]
    }

    /// The [N, C, H, W] extents and `blocksize` of a 4-D input; b² must divide C (`divides`) or
    /// b must divide H and W.
    static func blockGeometry(_ shape: Shape, _ node: ONNXNode, divides: Bool) throws(KilnError) -> (Int, Int, Int, Int, Int) {
        let b = node.int("blocksize", default: 0)
        guard shape.rank == 4, b >= 1, b <= 1 << 15 else { throw node.error("needs a 4-D input and a blocksize from 1 to 32768, got \(shape) and \(b)") }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        guard divides ? c % (b * b) == 0 : h % b == 0 && w % b == 0 else {
            throw node.error("blocksize \(b) does not divide input \(shape)")
        }
        return (n, c, h, w, b)
    }

    /// `Softsign`: x / (1 + |x|).
    static let softsign: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let denominator = try context.add("add", [context.add("abs", [x], for: node), context.scalar(1, for: node)], for: node)
        return [try context.add("div", [x, denominator], for: node)]
    }

    /// `ThresholdedRelu`: x where x > α (default 1), else 0.
    static let thresholdedRelu: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let above = try context.add("greater", [x, context.scalar(node.float("alpha", default: 1), for: node)], for: node)
        return [try context.add("mul", [x, above], for: node)]
    }
}
