import KilnIR
import KilnOps

extension ConstantEvaluators {
    /// Operators whose import-time evaluation looks at positions, not only at elements.
    static let structured: [String: ConstantEvaluator] = [
        "Range": range, "Trilu": trilu, "IsInf": isInf, "Gather": gather,
        "ReduceSum": reduction(0) { $0 + $1 }, "ReduceProd": reduction(1) { $0 * $1 },
        "ReduceMax": reduction(-.infinity) { Swift.max($0, $1) }, "ReduceMin": reduction(.infinity) { Swift.min($0, $1) },
    ]

    /// The single value of scalar (or one-element) input `index`.
    static func scalar(_ node: ONNXNode, _ inputs: [TensorValue?], _ index: Int, what: String) throws(KilnError) -> Double {
        guard index < inputs.count, let value = inputs[index] else { throw node.error("missing the \(what) (input \(index))") }
        guard value.shape.elementCount == 1 else { throw node.error("the \(what) (input \(index)) must be a scalar, got shape \(value.shape)") }
        return value.doubles[0]
    }

    /// `Range(start, limit, delta)`: ⌈(limit − start)/delta⌉ values (none when negative), of start's type.
    static let range: ConstantEvaluator = { (node: ONNXNode, inputs: [TensorValue?]) throws(KilnError) -> [TensorValue] in
        let start = try scalar(node, inputs, 0, what: "start"), limit = try scalar(node, inputs, 1, what: "limit")
        let delta = try scalar(node, inputs, 2, what: "delta")
        guard delta != 0, start.isFinite, limit.isFinite, delta.isFinite else {
            throw node.error("start \(start), limit \(limit) and delta \(delta) do not make a finite range")
        }
        let steps = ((limit - start) / delta).rounded(.up)
        guard steps < Double(ImportLimits.importTimeElements) else {
            throw node.error("the range from \(start) to \(limit) by \(delta) has \(steps) elements, more than the \(ImportLimits.importTimeElements) Kiln allows here")
        }
        let count = Swift.max(0, Int(steps))
        let dtype = inputs[0]!.type.dtype
        return [TensorValue(type: TensorType(dtype, [count]), doubles: (0..<count).map { start + Double($0) * delta })]
    }

    /// `Trilu(x, k)`: the upper (`upper` = 1, column − row ≥ k) or lower (column − row ≤ k) triangle
    /// of each matrix in the last two axes, zero elsewhere.
    static let trilu: ConstantEvaluator = { (node: ONNXNode, inputs: [TensorValue?]) throws(KilnError) -> [TensorValue] in
        let x = try present(node, inputs, count: 1)[0]
        guard x.shape.rank >= 2 else { throw node.error("the input must have rank 2 or more, got shape \(x.shape)") }
        let k = inputs.count > 1 && inputs[1] != nil ? try scalar(node, inputs, 1, what: "k") : 0
        let upper = node.int("upper", default: 1) != 0
        let rows = x.shape[x.shape.rank - 2], columns = x.shape[x.shape.rank - 1]
        var values = x.doubles
        for index in values.indices {
            let offset = Double(index % columns - (index / columns) % rows)
            if upper ? offset < k : offset > k { values[index] = 0 }
        }
        return [TensorValue(type: x.type, doubles: values)]
    }

    /// `Gather(data, indices)` along `axis`; negative indices count from the end.
    static let gather: ConstantEvaluator = { (node: ONNXNode, inputs: [TensorValue?]) throws(KilnError) -> [TensorValue] in
        let operands = try present(node, inputs, count: 2)
        let (data, indices) = (operands[0], operands[1])
        guard let axis = data.shape.normalizedAxis(node.int("axis", default: 0)), data.shape.rank > 0 else {
            throw node.error("axis \(node.int("axis", default: 0)) is out of range for data of shape \(data.shape)")
        }
        let extent = data.shape[axis]
        let positions = try ONNXConverters.checkedIndices(indices, extent: extent, for: node)
        let outer = data.shape.dimensions[..<axis].reduce(1, *), inner = data.shape.dimensions[(axis + 1)...].reduce(1, *)
        let shape = Shape(Array(data.shape.dimensions[..<axis]) + indices.shape.dimensions + Array(data.shape.dimensions[(axis + 1)...]))
        _ = try ImportLimits.elementCount(shape.dimensions, of: "ONNX node '\(node.name)' (Gather)")
        let elements = data.doubles
        var values: [Double] = []
        for o in 0..<outer {
            for position in positions { values += elements[((o * extent + position) * inner)..<((o * extent + position + 1) * inner)] }
        }
        return [TensorValue(type: TensorType(data.type.dtype, shape), doubles: values)]
    }

    /// `IsInf` with `detect_positive` and `detect_negative`.
    static let isInf: ConstantEvaluator = { (node: ONNXNode, inputs: [TensorValue?]) throws(KilnError) -> [TensorValue] in
        let x = try present(node, inputs, count: 1)[0]
        let positive = node.int("detect_positive", default: 1) != 0, negative = node.int("detect_negative", default: 1) != 0
        let mask = x.doubles.map { ($0 == .infinity && positive) || ($0 == -.infinity && negative) ? 1.0 : 0 }
        return [TensorValue(type: TensorType(.float32, x.shape), doubles: mask)]
    }

    /// `Reduce*` over `axes` (input 1, or the attribute before opset 18), all axes when none are
    /// given unless `noop_with_empty_axes`; `keepdims` keeps the reduced axes as ones.
    static func reduction(_ identity: Double, _ combine: @escaping @Sendable (Double, Double) -> Double) -> ConstantEvaluator {
        { (node: ONNXNode, inputs: [TensorValue?]) throws(KilnError) -> [TensorValue] in
            let x = try present(node, inputs, count: 1)[0]
            let rank = x.shape.rank
            let requested = inputs.count > 1 ? inputs[1].map { $0.integers.map { Int($0) } } : node.ints("axes")
            if requested?.isEmpty ?? true, node.int("noop_with_empty_axes", default: 0) != 0 { return [x] }
            var axes = Set<Int>()
            for axis in requested ?? [] {
                guard let normalized = x.shape.normalizedAxis(axis), rank > 0 else {
                    throw node.error("axis \(axis) is out of range for shape \(x.shape)")
                }
                axes.insert(normalized)
            }
            if requested?.isEmpty ?? true { axes = Set(0..<rank) }
            let keep = node.int("keepdims", default: 1) != 0
            let reducedShape = Shape((0..<rank).map { axes.contains($0) ? 1 : x.shape[$0] })
            let strides = reducedShape.strides
            var values = [Double](repeating: identity, count: reducedShape.elementCount)
            let elements = x.doubles
            for (position, index) in IndexSpace(x.shape).enumerated() {
                let target = (0..<rank).reduce(0) { $0 + (axes.contains($1) ? 0 : index[$1] * strides[$1]) }
                values[target] = combine(values[target], elements[position])
            }
            let shape = keep ? reducedShape : Shape((0..<rank).filter { !axes.contains($0) }.map { x.shape[$0] })
            return [TensorValue(type: TensorType(x.type.dtype, shape), doubles: values)]
        }
    }
}
