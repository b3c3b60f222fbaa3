import KilnIR

/// Permutes the axes: output axis `i` is input axis `perm[i]`.
/// Attribute `perm`: a permutation of the input's axes (negative entries count from the end);
/// absent = the axes reversed. Works on any element type.
///
/// Gradient: the output gradient transposed by the inverse permutation. Cost: no FLOPs; the
/// input read and the output written once.
public struct Transpose: Operator {
    public init() {}
    public var mnemonic: String { "transpose" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .injective }

    /// The permutation, normalized.
    func permutation(_ input: TensorType, _ attributes: Attributes) throws(ShapeError) -> [Int] {
        let rank = input.shape.rank
        guard let requested = try optionalInts(attributes, "perm") else { return Array((0..<rank).reversed()) }
        let normalized = requested.map { $0 < 0 ? $0 + rank : $0 }
        guard normalized.sorted() == Array(0..<rank) else {
            throw ShapeError(
                "perm \(AttributeValue.ints(requested)) is not a permutation of the \(rank) axes of input 0 of shape \(input.shape); expected each of 0 to \(rank - 1) exactly once")
        }
        return normalized
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        let perm = try permutation(inputs[0], attributes)
        return TensorType(inputs[0].dtype, Shape(perm.map { inputs[0].shape[$0] }))
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let perm = try! permutation(signature.inputs[0], signature.attributes)
        let inputStrides = signature.inputs[0].shape.strides
        let values = IndexSpace(signature.output.shape).map { index in
            var offset = 0
            for (outputAxis, inputAxis) in perm.enumerated() { offset += index[outputAxis] * inputStrides[inputAxis] }
            return inputs[0].values[offset]
        }
        return ReferenceTensor(signature.output, values)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let perm = try! permutation(kernel.signature.inputs[0], kernel.attributes)
        let inputStrides = kernel.signature.inputs[0].shape.strides
        let output = kernel.signature.output
        StridedCopy(
            extents: output.shape.dimensions, sourceStrides: perm.map { inputStrides[$0] },
            targetStrides: output.shape.strides
        ).emit(&kernel.writer, source: kernel.inputs[0], target: kernel.output, elementType: output.dtype)
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost { .streaming(signature, flopsPerElement: 0) }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let perm = try context.checked { () throws(ShapeError) in
            try permutation(context.type(of: context.input(0)), context.node.attributes)
        }
        var inverse = perm
        for (outputAxis, inputAxis) in perm.enumerated() { inverse[inputAxis] = outputAxis }
        return [try context.add("transpose", [context.outputGradient], attributes: ["perm": .ints(inverse)])]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("scalar", inputs: [.f32()]),
            OperatorTestCase("vector", inputs: [.f32(5)]),
            OperatorTestCase("matrix-default", inputs: [.f32(2, 3)]),
            OperatorTestCase("rank-3-default", inputs: [.f32(2, 3, 4)]),
            OperatorTestCase("rotate", inputs: [.f32(2, 3, 4)], attributes: ["perm": .ints([2, 0, 1])]),
            OperatorTestCase("negative-perm", inputs: [.f32(2, 3, 4)], attributes: ["perm": .ints([-1, 0, 1])]),
            OperatorTestCase("identity", inputs: [.f32(2, 3)], attributes: ["perm": .ints([0, 1])]),
            OperatorTestCase("size-1", inputs: [.f32(1, 3, 1)], attributes: ["perm": .ints([2, 1, 0])]),
            OperatorTestCase("rows-kept", inputs: [.f32(2, 3, 32)], attributes: ["perm": .ints([1, 0, 2])]),
            OperatorTestCase("rank-4", inputs: [.f32(2, 3, 4, 5)], attributes: ["perm": .ints([0, 2, 3, 1])]),
            OperatorTestCase(
                "int64", inputs: [.i64(3, 4)], domain: -5...5, differentiable: false),
        ]
    }
}
