import KilnIR

/// Joins one or more inputs along `axis`. Attribute `axis` (required; negative counts from the
/// end). Every input has the element type and rank of input 0 and the same extents on every
/// other axis. Works on any element type.
///
/// Gradient: each input receives the `slice` of the output gradient at its position along the
/// axis. Cost: no FLOPs; each input read once, the output written once.
public struct Concat: Operator {
    public init() {}
    public var mnemonic: String { "concat" }
    public var arity: ClosedRange<Int> { 1...Int.max }
    public var fusionKind: FusionKind { .injective }

    /// The axis, normalized against input 0.
    func concatAxis(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> Int {
        guard attributes["axis"] != nil else { throw ShapeError("missing attribute 'axis'") }
        return try normalizedAxis(try int(attributes, "axis", default: 0), of: inputs[0], index: 0, attribute: "axis")
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        guard !inputs.isEmpty else { throw ShapeError("expected 1 or more inputs, got 0") }
        let axis = try concatAxis(inputs, attributes)
        let first = inputs[0]
        var dimensions = first.shape.dimensions
        for (index, input) in inputs.enumerated().dropFirst() {
            guard input.dtype == first.dtype else {
                throw ShapeError("input \(index) is \(input); expected element type \(first.dtype.rawValue) like input 0")
            }
            var expected = first.shape.dimensions.map(String.init)
            expected[axis] = "*"
            let matches = input.shape.rank == first.shape.rank
                && (0..<first.shape.rank).allSatisfy { $0 == axis || input.shape[$0] == first.shape[$0] }
            guard matches else {
                throw ShapeError(
                    "input \(index) has shape \(input.shape); expected [\(expected.joined(separator: ","))] to match input 0 of shape \(first.shape) on every axis but \(axis)")
            }
            dimensions[axis] += input.shape[axis]
        }
        return TensorType(first.dtype, Shape(dimensions))
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let axis = try! concatAxis(signature.inputs, signature.attributes)
        let values = IndexSpace(signature.output.shape).map { index in
            var position = index, source = 0
            while position[axis] >= inputs[source].shape[axis] {
                position[axis] -= inputs[source].shape[axis]
                source += 1
            }
            return inputs[source].values[position.offset(strides: inputs[source].shape.strides)]
        }
        return ReferenceTensor(signature.output, values)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let axis = try! concatAxis(kernel.signature.inputs, kernel.attributes)
        let output = kernel.signature.output
        var start = 0
        for (index, input) in kernel.signature.inputs.enumerated() {
            StridedCopy(
                extents: input.shape.dimensions, sourceStrides: input.shape.strides,
                targetStrides: output.shape.strides, targetOffset: start * output.shape.strides[axis]
            ).emit(&kernel.writer, source: kernel.inputs[index], target: kernel.output, elementType: output.dtype)
            start += input.shape[axis]
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost { .streaming(signature, flopsPerElement: 0) }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let types = context.node.inputs.map { context.type(of: $0) }
        let axis = try context.checked { () throws(ShapeError) in try concatAxis(types, context.node.attributes) }
        var start = 0
        var result: [NodeID?] = []
        for type in types {
            let end = start + type.shape[axis]
            result.append(try context.add("slice", [context.outputGradient], attributes: [
                "starts": .ints([start]), "ends": .ints([end]), "axes": .ints([axis]),
            ]))
            start = end
        }
        return result
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("rows", inputs: [.f32(2, 3), .f32(1, 3)], attributes: ["axis": .int(0)]),
            OperatorTestCase("columns", inputs: [.f32(2, 3), .f32(2, 2)], attributes: ["axis": .int(1)]),
            OperatorTestCase("negative-axis", inputs: [.f32(2, 3, 2), .f32(2, 3, 1), .f32(2, 3, 4)], attributes: ["axis": .int(-1)]),
            OperatorTestCase("middle-axis", inputs: [.f32(2, 1, 4), .f32(2, 3, 4)], attributes: ["axis": .int(1)]),
            OperatorTestCase("single-input", inputs: [.f32(2, 3)], attributes: ["axis": .int(1)]),
            OperatorTestCase("vectors", inputs: [.f32(3), .f32(1), .f32(2)], attributes: ["axis": .int(0)]),
            OperatorTestCase("size-1", inputs: [.f32(1, 1), .f32(1, 1)], attributes: ["axis": .int(-2)]),
            OperatorTestCase("long-rows", inputs: [.f32(2, 40), .f32(3, 40)], attributes: ["axis": .int(0)]),
            OperatorTestCase("long-columns", inputs: [.f32(3, 24), .f32(3, 16)], attributes: ["axis": .int(1)]),
            OperatorTestCase(
                "int64", inputs: [.i64(2, 2), .i64(2, 3)], attributes: ["axis": .int(1)], domain: -5...5,
                differentiable: false),
        ]
    }
}
