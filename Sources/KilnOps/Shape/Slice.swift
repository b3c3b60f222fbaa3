import KilnIR

/// Elements `starts[i] ..< ends[i]` in steps of `steps[i]` along `axes[i]`, with ONNX semantics.
///
/// Attributes: `starts`, `ends` (one entry per sliced axis); `axes` (optional, default
/// `0 ..< starts.count`; negative axes count from the end; no axis twice); `steps` (optional,
/// default all 1; non-zero; a negative step walks backwards). Negative starts and ends count
/// from the end of the axis; then, for a positive step, both are clamped to `0...extent`, and
/// for a negative step the start to `0...extent-1` and the end to `-1...extent-1` (so a large
/// value means "to the end"). Works on any element type.
///
/// Gradient: the output gradient placed back at the sliced positions with zeros elsewhere,
/// built from `slice` (reversal), `reshape` and `pad` (spreading by the step) and a final `pad`.
/// Cost: no FLOPs; the selected elements read once, the output written once.
public struct Slice: Operator {
    public init() {}
    public var mnemonic: String { "slice" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .injective }

    /// The resolved slice along one axis: the first input position and the step, per output element.
    struct AxisSlice {
        var axis: Int
        var first: Int
        var step: Int
        var count: Int
    }

    /// The resolved slices, one per sliced axis.
    func slices(_ input: TensorType, _ attributes: Attributes) throws(ShapeError) -> [AxisSlice] {
        let starts = try requiredInts(attributes, "starts"), ends = try requiredInts(attributes, "ends")
        let count = starts.count
        let steps = try optionalInts(attributes, "steps") ?? Array(repeating: 1, count: count)
        let requestedAxes = try optionalInts(attributes, "axes")
        for (name, list) in [("ends", ends), ("steps", steps), ("axes", requestedAxes ?? starts)] where list.count != count {
            throw ShapeError(
                "'starts' has \(count) entries but '\(name)' has \(list.count); expected one entry per sliced axis of input 0 of shape \(input.shape)")
        }
        if requestedAxes == nil, count > input.shape.rank {
            throw ShapeError(
                "'starts' has \(count) entries for input 0 of shape \(input.shape); expected at most \(input.shape.rank), one per axis")
        }
        let axes = try normalizedAxes(requestedAxes ?? Array(0..<count), of: input, index: 0, attribute: "axes")
        var result: [AxisSlice] = []
        for index in 0..<count {
            let axis = axes[index], step = steps[index], extent = input.shape[axis]
            guard step != 0 else {
                throw ShapeError("step 0 on axis \(axis) of input 0 of shape \(input.shape); expected a non-zero step")
            }
            var start = starts[index], end = ends[index]
            if start < 0 { start += extent }
            if end < 0 { end += extent }
            let elements: Int
            if step > 0 {
                start = Swift.min(Swift.max(start, 0), extent)
                end = Swift.min(Swift.max(end, 0), extent)
                elements = end > start ? Slice.count(distance: end - start, step: step) : 0
            } else {
                start = Swift.min(Swift.max(start, 0), extent - 1)
                end = Swift.min(Swift.max(end, -1), extent - 1)
                elements = start > end ? Slice.count(distance: start - end, step: step) : 0
            }
            result.append(AxisSlice(axis: axis, first: start, step: step, count: elements))
        }
        return result
    }

    /// The positions a walk of `distance > 0` positions visits in steps of `step` (either sign,
    /// any magnitude, `Int.min` included): ⌈distance / |step|⌉.
    static func count(distance: Int, step: Int) -> Int {
        Int((UInt(distance) - 1) / step.magnitude) + 1
    }

    /// For each input axis, the first position and step (1 and 0 on axes not sliced).
    func walk(_ input: TensorType, _ attributes: Attributes) -> (first: [Int], step: [Int]) {
        var first = Array(repeating: 0, count: input.shape.rank), step = Array(repeating: 1, count: input.shape.rank)
        for slice in try! slices(input, attributes) {
            first[slice.axis] = slice.first
            step[slice.axis] = slice.step
        }
        return (first, step)
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        var dimensions = inputs[0].shape.dimensions
        for slice in try slices(inputs[0], attributes) { dimensions[slice.axis] = slice.count }
        return TensorType(inputs[0].dtype, Shape(dimensions))
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let (first, step) = walk(signature.inputs[0], signature.attributes)
        let strides = inputs[0].shape.strides
        let values = IndexSpace(signature.output.shape).map { index in
            var offset = 0
            for axis in index.indices { offset += (first[axis] + index[axis] * step[axis]) * strides[axis] }
            return inputs[0].values[offset]
        }
        return ReferenceTensor(signature.output, values)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let input = kernel.signature.inputs[0], output = kernel.signature.output
        let (first, step) = walk(input, kernel.attributes)
        let strides = input.shape.strides
        StridedCopy(
            extents: output.shape.dimensions, sourceStrides: zip(step, strides).map { $0 * $1 },
            sourceOffset: first.offset(strides: strides), targetStrides: output.shape.strides
        ).emit(&kernel.writer, source: kernel.inputs[0], target: kernel.output, elementType: output.dtype)
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        OperatorCost(flops: 0, bytesRead: signature.output.byteCount, bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let input = context.type(of: context.input(0))
        let slices = try context.checked { () throws(ShapeError) in try self.slices(input, context.node.attributes) }
        let rank = input.shape.rank
        var gradient = context.outputGradient
        var pads = Array(repeating: 0, count: 2 * rank)
        for slice in slices {
            let extent = input.shape[slice.axis]
            guard slice.count > 0 else {
                pads[rank + slice.axis] = extent
                continue
            }
            var lowest = slice.first, stride = slice.step
            if stride < 0 {
                lowest = slice.first + (slice.count - 1) * stride
                stride = -stride
                gradient = try context.add("slice", [gradient], attributes: [
                    "starts": .ints([-1]), "ends": .ints([-(slice.count + 1)]), "axes": .ints([slice.axis]),
                    "steps": .ints([-1]),
                ])
            }
            var covered = slice.count
            if stride > 1 {
                gradient = try spread(gradient, axis: slice.axis, by: stride, &context)
                covered = Swift.min(slice.count * stride, extent - lowest)
                if covered < slice.count * stride {
                    gradient = try context.add("slice", [gradient], attributes: [
                        "starts": .ints([0]), "ends": .ints([covered]), "axes": .ints([slice.axis]),
                    ])
                }
            }
            pads[slice.axis] = lowest
            pads[rank + slice.axis] = extent - lowest - covered
        }
        if pads.allSatisfy({ $0 == 0 }) { return [gradient] }
        return [try context.add("pad", [gradient], attributes: ["pads": .ints(pads)])]
    }

    /// `value` with `factor - 1` zeros after each element along `axis` (length × factor).
    private func spread(
        _ value: NodeID, axis: Int, by factor: Int, _ context: inout GradientContext
    ) throws(KilnError) -> NodeID {
        var dimensions = context.type(of: value).shape.dimensions
        var split = dimensions
        split.insert(1, at: axis + 1)
        let column = try context.add("reshape", [value], attributes: ["shape": .ints(split)])
        var pads = Array(repeating: 0, count: 2 * split.count)
        pads[split.count + axis + 1] = factor - 1
        let padded = try context.add("pad", [column], attributes: ["pads": .ints(pads)])
        dimensions[axis] *= factor
        return try context.add("reshape", [padded], attributes: ["shape": .ints(dimensions)])
    }

    public var testCases: [OperatorTestCase] {
        let cases: [(String, TensorType, Attributes)] = [
            ("prefix", .f32(5), ["starts": .ints([1]), "ends": .ints([4])]),
            ("both-axes", .f32(4, 5), ["starts": .ints([1, 0]), "ends": .ints([3, 4])]),
            ("one-axis", .f32(3, 4, 5), ["starts": .ints([1]), "ends": .ints([3]), "axes": .ints([1])]),
            ("negative-axis-and-start", .f32(3, 4, 5), ["starts": .ints([-3]), "ends": .ints([-1]), "axes": .ints([-1])]),
            ("clamped", .f32(4, 3), ["starts": .ints([-100, 1]), "ends": .ints([100, 1_000_000])]),
            ("steps", .f32(7, 6), ["starts": .ints([1, 0]), "ends": .ints([7, 6]), "steps": .ints([2, 3])]),
            ("step-overshoots", .f32(8), ["starts": .ints([1]), "ends": .ints([8]), "steps": .ints([3])]),
            ("reverse", .f32(3, 5), ["starts": .ints([-1]), "ends": .ints([-1_000_000]), "axes": .ints([1]), "steps": .ints([-1])]),
            ("negative-step-2", .f32(7, 2), ["starts": .ints([6]), "ends": .ints([0]), "axes": .ints([0]), "steps": .ints([-2])]),
            ("size-1", .f32(1, 4, 1), ["starts": .ints([0, 1, 0]), "ends": .ints([1, 3, 1])]),
            ("to-size-1", .f32(3, 4), ["starts": .ints([2]), "ends": .ints([3]), "axes": .ints([0])]),
            ("empty", .f32(3, 4), ["starts": .ints([2]), "ends": .ints([2]), "axes": .ints([1])]),
            ("no-axes", .f32(2, 3), ["starts": .ints([]), "ends": .ints([])]),
            ("scalar", .f32(), ["starts": .ints([]), "ends": .ints([])]),
            ("long-rows", .f32(4, 40), ["starts": .ints([1, 4]), "ends": .ints([3, 36])]),
        ]
        return cases.map { OperatorTestCase($0.0, inputs: [$0.1], attributes: $0.2) } + [
            OperatorTestCase(
                "int64", inputs: [.i64(6)], attributes: ["starts": .ints([1]), "ends": .ints([5]), "steps": .ints([2])],
                domain: -5...5, differentiable: false),
        ]
    }
}
